// The audit trail (administrators): every event of the account, each signature verified by the core,
// newest first; exported as CSV with each event's signed text and the back office's signature.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSnapshot, AuditEntry } from '../../../../shared/app-api';
import { treasury, errorOf } from '../../treasury';
import { formatDateTime, shortId } from '../../format';
import { teamVersion, useTeamData, TeamDataPending } from './use-team';

export function AuditTrail({ snap }: { snap: AppSnapshot }) {
  const { t } = useTranslation();
  const { data, error } = useTeamData(() => treasury.getAuditTrail(), teamVersion(snap));
  const [saved, setSaved] = useState<{ text: string; tone: string; command?: string } | null>(null);
  const exportCsv = async () => {
    try {
      const r = await treasury.exportAuditTrail();
      if (r.saved) setSaved({ text: t('team.audit.saved', { rows: r.rows, path: r.path }), tone: 'success', command: `npx ccc-verify-statement "${r.path}" --key ${r.backOfficeKey}` });
    } catch (e) {
      setSaved({ text: errorOf(e).message, tone: 'danger' });
    }
  };
  if (error || !data) return <TeamDataPending error={error} />;
  const events = [...data].reverse();
  return (
    <div data-testid="audit-trail">
      <div className="card-head">
        <p className="muted">{t('team.audit.lead')}</p>
        <button className="primary" onClick={() => void exportCsv()} data-testid="export-audit">
          {t('team.audit.export')}
        </button>
      </div>
      {saved && (
        <div className={`banner ${saved.tone}`} role="status" data-testid="audit-saved">
          {saved.text}
          {saved.command && (
            <div className="small">
              {t('team.audit.verify')} <code className="break">{saved.command}</code>
            </div>
          )}
        </div>
      )}
      {events.length === 0 ? (
        <p>{t('team.audit.empty')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t('team.tabs.audit')}>
          <table className="table team-table audit-table">
            <thead>
              <tr>
                <th scope="col">{t('team.audit.seq')}</th>
                <th scope="col">{t('team.audit.time')}</th>
                <th scope="col">{t('team.audit.event')}</th>
                <th scope="col">{t('team.audit.actor')}</th>
                <th scope="col">{t('team.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <AuditRow key={e.seq} e={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function AuditRow({ e }: { e: AuditEntry }) {
  const { t } = useTranslation();
  const details = Object.entries(e.details)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${String(v)}`);
  return (
    <tr data-testid="audit-row" data-kind={e.kind}>
      <td className="num">{e.seq}</td>
      <td className="nowrap">{formatDateTime(e.at)}</td>
      <td>{t(`team.audit.kinds.${e.kind}`)}</td>
      <td>
        <code title={e.actor ?? ''}>{e.actor ? shortId(e.actor, 10, 6) : '—'}</code>
      </td>
      <td className="audit-details">
        {details.map((d) => (
          <code key={d} className="break">
            {d}
          </code>
        ))}
      </td>
    </tr>
  );
}
