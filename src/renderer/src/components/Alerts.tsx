import { useState } from 'react';
import type { SecurityAlert } from '../../../shared/app-api';
import { treasury } from '../treasury';
import { formatDateTime } from '../format';
import { useTranslation } from 'react-i18next';
import { alertWords } from '../i18n/core-words';

/** The kinds of refusal that have a name on screen (alerts.kind.* in the catalogues). */
const KINDS: readonly SecurityAlert['kind'][] = ['missing-signature', 'bad-signature', 'unexpected-message', 'misbound-answer', 'login-refused', 'certificate-mismatch'];

/** Refused messages (forged, unsigned, misbound) and refused logins: shown prominently, never applied. */
export function AlertsBanner({ alerts }: { alerts: SecurityAlert[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" role="alert" aria-label={t('alerts.label')} data-testid="security-alerts">
      <header>
        <strong>{alerts.length > 1 ? t('alerts.many', { n: alerts.length }) : t('alerts.one')}</strong>
        <span>{t('alerts.intro')}</span>
      </header>
      <ul>
        {alerts.map((a) => (
          <li key={a.id}>
            <div className="alert-line">
              <span className="alert-time">{formatDateTime(a.time)}</span>
              <span className="alert-kind">{KINDS.includes(a.kind) ? t(`alerts.kind.${a.kind}`) : t('alerts.refused')}</span>
              <span className="alert-summary">{alertWords(a)}</span>
              <button className="link" onClick={() => setOpen(open === a.id ? null : a.id)} aria-expanded={open === a.id}>
                {open === a.id ? t('alerts.hide') : t('alerts.details')}
              </button>
              <button className="link" onClick={() => void treasury.dismissAlert(a.id)}>
                {t('alerts.dismiss')}
              </button>
            </div>
            {open === a.id && <pre className="raw">{a.raw}</pre>}
          </li>
        ))}
      </ul>
    </section>
  );
}
