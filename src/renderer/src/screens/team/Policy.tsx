// The dual-control policy: how many approvals, above which amount per currency, whether a destination
// not in the book needs approval, whether admin changes need a second administrator. Administrators
// change it (signed on the Ledger); everyone sees it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot } from '../../../../shared/app-api';
import { MAX_APPROVALS, type TeamPolicy } from '../../../../shared/protocol';
import { SUPPORTED_CURRENCIES, type CurrencyCode } from '../../../../shared/currencies';
import { treasury } from '../../treasury';
import { displayAmount } from '../../format';
import { readAmount } from '../transfer/words';
import { currentLocale, localizeDecimal } from '../../locale';
import { ActionResult, teamVersion, useSignedAction, useTeamData, TeamDataPending } from './use-team';

export function Policy({ snap }: { snap: AppSnapshot }) {
  const { t } = useTranslation();
  const admin = snap.team!.role === 'administrator';
  const { data, error, reload } = useTeamData(() => treasury.getTeamPolicy(), teamVersion(snap));
  const action = useSignedAction(reload);
  const [approvals, setApprovals] = useState(0);
  const [above, setAbove] = useState<Record<string, string>>({});
  const [newBen, setNewBen] = useState(false);
  const [second, setSecond] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!data) return;
    setApprovals(data.approvals);
    setAbove(Object.fromEntries(Object.entries(data.above).map(([c, a]) => [c, localizeDecimal(a!, currentLocale())])));
    setNewBen(data.newBeneficiaryNeedsApproval);
    setSecond(data.adminChangesNeedSecondAdmin);
  }, [data]);
  if (error || !data) return <TeamDataPending error={error} />;
  const thresholds = Object.entries(data.above);
  const save = () => {
    setProblem(null);
    const canonical: TeamPolicy['above'] = {};
    for (const [cur, typed] of Object.entries(above)) {
      if (!typed.trim()) continue;
      const r = readAmount(typed, cur);
      if (!r.ok) return setProblem(`${cur}: ${r.message}`);
      canonical[cur as CurrencyCode] = r.canonical;
    }
    void action.run(() => treasury.setTeamPolicy({ approvals, above: canonical, newBeneficiaryNeedsApproval: newBen, adminChangesNeedSecondAdmin: second }));
  };
  return (
    <div data-testid="policy">
      <ActionResult action={action} />
      <section className="card">
        <p data-testid="policy-summary">{data.approvals === 0 ? t('team.policy.none') : t('team.policy.current', { count: data.approvals })}</p>
        {data.approvals > 0 && thresholds.length > 0 && (
          <ul>
            {thresholds.map(([cur, amount]) => (
              <li key={cur}>
                {displayAmount(amount!)} {cur}
              </li>
            ))}
          </ul>
        )}
        <ul className="muted small">
          {data.newBeneficiaryNeedsApproval && <li>{t('team.policy.newBeneficiaries')}</li>}
          {data.adminChangesNeedSecondAdmin && <li>{t('team.policy.secondAdmin')}</li>}
        </ul>
      </section>
      {admin && (
        <form
          className="card form"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label>
            {t('team.policy.approvals')}
            <select value={approvals} onChange={(e) => setApprovals(Number(e.target.value))} data-testid="policy-approvals">
              {Array.from({ length: MAX_APPROVALS + 1 }, (_, n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="thresholds">
            <legend>{t('team.policy.above')}</legend>
            {SUPPORTED_CURRENCIES.map((cur) => (
              <label key={cur}>
                {t('team.policy.threshold', { currency: cur })}
                <input className="num" inputMode="decimal" value={above[cur] ?? ''} onChange={(e) => setAbove((a) => ({ ...a, [cur]: e.target.value }))} data-testid={`threshold-${cur}`} />
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={newBen} onChange={(e) => setNewBen(e.target.checked)} />
            {t('team.policy.newBeneficiaries')}
          </label>
          <label className="check">
            <input type="checkbox" checked={second} onChange={(e) => setSecond(e.target.checked)} />
            {t('team.policy.secondAdmin')}
          </label>
          {problem && (
            <div className="banner danger" role="alert">
              {problem}
            </div>
          )}
          <div className="actions">
            <button className="primary" disabled={action.busy} data-testid="save-policy">
              {t('team.policy.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
