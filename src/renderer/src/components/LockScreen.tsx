// The app after the idle lock: nothing of the account is on screen (the core sends none of it);
// the Ledger unlocks it by signing.
import { useState } from 'react';
import type { AppSnapshot } from '../../../shared/app-api';
import { treasury, errorOf } from '../treasury';
import { deviceLabel } from '../device-label';
import { VirtualDevicePanel } from './VirtualDevicePanel';
import { useTranslation } from 'react-i18next';

export function LockScreen({ snap }: { snap: AppSnapshot }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { t } = useTranslation();
  const unlock = async () => {
    setBusy(true);
    setError(null);
    try {
      await treasury.unlock();
    } catch (e) {
      setError(errorOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="connect-page lock-page" data-testid="lock-screen">
      <div className="card lock-card">
        <h1>{t('lock.title')}</h1>
        <p className="muted">{t('lock.body')}</p>
        <p className="small">
          <span className={`pill device-${snap.device.state}`}>{deviceLabel(snap.device)}</span>
        </p>
        {error && (
          <div className="banner danger" role="alert">
            {error}
          </div>
        )}
        <div className="actions">
          <button className="ghost" onClick={() => void treasury.logout()}>
            {t('lock.logout')}
          </button>
          <button className="primary" onClick={() => void unlock()} disabled={busy} data-testid="unlock">
            {busy ? t('lock.approving') : t('lock.unlock')}
          </button>
        </div>
        <VirtualDevicePanel />
      </div>
    </main>
  );
}
