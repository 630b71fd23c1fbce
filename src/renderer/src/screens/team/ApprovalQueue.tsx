// The approval queue: every transfer (and membership, policy or beneficiary change) waiting for
// approval, each with EVERYTHING the device will show — the friendly form beside the exact text and a
// drawing of the device's screens — and only the buttons this member may use. The core signs only a
// text it rebuilt itself from the fields shown; a mismatch is said here and nothing is offered.
import { useTranslation } from 'react-i18next';
import type { AppSnapshot, ApprovalItem, ApprovalQueue as Queue, ChangeItem } from '../../../../shared/app-api';
import { treasury } from '../../treasury';
import { DeviceScreens } from '../../components/DeviceScreens';
import { displayAmount, formatDateTime, shortId } from '../../format';
import { formatIban } from '../../../../shared/iban';
import { ActionResult, teamVersion, useSignedAction, useTeamData, TeamDataPending } from './use-team';

export function ApprovalQueue({ snap }: { snap: AppSnapshot }) {
  const { t } = useTranslation();
  const { data, error, reload } = useTeamData(() => treasury.getApprovalQueue(), teamVersion(snap));
  const action = useSignedAction(reload);
  if (error || !data) return <TeamDataPending error={error} />;
  const awaiting = data.items.filter((a) => a.status === 'awaiting');
  const changes = data.changes.filter((c) => c.status === 'awaiting');
  return (
    <div className="approval-queue" data-testid="approval-queue">
      <p className="muted">{policyLine(data, t)}</p>
      <ActionResult action={action} />
      {awaiting.length === 0 && changes.length === 0 && <p data-testid="queue-empty">{t('team.queue.empty')}</p>}
      {awaiting.length > 0 && <h2>{t('team.queue.transfers')}</h2>}
      {awaiting.map((a) => (
        <TransferItem key={a.requestId} a={a} busy={action.busy} onDecide={(decision) => void action.run(() => treasury.decideApproval({ requestId: a.requestId, decision }))} />
      ))}
      {changes.length > 0 && <h2>{t('team.queue.changes')}</h2>}
      {changes.map((c) => (
        <ChangeCard key={c.requestId} c={c} busy={action.busy} onDecide={(decision) => void action.run(() => treasury.decideApproval({ requestId: c.requestId, decision }))} />
      ))}
    </div>
  );
}

function policyLine(q: Queue, t: (k: string, o?: Record<string, unknown>) => string): string {
  const above = Object.entries(q.policy.above).map(([cur, amount]) => `${displayAmount(amount!)} ${cur}`);
  return t('team.queue.policy', { count: q.policy.approvals, above: above.length ? above.join(', ') : t('team.queue.noThreshold') });
}

type Decide = (decision: 'approve' | 'reject' | 'cancel') => void;

function TransferItem({ a, busy, onDecide }: { a: ApprovalItem; busy: boolean; onDecide: Decide }) {
  const { t } = useTranslation();
  const who = a.mine ? t('team.queue.you') : shortId(a.initiator, 10, 6);
  const refusal = a.approveRefusal === 'OWN_APPROVAL' ? t('team.queue.own') : a.approveRefusal === 'ALREADY_DECIDED' ? t('team.queue.already') : a.approveRefusal === 'TEXT_MISMATCH' ? t('team.queue.mismatch') : null;
  return (
    <article className="card approval-item" data-testid="approval-item" data-request={a.requestId} aria-label={t('team.queue.transfer', { amount: displayAmount(a.amount), currency: a.currency })}>
      <div className="approval-head">
        <h3>{t('team.queue.transfer', { amount: displayAmount(a.amount), currency: a.currency })}</h3>
        <span className="approval-count">{t('team.queue.approvals', { count: a.approvals.length, required: a.required })}</span>
      </div>
      <p className="muted small">
        {t('team.queue.initiatedBy', { who })} · {formatDateTime(a.createdAt)} · {t('team.queue.expires', { when: formatDateTime(a.expiresAt) })}
      </p>
      <div className="approval-body">
        <table className="compare">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('transfer.field')}</span>
              </th>
              <th scope="col">{t('team.queue.friendly')}</th>
              <th scope="col">{t('team.queue.exact')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('transfer.amount')}</th>
              <td className="num">
                {displayAmount(a.amount)} {a.currency}
              </td>
              <td className="num">
                <code>
                  {a.amount} {a.currency}
                </code>
              </td>
            </tr>
            <tr>
              <th scope="row">{t('transfer.to')}</th>
              <td>
                {a.beneficiary && <strong data-testid="approval-beneficiary">{a.beneficiary}</strong>}
                <div className={a.destinationKind === 'iban' ? 'nowrap-groups' : 'break-anywhere'}>{a.destinationKind === 'iban' ? formatIban(a.destination) : a.destination}</div>
              </td>
              <td>
                <code className="break">{a.destination}</code>
              </td>
            </tr>
            {a.reference && (
              <tr>
                <th scope="row">{t('transfer.referenceRow')}</th>
                <td>{a.reference}</td>
                <td>
                  <code className="break">{a.reference}</code>
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <div className="device-preview">
          <div data-testid="approval-text">
            <DeviceScreens screens={a.deviceScreens.length ? a.deviceScreens : [a.text]} />
            {/* An older Bitcoin app shows only the text's hash: the text itself is written out too. */}
            {a.deviceShowsHash && <code className="break device-text">{a.text}</code>}
          </div>
        </div>
      </div>
      {refusal && <p className={`banner ${a.approveRefusal === 'TEXT_MISMATCH' ? 'danger' : 'info'}`}>{refusal}</p>}
      <div className="actions">
        {a.canReject && (
          <button className="ghost" disabled={busy} onClick={() => onDecide('reject')} data-testid="reject">
            {t('team.queue.reject')}
          </button>
        )}
        {a.canCancel && (
          <button className="ghost" disabled={busy} onClick={() => onDecide('cancel')} data-testid="cancel">
            {t('team.queue.cancel')}
          </button>
        )}
        {a.canApprove && (
          <button className="primary" disabled={busy} onClick={() => onDecide('approve')} data-testid="approve">
            {t('team.queue.approve')}
          </button>
        )}
      </div>
    </article>
  );
}

function ChangeCard({ c, busy, onDecide }: { c: ChangeItem; busy: boolean; onDecide: Decide }) {
  const { t } = useTranslation();
  return (
    <article className="card approval-item" data-testid="change-item">
      <div className="approval-head">
        <h3>{t('team.queue.change', { what: t(`team.queue.ops.${c.op}`) })}</h3>
        <span className="approval-count">{t(`team.status.${c.status}`)}</span>
      </div>
      <p className="muted small">
        {t('team.queue.proposedBy', { who: c.mine ? t('team.queue.you') : shortId(c.proposer, 10, 6) })} · {formatDateTime(c.createdAt)} · {t('team.queue.expires', { when: formatDateTime(c.expiresAt) })}
      </p>
      <div className="device-preview">
        <DeviceScreens screens={c.deviceScreens.length ? c.deviceScreens : [c.text]} />
        {c.deviceShowsHash && <code className="break device-text">{c.text}</code>}
      </div>
      {!c.textMatches && <p className="banner danger">{t('team.queue.mismatch')}</p>}
      <div className="actions">
        {c.canReject && (
          <button className="ghost" disabled={busy} onClick={() => onDecide('reject')}>
            {t('team.queue.reject')}
          </button>
        )}
        {c.canCancel && (
          <button className="ghost" disabled={busy} onClick={() => onDecide('cancel')}>
            {t('team.queue.cancel')}
          </button>
        )}
        {c.canApprove && (
          <button className="primary" disabled={busy} onClick={() => onDecide('approve')}>
            {t('team.queue.approve')}
          </button>
        )}
      </div>
    </article>
  );
}
