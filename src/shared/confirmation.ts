// The canonical confirmation text of a transfer: the one string the user's hardware wallet
// signs to approve a transfer, and the server checks. One pure function, used by the app
// (to ask the device) and by the server (to verify) so the two can never disagree.
//
// The Ledger Bitcoin app (>= 2.2.2) shows a message in full only when it is at most 640 bytes
// of printable ASCII (0x20-0x7E); otherwise it shows "Message hash" (SHA-256, upper-case hex).
// The text is therefore kept to one short line of printable ASCII built only from validated,
// ASCII-only fields (amount, currency, destination address or IBAN, request id).
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import type { CurrencyCode } from './currencies';

export interface ConfirmationFields {
  /** Canonical wire decimal of the amount, e.g. "1250.00". */
  amount: string;
  currency: CurrencyCode;
  /** Bitcoin address or IBAN in electronic format (no spaces). */
  destination: string;
  requestId: string;
}

export const CONFIRMATION_MAX_BYTES = 640;

export function confirmationText(f: ConfirmationFields): string {
  const text = `CCC transfer ${f.amount} ${f.currency} to ${f.destination} id ${f.requestId}`;
  if (!isDeviceDisplayable(text)) throw new Error('confirmation text would not be displayed in full on the device');
  return text;
}

/** Whether the Bitcoin app (>= 2.2.2) displays this message as text rather than as a hash. */
export function isDeviceDisplayable(message: string): boolean {
  return message.length > 0 && message.length <= CONFIRMATION_MAX_BYTES && /^[\x20-\x7e]+$/.test(message);
}

/** What the device shows instead of the text when it cannot display it: SHA-256 in upper-case hex. */
export function deviceMessageHash(message: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(message))).toUpperCase();
}
