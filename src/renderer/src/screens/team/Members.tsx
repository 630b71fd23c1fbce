// The members of the account and their roles. An administrator adds a member, changes a role or removes
// one, each signed on the Ledger; everyone else sees the list only.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot, TeamMember } from '../../../../shared/app-api';
import { ROLES, type Role } from '../../../../shared/protocol';
import { treasury } from '../../treasury';
import { formatDateTime, shortId } from '../../format';
import { ActionResult, teamVersion, useSignedAction, useTeamData, TeamDataPending } from './use-team';

export function Members({ snap }: { snap: AppSnapshot }) {
  const { t } = useTranslation();
  const team = snap.team!;
  const admin = team.role === 'administrator';
  const { data, error, reload } = useTeamData(() => treasury.getTeamMembers(), teamVersion(snap));
  const action = useSignedAction(reload);
  const [address, setAddress] = useState('');
  const [role, setRole] = useState<Role>('initiator');
  if (error || !data) return <TeamDataPending error={error} />;
  return (
    <div data-testid="members">
      <ActionResult action={action} />
      <table className="table team-table">
        <thead>
          <tr>
            <th scope="col">{t('team.members.member')}</th>
            <th scope="col">{t('team.members.role')}</th>
            <th scope="col">{t('team.members.added')}</th>
            {admin && (
              <th scope="col">
                <span className="visually-hidden">{t('team.members.change')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {data.map((m, i) => (
            <MemberRow key={m.member} m={m} owner={i === 0} admin={admin} busy={action.busy} me={m.member === team.member} onSet={(r) => void action.run(() => treasury.setTeamMember({ member: m.member, role: r }))} />
          ))}
        </tbody>
      </table>
      <ul className="role-help muted small">
        {ROLES.map((r) => (
          <li key={r}>
            <strong>{t(`team.roles.${r}`)}</strong>: {t(`team.roleHelp.${r}`)}
          </li>
        ))}
      </ul>
      {admin && (
        <form
          className="card form"
          aria-labelledby="add-member-title"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => treasury.setTeamMember({ member: address.trim(), role })).then(() => setAddress(''));
          }}
        >
          <h2 id="add-member-title">{t('team.members.addTitle')}</h2>
          <div className="grid2">
            <label>
              {t('team.members.address')}
              <input value={address} onChange={(e) => setAddress(e.target.value)} spellCheck={false} data-testid="member-address" placeholder="bc1q…" />
            </label>
            <label>
              {t('team.members.role')}
              <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="member-role">
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`team.roles.${r}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="actions">
            <button className="primary" disabled={action.busy || !address.trim()} data-testid="add-member">
              {t('team.members.add')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function MemberRow({ m, owner, admin, me, busy, onSet }: { m: TeamMember; owner: boolean; admin: boolean; me: boolean; busy: boolean; onSet: (role: Role | 'none') => void }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(m.role);
  return (
    <tr data-testid="member-row" data-member={m.member}>
      <td>
        <code title={m.member}>{shortId(m.member, 12, 8)}</code>
        {owner && <div className="muted small">{t('team.members.owner')}</div>}
        {me && !owner && <div className="muted small">{t('team.queue.you')}</div>}
      </td>
      <td>
        {admin && !owner ? (
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label={t('team.members.roleOf', { member: shortId(m.member, 10, 6) })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`team.roles.${r}`)}
              </option>
            ))}
          </select>
        ) : (
          t(`team.roles.${m.role}`)
        )}
      </td>
      <td className="muted small">{m.addedAt ? formatDateTime(m.addedAt) : '—'}</td>
      {admin && (
        <td className="row-actions">
          {!owner && (
            <>
              <button className="ghost" disabled={busy || role === m.role} onClick={() => onSet(role)}>
                {t('team.members.change')}
              </button>
              <button className="ghost danger-text" disabled={busy} onClick={() => onSet('none')} data-testid="remove-member">
                {t('team.members.remove')}
              </button>
            </>
          )}
        </td>
      )}
    </tr>
  );
}
