// Step 2 of the Transfer wizard: the user compares what they typed with what their Ledger will show,
// then goes back to edit or asks the core to have the transfer confirmed on the device.
import type { AppSnapshot, TrackedTransfer, TransferReview } from '../../../../shared/app-api';
import { treasury } from '../../treasury';
import { useFocusOn } from '../../focus';
import { ActionError, TransferSummary } from './TransferSummary';
import { useCoreAction } from './use-transfer-wizard';
import { L } from './words';

export function ReviewStep({ snap, t, review, online }: { snap: AppSnapshot; t: TrackedTransfer; review: TransferReview; online: boolean }) {
  const { error, act } = useCoreAction();
  const heading = useFocusOn<HTMLHeadingElement>(t.phase);
  return (
    <TransferSummary snap={snap} review={review} phase={t.phase} heading={L('transfer.willShow')} headingRef={heading}>
      <ActionError error={error} />
      {!online && (
        <div className="banner warn" role="status">
          {L('errors.OFFLINE')}
        </div>
      )}
      <div className="actions">
        <button className="ghost" onClick={() => void act(treasury.cancelTransfer(review.requestId))}>
          {L('transfer.back')}
        </button>
        <button className="primary" disabled={!online} onClick={() => void act(treasury.confirmTransfer(review.requestId))} data-testid="confirm-on-ledger">
          {L('transfer.confirm')}
        </button>
      </div>
    </TransferSummary>
  );
}
