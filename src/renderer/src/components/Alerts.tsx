import { useState } from 'react';
import type { SecurityAlert } from '../../../shared/app-api';
import { treasury } from '../treasury';
import { formatDateTime } from '../format';

/** What each kind of refusal is called on screen. */
const KIND_LABEL: Record<SecurityAlert['kind'], string> = {
  'missing-signature': 'Unsigned',
  'bad-signature': 'Forged signature',
  'unexpected-message': 'Malformed',
  'misbound-answer': 'Not for this request',
  'login-refused': 'Login refused',
  'certificate-mismatch': 'Wrong certificate',
};

/** Refused messages (forged, unsigned, misbound) and refused logins: shown prominently, never applied. */
export function AlertsBanner({ alerts }: { alerts: SecurityAlert[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" role="alert" aria-label="Security alerts" data-testid="security-alerts">
      <header>
        <strong>Security alert{alerts.length > 1 ? `s (${alerts.length})` : ''}</strong>
        <span>Messages the app could not trust were refused, and nothing was signed for them. Your balances and history were not changed.</span>
      </header>
      <ul>
        {alerts.map((a) => (
          <li key={a.id}>
            <div className="alert-line">
              <span className="alert-time">{formatDateTime(a.time)}</span>
              <span className="alert-kind">{KIND_LABEL[a.kind] ?? 'Refused'}</span>
              <span className="alert-summary">{a.summary}</span>
              <button className="link" onClick={() => setOpen(open === a.id ? null : a.id)} aria-expanded={open === a.id}>
                {open === a.id ? 'Hide' : 'Details'}
              </button>
              <button className="link" onClick={() => void treasury.dismissAlert(a.id)}>
                Dismiss
              </button>
            </div>
            {open === a.id && <pre className="raw">{a.raw}</pre>}
          </li>
        ))}
      </ul>
    </section>
  );
}
