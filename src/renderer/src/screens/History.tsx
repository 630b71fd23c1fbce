// The history: filters, search that matches what is on screen, sorting, a virtualised table that
// fits from a 1024-px window to 2560 px (narrow widths fold the txid under the date and the
// reference under the counterparty rather than clipping anything), and a detail panel per row.
import { useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AppSnapshot, TxDetail, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES } from '../../../shared/currencies';
import { formatIban } from '../../../shared/iban';
import { Amount } from '../components/Amount';
import { formatDateTime, shortId, formatCount } from '../format';
import { matchesText, normaliseQuery, sortRows, type SortKey } from '../history-index';
import { treasury, errorOf } from '../treasury';
import { ExportThese, ReceiptButton, TxNoteEditor } from '../components/TxRecordTools';
import { localDayRange } from '../../../shared/date-range';

const ROW_HEIGHT = 50;
/** Below this table width the narrow layout is used. */
const WIDE_MIN = 1040;

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
      onClick={(e) => {
        e.stopPropagation();
        void copy(String(txid)).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1200);
        });
      }}
    >
      {done ? 'Copied' : `#${txid}`}
    </button>
  );
}

function Counterparty({ r }: { r: TxRow }) {
  return <span className="cp">{r.counterpartyKind === 'iban' ? formatIban(r.counterparty) : shortId(r.counterparty, 12, 8)}</span>;
}

interface Column {
  id: string;
  header: string;
  sort?: SortKey;
  width: string;
  num?: boolean;
  cell: (r: TxRow) => React.ReactNode;
}

const STATUS_WORD = { complete: 'complete', pending: 'pending', failed: 'failed' } as const;
const statusCell = (r: TxRow) => (
  <span className={`badge ${r.status}`} title={r.message}>
    {STATUS_WORD[r.status]}
  </span>
);
const verifiedCell = () => (
  <span className="verified-mark" title="The back office’s signature over this transaction verified" aria-label="signature verified">
    ✓
  </span>
);
const amountCell = (r: TxRow) => <Amount value={r.signedAmount} currency={r.currency} signed />;

const refCell = (r: TxRow) => (
  <span className="ref" title={r.reference}>
    {r.reference ?? ''}
  </span>
);

/** Wide tables: one fact per column (the sign of the amount says sent or received). */
const WIDE: Column[] = [
  { id: 'date', header: 'Date', sort: 'timestamp', width: '176px', cell: (r) => formatDateTime(r.timestamp) },
  { id: 'txid', header: 'Txid', sort: 'txid', width: '90px', cell: (r) => <CopyTxid txid={r.txid} /> },
  { id: 'counterparty', header: 'Counterparty', width: 'minmax(292px, 1.1fr)', cell: (r) => <Counterparty r={r} /> },
  { id: 'reference', header: 'Reference', width: 'minmax(150px, 1fr)', cell: refCell },
  { id: 'amount', header: 'Amount', sort: 'signedAmount', width: '176px', num: true, cell: amountCell },
  { id: 'status', header: 'Status', sort: 'status', width: '100px', cell: statusCell },
  { id: 'verified', header: '✓', width: '40px', cell: verifiedCell },
];

/** Narrow tables fold two facts per cell rather than clip either. */
const NARROW: Column[] = [
  {
    id: 'date',
    header: 'Date · txid',
    sort: 'timestamp',
    width: '176px',
    cell: (r) => (
      <span className="two-line">
        <span>{formatDateTime(r.timestamp)}</span>
        <span className="muted small">
          #{r.txid} · {r.direction === 'in' ? 'received' : 'sent'}
        </span>
      </span>
    ),
  },
  {
    id: 'counterparty',
    header: 'Counterparty · reference',
    width: 'minmax(292px, 1fr)',
    cell: (r) => (
      <span className="two-line">
        <Counterparty r={r} />
        <span className="muted small ref" title={r.reference}>
          {r.reference ?? ' '}
        </span>
      </span>
    ),
  },
  {
    id: 'amount',
    header: 'Amount · status',
    sort: 'signedAmount',
    width: '184px',
    num: true,
    cell: (r) => (
      <span className="two-line end">
        {amountCell(r)}
        <span>{statusCell(r)}</span>
      </span>
    ),
  },
  { id: 'verified', header: '✓', width: '32px', cell: verifiedCell },
];

export function HistoryScreen({ rows, loading = false, check = null }: { rows: TxRow[]; loading?: boolean; check?: AppSnapshot['historyCheck'] }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState('');
  const [direction, setDirection] = useState('');
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'timestamp', desc: true });
  const [detail, setDetail] = useState<number | null>(null);
  // Typing stays responsive on a big history: the list follows the box a moment later.
  const query = useDeferredValue(normaliseQuery(text));

  // Sort the whole history once per order (a click), then each keystroke only filters it (order is kept).
  const ordered = useMemo(() => sortRows(rows, sort.key, sort.desc), [rows, sort]);
  const sorted = useMemo(() => {
    // Local calendar days, 23 or 25 hours long on the days clocks change (shared/date-range.ts).
    const range = localDayRange(from, to);
    const fromMs = range.from ?? null;
    const toMs = range.to ?? null;
    return ordered.filter(
      (r) =>
        (fromMs === null || r.timestamp >= fromMs) &&
        (toMs === null || r.timestamp < toMs) &&
        (!currency || r.currency === currency) &&
        (!direction || r.direction === direction) &&
        (!status || r.status === status) &&
        matchesText(r, query),
    );
  }, [ordered, from, to, currency, direction, status, query]);

  // The layout follows the table's own width (the window minus the sidebar).
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
  const columns = wide ? WIDE : NARROW;
  const template = columns.map((c) => c.width).join(' ');

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: sorted.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  // Keep the row the user is looking at in place when live rows arrive above it.
  const anchor = useRef<{ txid: number; offset: number } | null>(null);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const index = Math.floor(el.scrollTop / ROW_HEIGHT);
    const row = sorted[index];
    anchor.current = el.scrollTop > 0 && row ? { txid: row.txid, offset: el.scrollTop - index * ROW_HEIGHT } : null;
  };
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a) return;
    const index = sorted.findIndex((r) => r.txid === a.txid);
    if (index >= 0) el.scrollTop = index * ROW_HEIGHT + a.offset;
  }, [sorted]);

  const toggleSort = (key: SortKey) => setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: key === 'timestamp' || key === 'txid' }));

  return (
    <div className="page history">
      <div className="page-head">
        <h1>History</h1>
        <span className="muted" data-testid="history-count">
          {loading
            ? 'Loading and verifying history…'
            : check?.source === 'cache'
              ? `Newest ${formatCount(rows.length)} shown · checking your saved history (${formatCount(check.checked)} of ${formatCount(check.total)} verified)…`
              : check
                ? `Newest ${formatCount(rows.length)} shown · loading and verifying the rest of your history (${formatCount(check.checked)} so far)…`
              : `${formatCount(sorted.length)} of ${formatCount(rows.length)} transactions`}
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
          <input type="search" placeholder="Counterparty, IBAN, reference, #txid or amount as shown" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      </div>
      {!loading && !check && <ExportThese rows={sorted} />}
      <div className={`vtable ${wide ? 'wide' : 'narrow'}`} role="table" aria-rowcount={sorted.length} data-testid="history-table" ref={table}>
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
          <div className="vbody" ref={scroller} onScroll={onScroll} role="rowgroup" tabIndex={0} aria-label="Transactions">
            {sorted.length === 0 && (
              // A row of its own, so the row group is never empty for assistive technology.
              <div role="row">
                <div role="cell" className="empty">
                  {loading ? 'Loading your history; every message’s signature is checked…' : rows.length === 0 ? 'No transactions yet.' : 'No transactions match these filters.'}
                </div>
              </div>
            )}
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((v) => {
                const row = sorted[v.index];
                return (
                  <div
                    key={row.txid}
                    className={`vtr ${row.direction}`}
                    role="row"
                    data-txid={row.txid}
                    style={{ gridTemplateColumns: template, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                    onClick={() => setDetail(row.txid)}
                    onKeyDown={(e) => e.key === 'Enter' && setDetail(row.txid)}
                    tabIndex={-1}
                    title="Show the details and the signature"
                  >
                    {columns.map((c) => (
                      <div key={c.id} role="cell" className={`vtd ${c.num ? 'num' : ''} col-${c.id}`}>
                        {c.cell(row)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
      {detail !== null && <DetailPanel txid={detail} row={rows.find((r) => r.txid === detail) ?? null} onClose={() => setDetail(null)} />}
    </div>
  );
}

/** Every field of one transaction, its signed message and the key it was verified against. */
function DetailPanel({ txid, row, onClose }: { txid: number; row: TxRow | null; onClose: () => void }) {
  const [detail, setDetail] = useState<TxDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Reload when the row changes state (a payout settling while the panel is open).
  useEffect(() => {
    void treasury.getTransactionDetail(txid).then(setDetail, (e) => setError(errorOf(e).message));
  }, [txid, row?.status]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const t = detail?.tx;
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <div className="drawer card" role="dialog" aria-modal="true" aria-label={`Transaction #${txid}`} data-testid="tx-detail" onClick={(e) => e.stopPropagation()}>
        <div className="card-head">
          <h2>Transaction #{txid}</h2>
          <button className="ghost" onClick={onClose} aria-label="Close">
            Close
          </button>
        </div>
        {error && <div className="banner danger">{error}</div>}
        {t && detail && (
          <>
            <dl className="summary detail">
              <dt>Date</dt>
              <dd>
                {formatDateTime(t.timestamp)} <span className="muted small">({new Date(t.timestamp).toISOString()})</span>
              </dd>
              <dt>Direction</dt>
              <dd>{t.direction === 'in' ? 'Received' : 'Sent'}</dd>
              <dt>{t.direction === 'in' ? 'From' : 'To'}</dt>
              <dd>
                <code className="break">{t.counterpartyKind === 'iban' ? formatIban(t.counterparty) : t.counterparty}</code>
                <div className="muted small">{t.counterpartyKind === 'iban' ? 'Bank account (IBAN)' : 'CCC account'}</div>
              </dd>
              <dt>Amount</dt>
              <dd className="big">
                <Amount value={t.signedAmount} currency={t.currency} signed />
              </dd>
              <dt>Status</dt>
              <dd>
                {statusCell(t)} {t.message && <span className="small">{t.message}</span>}
              </dd>
              <dt>Reference</dt>
              <dd>{t.reference ?? <span className="muted">none</span>}</dd>
              <dt>Signature</dt>
              <dd>
                <span className="verified">✓ verified</span> against the back-office key <code className="break">{detail.verifiedBy}</code>
              </dd>
            </dl>
            <h3 className="small muted">Signed message (exactly as verified)</h3>
            <pre className="raw" data-testid="tx-signed-data">
              {detail.signedData}
            </pre>
            <h3 className="small muted">Signature (base64)</h3>
            <pre className="raw">{detail.signature}</pre>
            <ReceiptButton txid={t.txid} />
            <TxNoteEditor key={t.txid} row={row ?? t} />
          </>
        )}
      </div>
    </div>
  );
}
