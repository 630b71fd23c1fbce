// The Team screen of a company account (docs/team-treasury.md): whom this Ledger acts for, and tabs for
// the approval queue, members, policy, beneficiaries and (administrators) the audit trail. A role sees
// only what it can use; the server decides anyway. While the Ledger is asked to sign, the screen shows
// what it shows.
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot } from '../../../shared/app-api';
import { DeviceScreens } from '../components/DeviceScreens';
import { AccountSwitcher } from './team/AccountSwitcher';
import { ApprovalQueue } from './team/ApprovalQueue';
import { Members } from './team/Members';
import { Policy } from './team/Policy';
import { Beneficiaries } from './team/Beneficiaries';
import { AuditTrail } from './team/AuditTrail';

export type TeamTab = 'approvals' | 'members' | 'policy' | 'beneficiaries' | 'audit';

export function TeamScreen({ snap, tab: initial = 'approvals' }: { snap: AppSnapshot; tab?: TeamTab }) {
  const { t } = useTranslation();
  const team = snap.team!;
  const tabs: TeamTab[] = ['approvals', 'members', 'policy', 'beneficiaries', ...(team.role === 'administrator' ? (['audit'] as const) : [])];
  const [tab, setTab] = useState<TeamTab>(tabs.includes(initial) ? initial : 'approvals');
  const current = tabs.includes(tab) ? tab : 'approvals';
  const signing = snap.device.state === 'awaiting-confirmation' && (snap.device.action === 'team' || snap.device.action === 'transfer') ? snap.device : null;
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.indexOf(current);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : null;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(`team-tab-${next}`)?.focus();
  };
  return (
    <div className="page team">
      <h1>{t('team.title')}</h1>
      <p className="muted">{t('team.lead')}</p>
      {signing && (
        <section className="card protect-account" role="status" data-testid="team-device">
          <h2>{t('team.device.title')}</h2>
          <p>{t('team.device.body')}</p>
          <DeviceScreens screens={signing.screens} waiting />
        </section>
      )}
      <div className="tabs" role="tablist" aria-label={t('team.title')} onKeyDown={onKey}>
        {tabs.map((id) => (
          <button key={id} id={`team-tab-${id}`} role="tab" aria-selected={current === id} aria-controls={`team-panel-${id}`} tabIndex={current === id ? 0 : -1} className={current === id ? 'on' : ''} onClick={() => setTab(id)}>
            {t(`team.tabs.${id}`)}
            {id === 'approvals' && team.awaitingMyApproval > 0 && <span className="count-badge">{team.awaitingMyApproval}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`team-panel-${current}`} aria-labelledby={`team-tab-${current}`} className="tab-panel">
        {current === 'approvals' && <ApprovalQueue snap={snap} />}
        {current === 'members' && <Members snap={snap} />}
        {current === 'policy' && <Policy snap={snap} />}
        {current === 'beneficiaries' && <Beneficiaries snap={snap} />}
        {current === 'audit' && <AuditTrail snap={snap} />}
      </div>
      <AccountSwitcher snap={snap} />
    </div>
  );
}
