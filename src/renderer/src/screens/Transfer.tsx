// The Transfer screen: a wizard (details → review → confirm on the Ledger → result), one small component
// per step in screens/transfer/. It draws the core's transfer in progress (snap.transfer, kept by
// main/core/transfer-tracker.ts) and holds no transfer state of its own: leaving the screen, or the app
// window reloading, loses nothing.
import type { AppSnapshot, TxRow } from '../../../shared/app-api';
import { useTranslation } from 'react-i18next';
import { STEPS, useTransferWizard } from './transfer/use-transfer-wizard';
import { DetailsStep } from './transfer/DetailsStep';
import { ReviewStep } from './transfer/ReviewStep';
import { ConfirmStep } from './transfer/ConfirmStep';
import { AwaitingApprovalResult, SentResult, StoppedResult } from './transfer/ResultStep';
import { roleAllows } from '../../../shared/team';
import { L } from './transfer/words';

export function TransferScreen({ snap, rows }: { snap: AppSnapshot; rows: TxRow[] }) {
  useTranslation(); // re-render every step when the language changes
  const { transfer: t, view, step, online } = useTransferWizard(snap);
  // A viewer never gets here from the navigation; should the role change meanwhile, say so rather than offer a form.
  if (snap.team && !roleAllows(snap.team.role, 'initiate') && !t?.review) {
    return (
      <div className="page narrow">
        <h1>{L('transfer.title')}</h1>
        <div className="banner info">{L('transfer.cannotInitiate', { role: L(`team.roles.${snap.team.role}`) })}</div>
      </div>
    );
  }
  if (!snap.account!.isVerified) {
    return (
      <div className="page narrow">
        <h1>{L('transfer.title')}</h1>
        <div className="banner info">{L('transfer.unverified')}</div>
      </div>
    );
  }
  return (
    <div className="page narrow">
      <h1>{L('transfer.title')}</h1>
      <ol className="wizard" aria-label={L('transfer.progress')}>
        {STEPS.map((name, i) => (
          <li key={name} className={i < step.index ? 'done' : i === step.index ? (step.failed ? 'current failed' : 'current') : ''}>
            {L(`transfer.steps.${name}`)}
          </li>
        ))}
      </ol>
      {view === 'details' && <DetailsStep snap={snap} draft={t?.draft ?? null} notice={t?.error ?? null} />}
      {t?.review && view === 'review' && <ReviewStep snap={snap} t={t} review={t.review} online={online} />}
      {t?.review && view === 'confirm' && <ConfirmStep snap={snap} t={t} review={t.review} online={online} />}
      {t?.review && view === 'stopped' && <StoppedResult t={t} review={t.review} online={online} />}
      {t?.review && t.tx && view === 'sent' && <SentResult tx={t.tx} review={t.review} rows={rows} />}
      {t?.review && t.approval && view === 'awaiting-approval' && <AwaitingApprovalResult approval={t.approval} review={t.review} online={online} />}
    </div>
  );
}
