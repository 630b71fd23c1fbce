// History search and sort over rows in the renderer, in the user's current locale (the same rules as
// the main process's index: shared/history-search.ts). History itself asks the core for pages
// (queryTransactions); these helpers serve small lists and tests.
import type { TxRow, TxSortKey } from '../../shared/app-api';
import { comparator, normaliseQuery, rowSearchText, sortableRow, textMatches, type SortableRow } from '../../shared/history-search';
import { currentLocale } from './locale';

export { normaliseQuery };
export type SortKey = TxSortKey;

export function matchesText(r: TxRow, q: string): boolean {
  return !q || textMatches(rowSearchText(r, currentLocale()), r, q);
}

/** Sorts a copy; amounts compare as integers within a currency, never through floats. */
export function sortRows(rows: TxRow[], key: SortKey, desc: boolean): TxRow[] {
  const dir = desc ? -1 : 1;
  const cmp = comparator<SortableRow>(key);
  return rows
    .map((row) => (key === 'signedAmount' ? sortableRow(row) : { row, minor: 0n }))
    .sort((a, b) => dir * cmp(a, b))
    .map((x) => x.row);
}
