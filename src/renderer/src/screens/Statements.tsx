import { useState } from 'react';
import type { AppSnapshot, StatementResult, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES, type CurrencyCode } from '../../../shared/currencies';
import { treasury, errorOf } from '../treasury';
import { localZone } from '../format';

export function StatementsScreen({ snap, rows }: { snap: AppSnapshot; rows: TxRow[] }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState<string>(snap.account?.currency ?? '');
  const [status, setStatus] = useState<'all' | 'complete' | 'pending' | 'failed'>('all');
  const [result, setResult] = useState<StatementResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const used = [...new Set(rows.map((r) => r.currency))];

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await treasury.exportStatement({
          from: from ? new Date(`${from}T00:00:00`).getTime() : undefined,
          to: to ? new Date(`${to}T00:00:00`).getTime() + 86_400_000 : undefined,
          currency: (currency || undefined) as CurrencyCode | undefined,
          status,
        }),
      );
    } catch (e) {
      setError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <h1>Export statement</h1>
      <p className="lead">A CSV statement for your books: UTF-8, one row per transaction, dates in UTC with your local time ({localZone()}), signed amount plus debit and credit, and a running balance per currency.</p>
      <div className="form card" data-testid="statement-form">
        <div className="grid2">
          <label>
            From
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To (inclusive)
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <label>
            Currency
            <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
              <option value="">All currencies</option>
              {SUPPORTED_CURRENCIES.filter((c) => used.includes(c) || c === snap.account?.currency).map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="all">All</option>
              <option value="complete">Complete</option>
              <option value="pending">Pending</option>
              <option value="failed">Failed</option>
            </select>
          </label>
        </div>
        {from && to && from > to && <div className="field-error">The start date is after the end date.</div>}
        {error && <div className="banner danger">{error}</div>}
        {result?.saved && (
          <div className="banner success" data-testid="statement-result">
            Saved {result.rows.toLocaleString('en-US')} row{result.rows === 1 ? '' : 's'} to <code>{result.path}</code>
          </div>
        )}
        {result && !result.saved && <div className="banner info">Export cancelled.</div>}
        <div className="actions">
          <button className="primary" onClick={() => void run()} disabled={busy || (!!from && !!to && from > to)} data-testid="export">
            {busy ? 'Exporting…' : 'Export CSV…'}
          </button>
        </div>
      </div>
    </div>
  );
}
