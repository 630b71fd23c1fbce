// Export a statement: the period, currency and status, and the format — CSV for spreadsheets and
// accounting imports, ISO 20022 camt.053 for ERPs and treasury systems, PDF to file and sign off.
// Every format is saved with its .signatures.jsonl, which an auditor checks with ccc-verify-statement.
import { useState } from 'react';
import type { AppSnapshot, StatementFormat, StatementResult, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES, type CurrencyCode } from '../../../shared/currencies';
import { treasury, errorOf } from '../treasury';
import { formatCount, localZone } from '../format';
import { useFocusOn } from '../focus';

const FORMATS: { id: StatementFormat; title: string; ext: string; what: string }[] = [
  { id: 'csv', title: 'CSV', ext: '.csv', what: 'Spreadsheets and accounting imports. A header with the balances, then one row per transaction with a running balance.' },
  { id: 'camt053', title: 'ISO 20022 camt.053', ext: '.xml', what: 'BankToCustomerStatement 001.08 for ERPs and treasury systems. Booked and pending entries, booked and available balances.' },
  { id: 'pdf', title: 'PDF', ext: '.pdf', what: 'A statement to file and sign off: balances per currency, entries grouped by currency, numbered pages.' },
];

export function StatementsScreen({ snap, rows }: { snap: AppSnapshot; rows: TxRow[] }) {
  const [format, setFormat] = useState<StatementFormat>('csv');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState<string>(snap.account?.currency ?? '');
  const [status, setStatus] = useState<'all' | 'complete' | 'pending' | 'failed'>('all');
  const [result, setResult] = useState<StatementResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const used = [...new Set(rows.map((r) => r.currency))];
  const chosen = FORMATS.find((f) => f.id === format)!;
  // After an export the result (or the error) takes focus: the Export button was disabled meanwhile.
  const resultRef = useFocusOn<HTMLDivElement>(result, false);
  const errorRef = useFocusOn<HTMLDivElement>(error, false);

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await treasury.exportStatement({
          format,
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
      <p className="lead">
        Opening balance + entries = closing balance in every currency, to the cent: complete transfers are booked, pending payouts are held, failed payouts never moved money. Dates are in UTC
        {format === 'csv' ? <> with your local time ({localZone()})</> : null}.
      </p>
      <div className="form card" data-testid="statement-form">
        <div className="format-choice" role="radiogroup" aria-label="Format" data-testid="statement-format">
          {FORMATS.map((f) => (
            <label key={f.id} className={f.id === format ? 'on' : ''}>
              <input type="radio" name="format" value={f.id} checked={f.id === format} onChange={() => setFormat(f.id)} />
              <span className="format-title">
                {f.title} <span className="muted">{f.ext}</span>
              </span>
              <span className="format-what">{f.what}</span>
            </label>
          ))}
        </div>
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
        {status !== 'all' && <div className="field-hint">Only {status} entries will be listed: the balances stay the account's, so the listed entries will not add up to them.</div>}
        {from && to && from > to && <div className="field-error">The start date is after the end date.</div>}
        {error && (
          <div className="banner danger" role="alert" ref={errorRef}>
            {error}
          </div>
        )}
        {result?.saved && (
          <div className="banner success" data-testid="statement-result" role="status" ref={resultRef}>
            <div>
              Saved {formatCount(result.rows)} entr{result.rows === 1 ? 'y' : 'ies'} to <code>{result.path}</code>
            </div>
            <div className="statement-proof">
              With the back office's signatures in <samp>{result.signaturesPath}</samp>. Anyone can check the statement without trusting this app:
              <samp className="statement-command" data-testid="verify-command">
                npx ccc-verify-statement {result.path.split(/[\\/]/).pop()} --key {result.backOfficeKey}
              </samp>
            </div>
          </div>
        )}
        {result && !result.saved && (
          <div className="banner info" role="status" ref={resultRef}>
            Export cancelled.
          </div>
        )}
        <div className="actions">
          <button className="primary" onClick={() => void run()} disabled={busy || (!!from && !!to && from > to)} data-testid="export">
            {busy ? 'Exporting…' : `Export ${chosen.title}…`}
          </button>
        </div>
      </div>
    </div>
  );
}
