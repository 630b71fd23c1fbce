// What a transfer's destination is: a CCC account (a Bitcoin address on this network) or a bank
// account (an IBAN, normalised to its electronic form). One function for the back office, the app
// core and the transfer form, so they can never classify the same text differently.
import { parseBitcoinAddress, type BitcoinNetwork } from './bitcoin-address';
import { checkIban, looksLikeIban, type IbanProblem } from './iban';

export type Destination = { kind: 'address'; destination: string } | { kind: 'iban'; destination: string; country: string };

export type DestinationVerdict =
  | ({ ok: true } & Destination)
  /** WRONG_NETWORK: an address of the other network; INVALID_IBAN: looks like an IBAN but fails (reason says why). */
  | { ok: false; problem: 'WRONG_NETWORK' | 'INVALID_IBAN' | 'NOT_A_DESTINATION'; reason: string; /** INVALID_IBAN: the reason's parts */ ibanProblems?: IbanProblem[] };

export function classifyDestination(text: string, network: BitcoinNetwork): DestinationVerdict {
  const raw = text.trim();
  const addr = parseBitcoinAddress(raw);
  if (addr) {
    if (addr.network !== network) return { ok: false, problem: 'WRONG_NETWORK', reason: `${raw} is a ${addr.network} address, not a ${network} one` };
    return { ok: true, kind: 'address', destination: raw };
  }
  const iban = checkIban(raw);
  if (iban.ok) return { ok: true, kind: 'iban', destination: iban.iban, country: iban.country };
  if (looksLikeIban(raw)) return { ok: false, problem: 'INVALID_IBAN', reason: iban.reason, ibanProblems: iban.problems };
  return { ok: false, problem: 'NOT_A_DESTINATION', reason: 'neither a CCC account address nor an IBAN' };
}
