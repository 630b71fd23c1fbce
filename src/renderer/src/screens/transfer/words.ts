// What the Transfer wizard's steps say and read: the catalogue lookup, an amount typed in the user's
// locale, how a destination is described and written.
import type { TransferReview } from '../../../../shared/app-api';
import { isSupportedCurrency } from '../../../../shared/currencies';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../../../shared/bitcoin-address';
import { formatIban } from '../../../../shared/iban';
import { classifyDestination } from '../../../../shared/destination';
import { parseTypedAmount } from '../../../../shared/plain-words';
import { currentLocale, readLocaleAmount } from '../../locale';
import { i18next } from '../../i18n';
import { amountWords } from '../../i18n/core-words';

/** The app's words (TransferScreen subscribes to language changes; its children re-render with it). */
export const L = (key: string, options?: Record<string, unknown>): string => i18next.t(key, options);

/** An amount typed in the user's locale, read into the canonical decimal string that is sent. */
export function readAmount(text: string, currency: string): { ok: true; minor: bigint; canonical: string } | { ok: false; message: string } {
  if (!isSupportedCurrency(currency)) return { ok: false, message: L('transfer.chooseCurrency') };
  const local = readLocaleAmount(text, currentLocale());
  if (!local.ok) return { ok: false, message: amountWords(local) };
  const r = parseTypedAmount(local.decimal, currency);
  return r.ok ? r : { ok: false, message: amountWords(r) };
}

/** The network of the signed-in account: destinations are classified for it (shared/destination.ts). */
export const networkOf = (address: string | null): BitcoinNetwork => (address ? (parseBitcoinAddress(address)?.network ?? 'mainnet') : 'mainnet');

/** What kind of destination was typed, shown under the field. */
export function describeDestination(v: string, network: BitcoinNetwork): string | null {
  if (!v.trim()) return null;
  const d = classifyDestination(v, network);
  if (!d.ok) return null;
  return d.kind === 'address' ? L('transfer.toCcc') : L('transfer.toIban', { country: d.country, iban: formatIban(d.destination) });
}

/** The destination the way people read it (an IBAN in groups of four). */
export const friendlyDestination = (review: TransferReview): string => (review.destinationKind === 'iban' ? formatIban(review.destination) : review.destination);

export function withFullStop(s: string): string {
  return /[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`;
}
