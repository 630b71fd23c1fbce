// Step 3 of the Transfer wizard: the Ledger shows the transfer and waits for the user's approval (which
// can be cancelled from here); once approved, the core sends it — once, even across a lost connection.
import type { AppSnapshot, TrackedTransfer, TransferReview } from '../../../../shared/app-api';
import { treasury } from '../../treasury';
import { useFocusOn } from '../../focus';
import { ActionError, TransferSummary } from './TransferSummary';
import { useCoreAction } from './use-transfer-wizard';
import { L } from './words';

export function ConfirmStep({ snap, t, review, online }: { snap: AppSnapshot; t: TrackedTransfer; review: TransferReview; online: boolean }) {
  const { error, act } = useCoreAction();
  const waiting = t.phase === 'awaiting-device';
  const heading = useFocusOn<HTMLHeadingElement>(t.phase);
  return (
    <TransferSummary snap={snap} review={review} phase={t.phase} heading={waiting ? L('transfer.approve') : L('transfer.approved')} headingRef={heading} waiting={waiting}>
      <ActionError error={error} />
      {!online && waiting && (
        <div className="banner warn" role="status">
          {L('errors.OFFLINE')}
        </div>
      )}
      {waiting ? (
        <div className="actions spread">
          <p className="waiting-note" role="status">
            {L('transfer.waiting')}
          </p>
          <button className="ghost" onClick={() => void act(treasury.cancelTransfer(review.requestId))} data-testid="cancel-on-ledger">
            {L('transfer.cancel')}
          </button>
        </div>
      ) : (
        <p className="waiting-note" role="status" data-testid="sending">
          {online ? L('transfer.sending') : L('transfer.sendingOffline')}
        </p>
      )}
    </TransferSummary>
  );
}
