// Whom the logged-in Ledger acts for: its own account, or a company account it is a member of (by the
// company account's address; the ones used before are offered again).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot } from '../../../../shared/app-api';
import { treasury, errorOf } from '../../treasury';
import { shortId } from '../../format';

export function AccountSwitcher({ snap, lead }: { snap: AppSnapshot; lead?: boolean }) {
  const { t } = useTranslation();
  const team = snap.team!;
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (account: string | null) => {
    setBusy(true);
    setError(null);
    try {
      await treasury.actFor(account);
      setAddress('');
    } catch (e) {
      setError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  const others = team.recentAccounts.filter((a) => a !== team.account);
  return (
    <section className="card team-accounts" data-testid="account-switcher" aria-labelledby="team-accounts-title">
      <h2 id="team-accounts-title">{lead ? t('team.accounts.memberTitle') : t('team.accounts.title')}</h2>
      <p>{team.acting ? t('team.accounts.acting', { account: shortId(team.account, 10, 8), role: t(`team.roles.${team.role}`) }) : lead ? t('team.accounts.memberLead') : t('team.accounts.own')}</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (address.trim()) void act(address.trim());
        }}
      >
        <label>
          {t('team.accounts.label')}
          <input value={address} onChange={(e) => setAddress(e.target.value)} disabled={busy} spellCheck={false} data-testid="company-address" placeholder="bc1q…" />
        </label>
        <button className="primary" disabled={busy || !address.trim()}>
          {t('team.accounts.act')}
        </button>
      </form>
      {others.length > 0 && (
        <div className="recent-accounts">
          <span className="muted small">{t('team.accounts.recent')}</span>
          {others.map((a) => (
            <button key={a} className="ghost" disabled={busy} onClick={() => void act(a)} title={a}>
              {shortId(a, 10, 8)}
            </button>
          ))}
        </div>
      )}
      {team.acting && (
        <button className="ghost" disabled={busy} onClick={() => void act(null)} data-testid="act-own">
          {t('team.accounts.ownButton')}
        </button>
      )}
      {error && (
        <div className="banner danger" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
