// The history: filters, a search that matches what is on screen, sorting, a virtualised table that
// fits from a 1024-px window to 2560 px (narrow widths fold the txid under the date and the reference
// under the counterparty rather than clipping anything), and a detail panel per row. The rows stay in
// the core: this screen asks for the window it shows (history/use-history-query.ts).
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AppSnapshot, TxRow } from '../../../shared/app-api';
import { formatCount } from '../format';
import { ExportThese } from '../components/TxRecordTools';
import { useHistoryFilters } from '../history/use-history-filters';
import { useHistoryQuery } from '../history/use-history-query';
import { useScrollAnchor } from '../history/use-scroll-anchor';
import { HistoryFilters } from './HistoryFilters';
import { historyColumns, type Column } from './HistoryColumns';
import { TxDetailPanel } from './TxDetailPanel';

const ROW_HEIGHT = 50;
/** Below this table width the narrow layout is used. */
const WIDE_MIN = 1040;

/** The layout follows the table's own width (the window minus the sidebar). */
function useWideTable() {
  const table = useRef<HTMLDivElement>(null);
  const [wide, setWide] = useState(true);
  useLayoutEffect(() => {
    const el = table.current;
    if (!el) return;
    const measure = () => setWide(el.clientWidth >= WIDE_MIN);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { table, wide };
}

/** One row of the table; drawn again only when its row, place or columns change (not on each keystroke in the search box). */
const HistoryRow = memo(function HistoryRow({ row, start, template, columns, title, onOpen }: { row: TxRow; start: number; template: string; columns: Column[]; title: string; onOpen: (txid: number) => void }) {
  return (
    <div
      className={`vtr ${row.direction}`}
      role="row"
      data-txid={row.txid}
      style={{ gridTemplateColumns: template, transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      onClick={() => onOpen(row.txid)}
      onKeyDown={(e) => e.key === 'Enter' && onOpen(row.txid)}
      tabIndex={-1}
      title={title}
    >
      {columns.map((c) => (
        <div key={c.id} role="cell" className={`vtd ${c.num ? 'num' : ''} col-${c.id}`}>
          {c.cell(row)}
        </div>
      ))}
    </div>
  );
});

export function HistoryScreen({ tick, loading = false, check = null }: { /** bumped when the history changed */ tick: number; loading?: boolean; check?: AppSnapshot['historyCheck'] }) {
  const { t } = useTranslation();
  const { fields, set, sort, toggleSort, query } = useHistoryFilters();
  const [detail, setDetail] = useState<number | null>(null);
  const { table, wide } = useWideTable();
  const scroller = useRef<HTMLDivElement>(null);
  const rowAtRef = useRef<(i: number) => ReturnType<typeof rowAt>>(() => undefined);
  const { anchor, onScroll, restore } = useScrollAnchor(scroller, ROW_HEIGHT, useCallback((i: number) => rowAtRef.current(i), []));
  const { total, all, loaded, rowAt, setRange, version } = useHistoryQuery(query, tick, anchor, restore);
  rowAtRef.current = rowAt;
  const columns = useMemo(() => historyColumns(wide, t), [wide, t]);
  const template = columns.map((c) => c.width).join(' ');

  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => setRange(first, last), [first, last, version, setRange]);

  const busy = loading || !loaded;
  const count = busy
    ? t('history.loading')
    : check?.source === 'cache'
      ? t('history.newestChecking', { n: formatCount(all), checked: formatCount(check.checked), total: formatCount(check.total) })
      : check
        ? t('history.newestLoading', { n: formatCount(all), checked: formatCount(check.checked) })
        : t('history.count', { shown: formatCount(total), all: formatCount(all) });

  return (
    <div className="page history">
      <div className="page-head">
        <h1>{t('history.title')}</h1>
        <span className="muted" data-testid="history-count">
          {count}
        </span>
      </div>
      <HistoryFilters fields={fields} set={set} />
      {!busy && !check && <ExportThese count={total} query={query} />}
      <div className={`vtable ${wide ? 'wide' : 'narrow'}`} role="table" aria-rowcount={total} data-testid="history-table" ref={table}>
        {/* One sideways scroller for header and body (a very narrow window, 200 % zoom): headers stay over their columns. */}
        <div className="vscroll">
          <div className="vthead" role="rowgroup">
            <div className="vtr head" role="row" style={{ gridTemplateColumns: template }}>
              {columns.map((c) => (
                <div key={c.id} role="columnheader" className={`vth ${c.num ? 'num' : ''}`} aria-sort={sort.key === c.sort ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                  {c.sort ? (
                    <button className="sort" onClick={() => toggleSort(c.sort!)}>
                      {c.header}
                      <span className="sort-mark">{sort.key === c.sort ? (sort.desc ? '▼' : '▲') : ''}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </div>
              ))}
            </div>
          </div>
          <div className="vbody" ref={scroller} onScroll={onScroll} role="rowgroup" tabIndex={0} aria-label={t('history.transactions')}>
            {total === 0 && (
              // A row of its own, so the row group is never empty for assistive technology.
              <div role="row">
                <div role="cell" className="empty">
                  {busy ? t('history.emptyLoading') : all === 0 ? t('history.emptyNone') : t('history.emptyFiltered')}
                </div>
              </div>
            )}
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((v) => {
                const row = rowAt(v.index);
                if (!row) {
                  return (
                    <div key={`loading-${v.index}`} className="vtr placeholder" role="row" style={{ gridTemplateColumns: template, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}>
                      <div role="cell" className="vtd muted small">
                        {t('history.rowLoading')}
                      </div>
                    </div>
                  );
                }
                return <HistoryRow key={row.txid} row={row} start={v.start} template={template} columns={columns} title={t('history.rowTitle')} onOpen={setDetail} />;
              })}
            </div>
          </div>
        </div>
      </div>
      {detail !== null && <TxDetailPanel txid={detail} tick={tick} onClose={() => setDetail(null)} />}
    </div>
  );
}
