// History's filter state: the fields as typed, and the query they make for the core (local calendar
// days turned into a time range). The search box is followed at once, not deferred: the core searches, the
// screen only draws the answer (deferring cost a second render and a frame before the query left).
import { useMemo, useState } from 'react';
import type { TxQuery, TxSortKey } from '../../../shared/app-api';
import type { TransferStatus } from '../../../shared/protocol';
import { localDayRange } from '../../../shared/date-range';
import { currentLocale } from '../locale';

export interface HistoryFilterFields {
  from: string;
  to: string;
  currency: string;
  direction: string;
  status: string;
  text: string;
}

const EMPTY: HistoryFilterFields = { from: '', to: '', currency: '', direction: '', status: '', text: '' };

export function useHistoryFilters() {
  const [fields, setFields] = useState<HistoryFilterFields>(EMPTY);
  const [sort, setSort] = useState<{ key: TxSortKey; desc: boolean }>({ key: 'timestamp', desc: true });
  const set = (name: keyof HistoryFilterFields, value: string) => setFields((f) => ({ ...f, [name]: value }));
  const text = fields.text;
  const locale = currentLocale();
  const query = useMemo((): TxQuery => {
    // Local calendar days, 23 or 25 hours long on the days clocks change (shared/date-range.ts).
    const range = localDayRange(fields.from, fields.to);
    return {
      ...(range.from !== undefined ? { from: range.from } : {}),
      ...(range.to !== undefined ? { to: range.to } : {}),
      ...(fields.currency ? { currency: fields.currency } : {}),
      ...(fields.direction ? { direction: fields.direction as 'in' | 'out' } : {}),
      ...(fields.status ? { status: fields.status as TransferStatus } : {}),
      ...(text.trim() ? { text } : {}),
      sort,
      locale,
    };
  }, [fields.from, fields.to, fields.currency, fields.direction, fields.status, text, sort, locale]);
  /** A click on a sortable header: the same key flips the order; dates and txids start newest first. */
  const toggleSort = (key: TxSortKey) => setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: key === 'timestamp' || key === 'txid' }));
  return { fields, set, sort, toggleSort, query };
}
