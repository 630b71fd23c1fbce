// Export a statement: the period, currency and status, and the format — CSV for spreadsheets and
// accounting imports, ISO 20022 camt.053 for ERPs and treasury systems, PDF to file and sign off.
// Every format is saved with its .signatures.jsonl, which an auditor checks with ccc-verify-statement.
import { useState } from 'react';
import type { AppSnapshot, StatementFormat, StatementResult, TxRow } from '../../../shared/app-api';
import { SUPPORTED_CURRENCIES, type CurrencyCode } from '../../../shared/currencies';
import { treasury, errorOf } from '../treasury';
import { formatCount, localZone } from '../format';
import { useFocusOn } from '../focus';
import { useTranslation } from 'react-i18next';
import { localDayRange } from '../../../shared/date-range';

const FORMATS: { id: StatementFormat; title: string; ext: string; what: 'csvWhat' | 'camtWhat' | 'pdfWhat' }[] = [
  { id: 'csv', title: 'CSV', ext: '.csv', what: 'csvWhat' },
  { id: 'camt053', title: 'ISO 20022 camt.053', ext: '.xml', what: 'camtWhat' },
  { id: 'pdf', title: 'PDF', ext: '.pdf', what: 'pdfWhat' },
];

export function StatementsScreen({ snap, currencies }: { snap: AppSnapshot; currencies: readonly string[] }) {
  const [format, setFormat] = useState<StatementFormat>('csv');
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [currency, setCurrency] = useState<string>(snap.account?.currency ?? '');
  const [status, setStatus] = useState<'all' | 'complete' | 'pending' | 'failed'>('all');
  const [result, setResult] = useState<StatementResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const used: readonly string[] = currencies;
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
          // Local calendar days; the last one ends at the next local midnight (23 or 25 hours on DST days).
          ...localDayRange(from, to),
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
      <h1>{t('statements.title')}</h1>
      <p className="lead">
        {t('statements.lead')}
        {format === 'csv' ? <> {t('statements.leadLocal', { zone: localZone() })}</> : null}.
      </p>
      <div className="form card" data-testid="statement-form">
        <div className="format-choice" role="radiogroup" aria-label={t('statements.format')} data-testid="statement-format">
          {FORMATS.map((f) => (
            <label key={f.id} className={f.id === format ? 'on' : ''}>
              <input type="radio" name="format" value={f.id} checked={f.id === format} onChange={() => setFormat(f.id)} />
              <span className="format-title">
                {f.title} <span className="muted">{f.ext}</span>
              </span>
              <span className="format-what">{t(`statements.${f.what}`)}</span>
            </label>
          ))}
        </div>
        <div className="grid2">
          <label>
            {t('statements.from')}
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            {t('statements.to')}
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <label>
            {t('statements.currency')}
            <select value={currency} onChange={(e) => setCurrency(e.target.value)}>
              <option value="">{t('statements.allCurrencies')}</option>
              {SUPPORTED_CURRENCIES.filter((c) => used.includes(c) || c === snap.account?.currency).map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            {t('statements.status')}
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="all">{t('statements.all')}</option>
              <option value="complete">{t('statements.complete')}</option>
              <option value="pending">{t('statements.pending')}</option>
              <option value="failed">{t('statements.failed')}</option>
            </select>
          </label>
        </div>
        {status !== 'all' && <div className="field-hint">{t('statements.onlyStatus', { status: t(`status.${status}`) })}</div>}
        {from && to && from > to && <div className="field-error">{t('statements.badRange')}</div>}
        {error && (
          <div className="banner danger" role="alert" ref={errorRef}>
            {error}
          </div>
        )}
        {result?.saved && (
          <div className="banner success" data-testid="statement-result" role="status" ref={resultRef}>
            <div>
              {t(result.rows === 1 ? 'statements.savedOne' : 'statements.savedMany', { n: formatCount(result.rows) })} <code>{result.path}</code>
            </div>
            <div className="statement-proof">
              {t('statements.proof', { file: result.signaturesPath })}
              <samp className="statement-command" data-testid="verify-command">
                npx ccc-verify-statement {result.path.split(/[\\/]/).pop()} --key {result.backOfficeKey}
              </samp>
            </div>
          </div>
        )}
        {result && !result.saved && (
          <div className="banner info" role="status" ref={resultRef}>
            {t('statements.cancelled')}
          </div>
        )}
        <div className="actions">
          <button className="primary" onClick={() => void run()} disabled={busy || (!!from && !!to && from > to)} data-testid="export">
            {busy ? t('statements.exporting') : t('statements.export', { format: chosen.title })}
          </button>
        </div>
      </div>
    </div>
  );
}
