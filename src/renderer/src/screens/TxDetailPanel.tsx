// One transaction's detail: every field, its signed message and the key it was verified against,
// the receipt and the user's note. Reloaded when the row changes state (a payout settling).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TxDetail } from '../../../shared/app-api';
import { formatIban } from '../../../shared/iban';
import { Amount } from '../components/Amount';
import { ReceiptButton, TxNoteEditor } from '../components/TxRecordTools';
import { formatDateTime } from '../format';
import { errorOf, treasury } from '../treasury';
import { StatusBadge } from './HistoryColumns';

export function TxDetailPanel({ txid, tick, onClose }: { txid: number; /** bumped when the history changed */ tick: number; onClose: () => void }) {
  const { t } = useTranslation();
  const [detail, setDetail] = useState<TxDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void treasury.getTransactionDetail(txid).then(
      (d) => setDetail((prev) => (prev && prev.tx.status === d.tx.status && prev.tx.note === d.tx.note && prev.tx.labels?.join() === d.tx.labels?.join() ? prev : d)),
      (e) => setError(errorOf(e).message),
    );
  }, [txid, tick]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const tx = detail?.tx;
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <div className="drawer card" role="dialog" aria-modal="true" aria-label={t('history.detail.title', { txid })} data-testid="tx-detail" onClick={(e) => e.stopPropagation()}>
        <div className="card-head">
          <h2>{t('history.detail.title', { txid })}</h2>
          <button className="ghost" onClick={onClose} aria-label={t('history.detail.close')}>
            {t('history.detail.close')}
          </button>
        </div>
        {error && <div className="banner danger">{error}</div>}
        {tx && detail && (
          <>
            <dl className="summary detail">
              <dt>{t('history.detail.date')}</dt>
              <dd>
                {formatDateTime(tx.timestamp)} <span className="muted small">({new Date(tx.timestamp).toISOString()})</span>
              </dd>
              <dt>{t('history.detail.direction')}</dt>
              <dd>{tx.direction === 'in' ? t('history.detail.received') : t('history.detail.sent')}</dd>
              <dt>{tx.direction === 'in' ? t('history.detail.from') : t('history.detail.to')}</dt>
              <dd>
                <code className="break">{tx.counterpartyKind === 'iban' ? formatIban(tx.counterparty) : tx.counterparty}</code>
                <div className="muted small">{tx.counterpartyKind === 'iban' ? t('history.detail.iban') : t('history.detail.cccAccount')}</div>
              </dd>
              <dt>{t('history.detail.amount')}</dt>
              <dd className="big">
                <Amount value={tx.signedAmount} currency={tx.currency} signed />
              </dd>
              <dt>{t('history.detail.status')}</dt>
              <dd>
                <StatusBadge r={tx} t={t} /> {tx.message && <span className="small">{tx.message}</span>}
              </dd>
              <dt>{t('history.detail.reference')}</dt>
              <dd>{tx.reference ?? <span className="muted">{t('history.detail.none')}</span>}</dd>
              <dt>{t('history.detail.signature')}</dt>
              <dd>
                <span className="verified">{t('history.detail.verified')}</span> {t('history.detail.against')} <code className="break">{detail.verifiedBy}</code>
              </dd>
            </dl>
            <h3 className="small muted">{t('history.detail.signedMessage')}</h3>
            <pre className="raw" data-testid="tx-signed-data">
              {detail.signedData}
            </pre>
            <h3 className="small muted">{t('history.detail.signatureBase64')}</h3>
            <pre className="raw">{detail.signature}</pre>
            <ReceiptButton txid={tx.txid} />
            <TxNoteEditor key={tx.txid} row={tx} />
          </>
        )}
      </div>
    </div>
  );
}
