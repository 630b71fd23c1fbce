// The beneficiary book: saved destinations with a name. Administrators add and remove them (signed on
// the Ledger); the Transfer form offers them to everyone who may send.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot } from '../../../../shared/app-api';
import { treasury } from '../../treasury';
import { formatDateTime } from '../../format';
import { formatIban } from '../../../../shared/iban';
import { ActionResult, teamVersion, useSignedAction, useTeamData, TeamDataPending } from './use-team';

export function Beneficiaries({ snap }: { snap: AppSnapshot }) {
  const { t } = useTranslation();
  const admin = snap.team!.role === 'administrator';
  const { data, error, reload } = useTeamData(() => treasury.getBeneficiaries(), teamVersion(snap));
  const action = useSignedAction(reload);
  const [name, setName] = useState('');
  const [destination, setDestination] = useState('');
  if (error || !data) return <TeamDataPending error={error} />;
  return (
    <div data-testid="beneficiaries">
      <ActionResult action={action} />
      {data.length === 0 ? (
        <p>{t('team.beneficiaries.empty')}</p>
      ) : (
        <table className="table team-table">
          <thead>
            <tr>
              <th scope="col">{t('team.beneficiaries.name')}</th>
              <th scope="col">{t('team.beneficiaries.destination')}</th>
              <th scope="col">{t('team.beneficiaries.added')}</th>
              {admin && (
                <th scope="col">
                  <span className="visually-hidden">{t('team.beneficiaries.remove')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {data.map((b) => (
              <tr key={b.destination} data-testid="beneficiary-row">
                <td>{b.name}</td>
                <td>
                  <code className={b.destinationKind === 'iban' ? 'nowrap-groups' : 'break'}>{b.destinationKind === 'iban' ? formatIban(b.destination) : b.destination}</code>
                </td>
                <td className="muted small">{formatDateTime(b.addedAt)}</td>
                {admin && (
                  <td className="row-actions">
                    <button className="ghost danger-text" disabled={action.busy} onClick={() => void action.run(() => treasury.removeBeneficiary(b.destination))}>
                      {t('team.beneficiaries.remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && (
        <form
          className="card form"
          aria-labelledby="add-beneficiary-title"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => treasury.addBeneficiary({ name: name.trim(), destination: destination.trim() })).then(() => (setName(''), setDestination('')));
          }}
        >
          <h2 id="add-beneficiary-title">{t('team.beneficiaries.addTitle')}</h2>
          <div className="grid2">
            <label>
              {t('team.beneficiaries.name')}
              <input value={name} onChange={(e) => setName(e.target.value)} data-testid="beneficiary-name" />
            </label>
            <label>
              {t('team.beneficiaries.destination')}
              <input value={destination} onChange={(e) => setDestination(e.target.value)} spellCheck={false} data-testid="beneficiary-destination" />
            </label>
          </div>
          <div className="actions">
            <button className="primary" disabled={action.busy || !name.trim() || !destination.trim()} data-testid="add-beneficiary">
              {t('team.beneficiaries.add')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
