// What the Review and Confirm-on-device steps both show: the friendly form beside the exact form the
// Ledger shows (so the correspondence is obvious), and a drawing of the device's screens.
import type { ReactNode, RefObject } from 'react';
import type { AppSnapshot, TransferReview } from '../../../../shared/app-api';
import { DeviceScreens } from '../../components/DeviceScreens';
import { displayAmount } from '../../format';
import { L, friendlyDestination } from './words';

function Comparison({ review }: { review: TransferReview }) {
  return (
    <table className="compare" data-testid="transfer-compare">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">{L('transfer.field')}</span>
          </th>
          <th scope="col">{L('transfer.asYouRead')}</th>
          <th scope="col">{L('transfer.asLedger')}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{L('transfer.amount')}</th>
          <td className="num">
            {displayAmount(review.amount)} {review.currency}
          </td>
          <td className="num">
            <code>
              {review.amount} {review.currency}
            </code>
          </td>
        </tr>
        <tr>
          <th scope="row">{L('transfer.to')}</th>
          <td>
            {review.beneficiary && (
              <div data-testid="review-beneficiary">
                <span className="muted small">{L('transfer.inBook')}</span> <strong>{review.beneficiary}</strong>
              </div>
            )}
            {/* An IBAN keeps its groups of four on one line; an address (no spaces) may break anywhere. */}
            <span className={review.destinationKind === 'iban' ? 'nowrap-groups' : 'break-anywhere'}>{friendlyDestination(review)}</span>
            <div className="muted small">{review.destinationKind === 'iban' ? L('transfer.ibanKind') : L('transfer.cccKind')}</div>
          </td>
          <td>
            <code className="break">{review.destination}</code>
          </td>
        </tr>
        {review.reference && (
          <tr>
            <th scope="row">{L('transfer.referenceRow')}</th>
            <td>{review.reference}</td>
            <td className="muted small">{L('transfer.bothStatements')}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** The review card: comparison, the device's screens under `heading`, then the step's own notes and buttons. */
export function TransferSummary(props: { snap: AppSnapshot; review: TransferReview; phase: string; heading: string; headingRef: RefObject<HTMLHeadingElement | null>; waiting?: boolean; children: ReactNode }) {
  const { snap, review, phase, heading, headingRef, waiting = false, children } = props;
  return (
    <div className="card review" data-testid="transfer-review" data-phase={phase}>
      <Comparison review={review} />
      <div className="device-preview">
        <h2 ref={headingRef}>{heading}</h2>
        <DeviceScreens screens={review.deviceScreens} waiting={waiting} />
        {review.deviceShowsHash ? (
          <p className="muted small">{L('transfer.hashNote')}</p>
        ) : (
          <p className="muted small">{L('transfer.checkNote', { server: snap.profileId === 'sandbox' ? L('transfer.theSandbox') : L('transfer.yourServer') })}</p>
        )}
      </div>
      {children}
    </div>
  );
}

/** The error of the step's last call to the core. */
export function ActionError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div className="banner danger" role="alert">
      {error}
    </div>
  );
}
