// Search and sort keys for the history, computed once per row (rows are immutable objects; a new
// state of a transaction is a new object). Search matches what the screen shows: grouped amounts
// ("12,500"), spaced IBANs ("FR76 3000"), dates, #txid, words like "received" — and the raw forms.
import type { TxRow } from '../../shared/app-api';
import { parseWireAmount } from '../../shared/money';
import { displayAmount, formatDateTime } from './format';
import { currentLocale } from './locale';

interface RowKeys {
  /** The locale the text was written in: search matches what the screen shows. */
  locale: string;
  text: string;
  minor: bigint;
}

const cache = new WeakMap<TxRow, RowKeys>();

function keys(r: TxRow): RowKeys {
  let k = cache.get(r);
  const locale = currentLocale();
  if (!k || k.locale !== locale) {
    // The IBAN as the screen groups it (formatIban's paper format, written out here: this runs 100,000 times).
    const shown = r.counterpartyKind === 'iban' ? r.counterparty.replace(/(.{4})(?!$)/g, '$1 ') : r.counterparty;
    const signed = displayAmount(r.signedAmount);
    const text = [
      formatDateTime(r.timestamp),
      `#${r.txid}`,
      r.direction === 'in' ? 'received from' : 'sent to',
      shown,
      r.counterparty,
      r.reference ?? '',
      r.amount,
      displayAmount(r.amount),
      r.signedAmount,
      signed.startsWith('−') ? signed : `+${signed}`,
      r.currency,
      r.status,
      r.message ?? '',
      r.note ?? '',
      ...(r.labels ?? []).map((l) => `#${l}`),
    ]
      .join('\u0001')
      .toLowerCase();
    k = { locale, text, minor: parseWireAmount(r.signedAmount, r.currency) };
    cache.set(r, k);
  }
  return k;
}

/** Computes the keys of rows ahead of the first search, a slice at a time, while the app is idle. */
export function warmKeys(rows: TxRow[], slice = 2_000): () => void {
  let i = 0;
  let handle = 0;
  const idle = (cb: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(cb) : (setTimeout(cb, 0) as unknown as number));
  const step = () => {
    const end = Math.min(rows.length, i + slice);
    for (; i < end; i++) keys(rows[i]);
    if (i < rows.length) handle = idle(step);
  };
  handle = idle(step);
  return () => (typeof cancelIdleCallback === 'function' ? cancelIdleCallback(handle) : clearTimeout(handle));
}

/** The query as the screen writes things: case, the typographic minus and runs of spaces do not matter. */
export function normaliseQuery(q: string): string {
  return q.trim().toLowerCase().replace(/\u2212/g, '−').replace(/\s+/g, ' ');
}

export function matchesText(r: TxRow, q: string): boolean {
  if (!q) return true;
  const text = keys(r).text;
  if (text.includes(q)) return true;
  // "-15" typed with a hyphen finds "−15,000.00"; "#" is optional before a txid.
  const alt = q.replace(/^-/, '−');
  if (alt !== q && text.includes(alt)) return true;
  if (/^\d+$/.test(q)) return r.txid === Number(q);
  return false;
}

export type SortKey = 'timestamp' | 'txid' | 'direction' | 'counterparty' | 'signedAmount' | 'status';

/** Sorts a copy; amounts compare as integers within a currency, never through floats. */
export function sortRows(rows: TxRow[], key: SortKey, desc: boolean): TxRow[] {
  const dir = desc ? -1 : 1;
  if (key === 'signedAmount') {
    // Decorate once: no per-comparison lookups over 100,000 rows.
    const decorated = rows.map((r) => ({ r, minor: keys(r).minor }));
    decorated.sort((a, b) => {
      if (a.r.currency !== b.r.currency) return dir * (a.r.currency < b.r.currency ? -1 : 1);
      return dir * (a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : a.r.txid - b.r.txid);
    });
    return decorated.map((d) => d.r);
  }
  let cmp: (a: TxRow, b: TxRow) => number;
  switch (key) {
    case 'txid':
      cmp = (a, b) => a.txid - b.txid;
      break;
    case 'direction':
    case 'status':
    case 'counterparty':
      cmp = (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.txid - b.txid);
      break;
    default:
      // Many transactions share a millisecond: the txid keeps their real order.
      cmp = (a, b) => a.timestamp - b.timestamp || a.txid - b.txid;
  }
  return [...rows].sort((a, b) => dir * cmp(a, b));
}
