// History's table columns: wide tables give one fact per column (the sign of the amount says sent or
// received); narrow ones fold two facts per cell rather than clip either.
import { useState } from 'react';
import type { TFunction } from 'i18next';
import type { TxRow, TxSortKey } from '../../../shared/app-api';
import { formatIban } from '../../../shared/iban';
import { Amount } from '../components/Amount';
import { formatDateTime, shortId } from '../format';

export interface Column {
  id: string;
  header: string;
  sort?: TxSortKey;
  width: string;
  num?: boolean;
  cell: (r: TxRow) => React.ReactNode;
}

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

function CopyTxid({ txid, t }: { txid: number; t: TFunction }) {
  const [done, setDone] = useState(false);
  return (
    <button
      className="txid"
      title={t('history.copyTxid')}
      onClick={(e) => {
        e.stopPropagation();
        void copy(String(txid)).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1200);
        });
      }}
    >
      {done ? t('history.copied') : `#${txid}`}
    </button>
  );
}

function Counterparty({ r }: { r: TxRow }) {
  return <span className="cp">{r.counterpartyKind === 'iban' ? formatIban(r.counterparty) : shortId(r.counterparty, 12, 8)}</span>;
}

export function StatusBadge({ r, t }: { r: TxRow; t: TFunction }) {
  return (
    <span className={`badge ${r.status}`} title={r.message}>
      {t(`status.${r.status}`)}
    </span>
  );
}

/** The columns for a wide or a narrow table, in the current language. */
export function historyColumns(wide: boolean, t: TFunction): Column[] {
  const status = (r: TxRow) => <StatusBadge r={r} t={t} />;
  const verified = () => (
    <span className="verified-mark" title={t('history.verifiedTitle')} aria-label={t('history.verifiedAria')}>
      ✓
    </span>
  );
  const amount = (r: TxRow) => <Amount value={r.signedAmount} currency={r.currency} signed />;
  const reference = (r: TxRow) => (
    <span className="ref" title={r.reference}>
      {r.reference ?? ''}
    </span>
  );
  if (wide) {
    // German status words are longer ("fehlgeschlagen") and its dates shorter ("26.11.2026, 16:33"): the status
    // column takes the width from the date's, the total stays the same.
    const long = t('status.failed').length > 10 || t('status.complete').length > 10;
    return [
      { id: 'date', header: t('history.col.date'), sort: 'timestamp', width: long ? '152px' : '176px', cell: (r) => formatDateTime(r.timestamp) },
      { id: 'txid', header: t('history.col.txid'), sort: 'txid', width: '90px', cell: (r) => <CopyTxid txid={r.txid} t={t} /> },
      { id: 'counterparty', header: t('history.col.counterparty'), width: 'minmax(292px, 1.1fr)', cell: (r) => <Counterparty r={r} /> },
      { id: 'reference', header: t('history.col.reference'), width: long ? 'minmax(128px, 1fr)' : 'minmax(150px, 1fr)', cell: reference },
      { id: 'amount', header: t('history.col.amount'), sort: 'signedAmount', width: '176px', num: true, cell: amount },
      { id: 'status', header: t('history.col.status'), sort: 'status', width: long ? '146px' : '100px', cell: status },
      { id: 'verified', header: t('history.col.verified'), width: '40px', cell: verified },
    ];
  }
  return [
    {
      id: 'date',
      header: t('history.col.dateTxid'),
      sort: 'timestamp',
      width: '176px',
      cell: (r) => (
        <span className="two-line">
          <span>{formatDateTime(r.timestamp)}</span>
          <span className="muted small">
            #{r.txid} · {r.direction === 'in' ? t('history.receivedWord') : t('history.sentWord')}
          </span>
        </span>
      ),
    },
    {
      id: 'counterparty',
      header: t('history.col.counterpartyReference'),
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
      header: t('history.col.amountStatus'),
      sort: 'signedAmount',
      width: '184px',
      num: true,
      cell: (r) => (
        <span className="two-line end">
          {amount(r)}
          <span>{status(r)}</span>
        </span>
      ),
    },
    { id: 'verified', header: t('history.col.verified'), width: '32px', cell: verified },
  ];
}
