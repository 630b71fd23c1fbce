// The transfer in progress, shown above every screen but the Transfer screen itself, until the user
// dismisses its result: leaving the Transfer screen never hides money in motion.
import type { TrackedTransfer } from '../../../shared/app-api';
import { treasury } from '../treasury';
import { displayAmount } from '../format';
import { formatIban } from '../../../shared/iban';
import { useTranslation } from 'react-i18next';

export function TransferBar({ transfer, onOpen }: { transfer: TrackedTransfer | null; onOpen: () => void }) {
  const { t } = useTranslation();
  // A draft without a review is only fields being typed: not worth a bar.
  if (!transfer || !transfer.review || transfer.phase === 'draft') return null;
  const r = transfer.review;
  const status = transfer.phase === 'sent' && transfer.tx?.status === 'pending' ? t('bar.payoutPending') : transfer.phase === 'sent' && transfer.tx?.status === 'failed' ? t('bar.payoutFailed') : t(`bar.${transfer.phase}`);
  const tone = transfer.phase === 'awaiting-approval' ? 'calm' : transfer.phase === 'failed' || (transfer.phase === 'sent' && transfer.tx?.status === 'failed') ? 'danger' : transfer.phase === 'sent' ? 'success' : transfer.phase === 'rejected' ? 'calm' : 'progress';
  return (
    <div className={`transfer-bar ${tone}`} role="status" data-testid="transfer-bar" data-phase={transfer.phase}>
      <span className="tb-what">
        {displayAmount(r.amount)} {r.currency} {t('transfer.to').toLowerCase()} {r.destinationKind === 'iban' ? formatIban(r.destination) : r.destination}
      </span>
      <span className="tb-status">{status}</span>
      <span className="tb-actions">
        <button className="link" onClick={onOpen}>
          {t('bar.open')}
        </button>
        {(transfer.phase === 'sent' || transfer.phase === 'rejected' || transfer.phase === 'failed' || transfer.phase === 'awaiting-approval') && (
          <button className="link" onClick={() => void treasury.dismissTransfer().catch(() => undefined)}>
            {t('bar.dismiss')}
          </button>
        )}
      </span>
    </div>
  );
}
