// What History's search and sort see of a row, in the user's locale: search matches what the screen
// shows — grouped amounts ("12,500"), spaced IBANs ("FR76 3000"), dates, #txid, words like
// "received" — and the raw forms; amounts sort as integers within a currency, never through floats.
// Used by the main process's history index (built as rows are verified) and the renderer's helpers.
import type { TxRow, TxSortKey } from './app-api';
import { parseWireAmount } from './money';
import { localDateTime, localizeDecimal } from './locale-format';

/** The amount as the screen writes it: grouped in the locale, a typographic minus. */
function shownAmount(decimal: string, locale: string): string {
  return localizeDecimal(decimal, locale).replace(/^-/, '−');
}

/** The direction and status as the screen words them where that is not English (German: the History catalogue's words). */
const GERMAN = { in: 'eingang', out: 'ausgang', complete: 'abgeschlossen', pending: 'ausstehend', failed: 'fehlgeschlagen' } as const;
function localWords(r: TxRow, locale: string): string[] {
  return locale.toLowerCase().startsWith('de') ? [GERMAN[r.direction], GERMAN[r.status]] : [];
}

/** Between the fields of a row's search text, and between rows where texts are searched together: no query holds them. */
export const FIELD_SEPARATOR = '\u0001';
export const ROW_SEPARATOR = '\u0002';

/** The searchable text of a row (lower case; fields apart so a query cannot match across two). */
export function rowSearchText(r: TxRow, locale: string): string {
  // The IBAN as the screen groups it (formatIban's paper format, written out here: this runs 100,000 times).
  const shown = r.counterpartyKind === 'iban' ? r.counterparty.replace(/(.{4})(?!$)/g, '$1 ') : r.counterparty;
  const signed = shownAmount(r.signedAmount, locale);
  return [
    localDateTime(r.timestamp, locale),
    `#${r.txid}`,
    r.direction === 'in' ? 'received from' : 'sent to',
    shown,
    r.counterparty,
    r.reference ?? '',
    r.amount,
    shownAmount(r.amount, locale),
    r.signedAmount,
    signed.startsWith('−') ? signed : `+${signed}`,
    r.currency,
    r.status,
    ...localWords(r, locale),
    r.message ?? '',
    r.note ?? '',
    ...(r.labels ?? []).map((l) => `#${l}`),
  ]
    .join(FIELD_SEPARATOR)
    .toLowerCase();
}

/**
 * The query as the screen writes things: case, the typographic minus and runs of spaces do not matter;
 * control characters are dropped (none is on screen, and the separators must never match).
 */
export function normaliseQuery(q: string): string {
  return q
    .replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\u2212/g, '−')
    .replace(/\s+/g, ' ');
}

/** Whether a row (given its search text) matches a normalised query. */
export function textMatches(text: string, r: TxRow, q: string): boolean {
  return queryMatcher(q)(text, r);
}

/**
 * The test for one normalised query, prepared once and run on every row (100,000 rows: the query's
 * variants are worked out here, not per row).
 */
export function queryMatcher(q: string): (text: string, r: TxRow) => boolean {
  if (!q) return () => true;
  const { needles, txid } = queryPlan(q);
  if (needles.length === 1 && txid === null) return (text) => text.includes(q);
  return (text, r) => needles.some((n) => text.includes(n)) || r.txid === txid;
}

/**
 * What a normalised, non-empty query looks for: a row matches when its search text contains one of the
 * needles, or its txid is `txid`. "-15" typed with a hyphen finds "−15,000.00"; "#" is optional before
 * a txid. (The main process's index searches its rows' texts joined in chunks for the needles.)
 */
export function queryPlan(q: string): { needles: string[]; txid: number | null } {
  const alt = q.replace(/^-/, '−');
  return { needles: alt === q ? [q] : [q, alt], txid: /^\d+$/.test(q) ? Number(q) : null };
}

/** The signed amount in minor units: the amount sort's key. */
export function amountKey(r: TxRow): bigint {
  return parseWireAmount(r.signedAmount, r.currency);
}

/** A row with its amount key computed once: minor units, and the same as a number when that is exact (fast compares). */
export interface SortableRow {
  row: TxRow;
  minor: bigint;
  minorNum?: number | null;
}

/** A row's sort keys (computed once per row, kept by the main process's index). */
export function sortableRow(row: TxRow): SortableRow {
  const minor = amountKey(row);
  const n = Number(minor);
  return { row, minor, minorNum: Number.isSafeInteger(n) ? n : null };
}

/**
 * The one comparator of History's sort keys, ascending: amounts as exact integers within a currency
 * (numbers when both are exact, else BigInt); ties keep the real order (txid): many transactions share
 * a millisecond. Used by the main process's index and the renderer's helpers.
 */
export function comparator<T extends SortableRow>(key: TxSortKey): (a: T, b: T) => number {
  switch (key) {
    case 'signedAmount':
      return (a, b) => {
        if (a.row.currency !== b.row.currency) return a.row.currency < b.row.currency ? -1 : 1;
        if (a.minorNum != null && b.minorNum != null) return a.minorNum - b.minorNum || a.row.txid - b.row.txid;
        return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : a.row.txid - b.row.txid;
      };
    case 'txid':
      return (a, b) => a.row.txid - b.row.txid;
    case 'direction':
    case 'status':
    case 'counterparty':
      return (a, b) => (a.row[key] < b.row[key] ? -1 : a.row[key] > b.row[key] ? 1 : a.row.txid - b.row.txid);
    default:
      return (a, b) => a.row.timestamp - b.row.timestamp || a.row.txid - b.row.txid;
  }
}
