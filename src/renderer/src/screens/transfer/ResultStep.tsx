// Step 4 of the Transfer wizard, the result: stopped (rejected on the Ledger, or failed: then discard,
// edit or, when safe, retry) or sent (kept current while an IBAN payout settles).
import type { ApprovalItem, TrackedTransfer, TransferReview, TxRow } from '../../../../shared/app-api';
import { i18next } from '../../i18n';
import { treasury } from '../../treasury';
import { Amount } from '../../components/Amount';
import { useFocusOn } from '../../focus';
import { ActionError } from './TransferSummary';
import { useCoreAction } from './use-transfer-wizard';
import { errorWords } from '../../i18n/core-words';
import { L, friendlyDestination, withFullStop } from './words';

export function StoppedResult({ t, review, online }: { t: TrackedTransfer; review: TransferReview; online: boolean }) {
  const { error, act } = useCoreAction();
  const rejected = t.phase === 'rejected';
  const sendFailed = t.error?.where === 'send';
  const heading = useFocusOn<HTMLHeadingElement>(t.phase);
  return (
    <div className={`card result ${rejected ? 'calm' : 'failed'}`} data-testid="transfer-result" data-status={rejected ? 'rejected' : 'failed'} role="alert">
      <h2 ref={heading}>{rejected ? L('transfer.rejected') : sendFailed ? L('transfer.notMade') : L('transfer.notConfirmed')}</h2>
      <p>{rejected ? L('transfer.rejectedBody') : t.error && errorWords(t.error)}</p>
      <p className="muted small">
        <Amount value={review.amount} currency={review.currency} /> {L('transfer.to').toLowerCase()} {friendlyDestination(review)}
        {t.error && !rejected && <> · {L('transfer.code', { code: t.error.code })}</>}
      </p>
      <ActionError error={error} />
      <div className="actions">
        <button className="ghost" onClick={() => void act(treasury.dismissTransfer())}>
          {L('transfer.discard')}
        </button>
        <button className="ghost" onClick={() => void act(treasury.editTransfer())} data-testid="edit-transfer">
          {L('transfer.edit')}
        </button>
        {t.canRetry && (
          <button className="primary" disabled={!online} onClick={() => void act(treasury.retryTransfer())} data-testid="retry-transfer">
            {sendFailed ? L('transfer.sendAgain') : L('transfer.tryAgain')}
          </button>
        )}
      </div>
    </div>
  );
}

export function SentResult({ tx, review, rows }: { tx: TxRow; review: TransferReview; rows: TxRow[] }) {
  // The row in the list is kept current (a payout settling); the tracker's copy until it arrives.
  const live = rows.find((r) => r.txid === tx.txid) ?? tx;
  const heading = useFocusOn<HTMLHeadingElement>(live.txid);
  return (
    <div className="card result sent" data-testid="transfer-result" data-status={live.status} role="status">
      <h2 ref={heading}>{live.status === 'pending' ? L('transfer.payoutSubmitted') : live.status === 'failed' ? L('transfer.payoutFailed') : L('transfer.sent')}</h2>
      <p>
        <Amount value={review.amount} currency={review.currency} /> {L('transfer.to').toLowerCase()} <code>{friendlyDestination(review)}</code>
      </p>
      <p className="muted small">{L('transfer.txNumber', { txid: live.txid })}</p>
      {live.status === 'pending' && <p className="pending-note">{L('transfer.processing')}</p>}
      {live.status === 'failed' && (
        <p className="banner danger">
          {withFullStop(live.message ?? L('transfer.payoutFailedDefault'))} {L('transfer.returned')}
        </p>
      )}
      {live.status === 'complete' && review.destinationKind === 'iban' && <p className="banner success">{L('transfer.completed')}</p>}
      <div className="actions">
        <button className="primary" onClick={() => void treasury.dismissTransfer()}>
          {L('transfer.newTransfer')}
        </button>
      </div>
    </div>
  );
}

/**
 * A team transfer the server holds for other approvers (docs/team-treasury.md): said honestly — not sent,
 * how many approvals it has of how many, the amount held — and kept current as approvers decide. Its
 * initiator may withdraw it (signed on the Ledger).
 */
export function AwaitingApprovalResult({ approval, review, online }: { approval: ApprovalItem; review: TransferReview; online: boolean }) {
  const { error, act } = useCoreAction();
  const heading = useFocusOn<HTMLHeadingElement>(approval.requestId);
  const waiting = approval.status === 'awaiting';
  return (
    <div className={`card result ${waiting ? 'calm' : 'failed'}`} data-testid="transfer-result" data-status={`approval-${approval.status}`} role="status">
      <h2 ref={heading}>{waiting ? L('transfer.awaitingTitle') : L('transfer.notMade')}</h2>
      <p>
        <Amount value={review.amount} currency={review.currency} /> {L('transfer.to').toLowerCase()} {review.beneficiary && <strong>{review.beneficiary}</strong>} <code>{friendlyDestination(review)}</code>
      </p>
      {waiting ? (
        <>
          <p>{L('transfer.awaitingBody', { count: approval.required })}</p>
          <p className="muted small" data-testid="approvals-so-far">
            {L('transfer.approvalsSoFar', { count: approval.approvals.length, required: approval.required })}
          </p>
        </>
      ) : (
        <p className="banner danger">{L('transfer.awaitingEnded', { status: i18next.t(`team.status.${approval.status}`) })}</p>
      )}
      <ActionError error={error} />
      <div className="actions">
        {waiting && approval.canCancel && (
          <button className="ghost" disabled={!online} onClick={() => void act(treasury.decideApproval({ requestId: approval.requestId, decision: 'cancel' }))} data-testid="cancel-waiting">
            {L('transfer.cancelWaiting')}
          </button>
        )}
        <button className="primary" onClick={() => void treasury.dismissTransfer()}>
          {L('transfer.newTransfer')}
        </button>
      </div>
    </div>
  );
}
