import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES } from '../../../shared/currencies';
import { parseWireAmount } from '../../../shared/money';
import { formatIban } from '../../../shared/iban';
import { Amount } from '../components/Amount';
import { formatDateTime, shortId } from '../format';

const ROW_HEIGHT = 44;
const col = createColumnHelper<TxRow>();

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard permission denied (the app denies all permission requests): fall back to a selection copy.
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

function CopyTxid({ txid }: { txid: number }) {
  const [done, setDone] = useState(false);
  return (
    <button
      className="txid"
      title="Copy transaction ID"
      onClick={() =>
        void copy(String(txid)).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1200);
        })
      }
    >
      {done ? 'Copied' : `#${txid}`}
    </button>
  );
}

const columns = [
  col.accessor('timestamp', {
    header: 'Date',
    cell: (c) => <span className="nowrap">{formatDateTime(c.getValue())}</span>,
    size: 150,
    // Many transactions share a millisecond: the txid keeps their real order.
    sortingFn: (a, b) => a.original.timestamp - b.original.timestamp || a.original.txid - b.original.txid,
  }),
  col.accessor('txid', { header: 'Txid', cell: (c) => <CopyTxid txid={c.getValue()} />, size: 104 }),
  col.accessor('direction', { header: 'Direction', cell: (c) => (c.getValue() === 'in' ? 'Received' : 'Sent'), size: 92 }),
  col.accessor('counterparty', {
    header: 'Counterparty',
    cell: (c) => <span title={c.getValue()}>{c.row.original.counterpartyKind === 'iban' ? formatIban(c.getValue()) : shortId(c.getValue(), 12, 8)}</span>,
    size: 160,
    enableSorting: false,
  }),
  col.accessor('reference', { header: 'Reference', cell: (c) => <span className="ellipsis" title={c.getValue() ?? ''}>{c.getValue() ?? ''}</span>, size: 120, enableSorting: false }),
  col.accessor('signedAmount', {
    header: 'Amount',
    cell: (c) => <Amount value={c.getValue()} currency={c.row.original.currency} signed />,
    size: 150,
    // Sort by value within a currency (minor units compare exactly), never through floats.
    sortingFn: (a, b) => {
      const x = parseWireAmount(a.original.signedAmount, a.original.currency);
      const y = parseWireAmount(b.original.signedAmount, b.original.currency);
      return a.original.currency !== b.original.currency ? a.original.currency.localeCompare(b.original.currency) : x < y ? -1 : x > y ? 1 : 0;
    },
  }),
  col.accessor('status', { header: 'Status', cell: (c) => <span className={`badge ${c.getValue()}`} title={c.row.original.message}>{c.getValue()}</span>, size: 100 }),
  col.accessor('verified', { header: 'Signed', cell: () => <span className="verified" title="The back office’s signature over this transaction verified">✓ verified</span>, size: 84, enableSorting: false }),
];

export function HistoryScreen({ rows, loading = false }: { rows: TxRow[]; loading?: boolean }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState('');
  const [direction, setDirection] = useState('');
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [sorting, setSorting] = useState<SortingState>([{ id: 'timestamp', desc: true }]);

  const filtered = useMemo(() => {
    const fromMs = from ? new Date(`${from}T00:00:00`).getTime() : null;
    const toMs = to ? new Date(`${to}T00:00:00`).getTime() + 86_400_000 : null;
    const q = text.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (fromMs === null || r.timestamp >= fromMs) &&
        (toMs === null || r.timestamp < toMs) &&
        (!currency || r.currency === currency) &&
        (!direction || r.direction === direction) &&
        (!status || r.status === status) &&
        (!q || r.counterparty.toLowerCase().includes(q) || (r.reference ?? '').toLowerCase().includes(q) || String(r.txid) === q.replace(/^#/, '') || r.amount.includes(q)),
    );
  }, [rows, from, to, currency, direction, status, text]);

  const table = useReactTable({ data: filtered, columns, state: { sorting }, onSortingChange: setSorting, getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel(), getRowId: (r) => String(r.txid) });
  const tableRows = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: tableRows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  // Keep the row the user is looking at in place when live rows arrive above it.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const index = Math.floor(el.scrollTop / ROW_HEIGHT);
    const row = tableRows[index];
    anchor.current = el.scrollTop > 0 && row ? { id: row.id, offset: el.scrollTop - index * ROW_HEIGHT } : null;
  };
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a) return;
    const index = tableRows.findIndex((r) => r.id === a.id);
    if (index >= 0) el.scrollTop = index * ROW_HEIGHT + a.offset;
  }, [tableRows]);

  const template = table.getVisibleLeafColumns().map((c) => `minmax(${c.getSize()}px, ${c.id === 'counterparty' || c.id === 'reference' ? '2fr' : '1fr'})`).join(' ');
  return (
    <div className="page history">
      <div className="page-head">
        <h1>History</h1>
        <span className="muted" data-testid="history-count">
          {loading ? 'Loading and verifying history…' : `${filtered.length.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} transactions`}
        </span>
      </div>
      <div className="filters" role="search">
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Currency
          <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
            <option value="">All</option>
            {SUPPORTED_CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select value={direction} onChange={(e) => setDirection(e.target.value)}>
            <option value="">All</option>
            <option value="in">Received</option>
            <option value="out">Sent</option>
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="complete">Complete</option>
            <option value="pending">Pending</option>
            <option value="failed">Failed</option>
          </select>
        </label>
        <label className="grow">
          Search
          <input type="search" placeholder="Counterparty, reference, #txid or amount" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      <div className="vtable" role="table" aria-rowcount={tableRows.length} data-testid="history-table">
        <div className="vthead" role="rowgroup">
          {table.getHeaderGroups().map((hg) => (
            <div key={hg.id} className="vtr head" role="row" style={{ gridTemplateColumns: template }}>
              {hg.headers.map((h) => (
                <div key={h.id} role="columnheader" className={`vth ${h.column.id === 'signedAmount' ? 'num' : ''}`} aria-sort={h.column.getIsSorted() === 'asc' ? 'ascending' : h.column.getIsSorted() === 'desc' ? 'descending' : 'none'}>
                  {h.column.getCanSort() ? (
                    <button className="sort" onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span className="sort-mark">{h.column.getIsSorted() === 'asc' ? '▲' : h.column.getIsSorted() === 'desc' ? '▼' : ''}</span>
                    </button>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                </div>
              ))}
            </div>
          ))}
        </div>
        <div className="vbody" ref={scroller} onScroll={onScroll} role="rowgroup" tabIndex={0} aria-label="Transactions">
          {tableRows.length === 0 && <div className="empty">{loading ? 'Replaying your history from the server; every message’s signature is checked…' : rows.length === 0 ? 'No transactions yet.' : 'No transactions match these filters.'}</div>}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((v) => {
              const row = tableRows[v.index];
              return (
                <div key={row.id} className={`vtr ${row.original.direction}`} role="row" data-txid={row.original.txid} style={{ gridTemplateColumns: template, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}>
                  {row.getVisibleCells().map((cell) => (
                    <div key={cell.id} role="cell" className={`vtd ${cell.column.id === 'signedAmount' ? 'num' : ''}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
