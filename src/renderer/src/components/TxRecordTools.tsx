// What a finance user does with one transaction or with what History shows: a note and labels of their
// own (kept on this computer, never signed), a one-page PDF receipt, and "export these" — a statement
// of exactly the rows on screen, in any format.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatementFormat, TxQuery, TxRow } from '../../../shared/app-api';
import { treasury, errorOf } from '../treasury';

export function TxNoteEditor({ row }: { row: TxRow }) {
  const { t } = useTranslation();
  const [note, setNote] = useState(row.note ?? '');
  const [labels, setLabels] = useState((row.labels ?? []).map((l) => `#${l}`).join(' '));
  const [state, setState] = useState<{ kind: 'saved' | 'error'; text: string } | null>(null);
  const save = async () => {
    setState(null);
    try {
      await treasury.setTransactionNote(row.txid, { note, labels: labels.split(/[\s,]+/).filter(Boolean) });
      setState({ kind: 'saved', text: t('records.noteSaved') });
    } catch (e) {
      setState({ kind: 'error', text: errorOf(e).message });
    }
  };
  return (
    <form
      className="note-editor"
      data-testid="note-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        {t('records.note')} <span className="muted small">{t('records.noteHint')}</span>
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={500} aria-describedby="note-result" />
      </label>
      <label>
        {t('records.labels')}
        <input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="#invoice #q4" aria-describedby="note-result" />
      </label>
      <div className="actions">
        <button className="ghost">{t('records.saveNote')}</button>
        <span id="note-result" role={state?.kind === 'error' ? 'alert' : 'status'} className={state?.kind === 'error' ? 'field-error' : 'muted small'}>
          {state?.text}
        </span>
      </div>
    </form>
  );
}

export function ReceiptButton({ txid }: { txid: number }) {
  const { t } = useTranslation();
  const [result, setResult] = useState<string | null>(null);
  const save = async () => {
    try {
      const r = await treasury.exportReceipt(txid);
      setResult(r.saved ? t(r.verified ? 'records.receiptSaved' : 'records.receiptSavedUnverified', { path: r.path }) : null);
    } catch (e) {
      setResult(errorOf(e).message);
    }
  };
  return (
    <div className="receipt">
      <button className="ghost" onClick={() => void save()} data-testid="save-receipt">
        {t('records.saveReceipt')}
      </button>
      <span role="status" className="muted small break">
        {result}
      </span>
    </div>
  );
}

/** A statement of exactly the rows History shows: their ids are asked of the core's index at export time. */
export function ExportThese({ count, query }: { count: number; query: TxQuery }) {
  const { t } = useTranslation();
  const [format, setFormat] = useState<StatementFormat>('csv');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async () => {
    setResult(null);
    try {
      const txids = await treasury.queryTransactionIds(query);
      const r = await treasury.exportStatement({ format, txids });
      if (r.saved) setResult({ ok: true, text: t('records.exported', { count: r.rows, path: r.path }) });
    } catch (e) {
      setResult({ ok: false, text: errorOf(e).message });
    }
  };
  return (
    <div className="export-these" data-testid="export-these">
      <label className="inline">
        <span className="visually-hidden">{t('records.format')}</span>
        <select value={format} onChange={(e) => setFormat(e.target.value as StatementFormat)} aria-label={t('records.format')}>
          <option value="csv">CSV</option>
          <option value="camt053">camt.053</option>
          <option value="pdf">PDF</option>
        </select>
      </label>
      <button className="ghost" disabled={count === 0} onClick={() => void run()}>
        {t('records.exportThese', { count })}
      </button>
      <span role={result && !result.ok ? 'alert' : 'status'} className={result && !result.ok ? 'field-error' : 'muted small break'}>
        {result?.text}
      </span>
    </div>
  );
}
