// The sandbox's virtual Ledger: choose how it answers (approve, reject, locked, on the dashboard,
// slow) to try every device state safely, and see what the device is doing right now. Shown on the
// Connect screen and, compact, in the sidebar of every screen.
import { useEffect, useState } from 'react';
import type { DeviceStatus, VirtualDeviceSettings } from '../../../shared/app-api';
import { treasury, errorOf } from '../treasury';
import { deviceLabel } from '../device-label';
import { useTranslation } from 'react-i18next';

/** The behaviours offered (their names: virtual.* in the catalogues). */
const STATES: { id: 'approves' | 'rejects' | 'locked' | 'dashboard'; settings: Partial<VirtualDeviceSettings> }[] = [
  { id: 'approves', settings: { behaviour: 'approve', appName: 'Bitcoin' } },
  { id: 'rejects', settings: { behaviour: 'reject', appName: 'Bitcoin' } },
  { id: 'locked', settings: { behaviour: 'locked' } },
  { id: 'dashboard', settings: { behaviour: 'approve', appName: 'BOLOS' } },
];

export function VirtualDevicePanel({ compact = false, device: status }: { compact?: boolean; device?: DeviceStatus }) {
  const [device, setDevice] = useState<VirtualDeviceSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    void treasury.getVirtualDevice().then(setDevice, () => setDevice(null));
  }, []);
  if (!device) return null;
  const current = device.behaviour === 'locked' ? 'locked' : device.appName === 'BOLOS' ? 'dashboard' : device.behaviour === 'reject' ? 'rejects' : 'approves';
  const set = (s: Partial<VirtualDeviceSettings>) =>
    treasury.configureVirtualDevice(s).then(
      (d) => (setDevice(d), setError(null)),
      (e) => setError(errorOf(e).message),
    );
  const body = (
    <>
      <div
        className="segmented"
        role="radiogroup"
        aria-label={t('virtual.behaviour')}
        onKeyDown={(e) => {
          // A radio group: one Tab stop, arrows move and choose (WAI-ARIA radio group pattern).
          const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : e.key === 'Home' ? 'first' : e.key === 'End' ? 'last' : null;
          if (step === null) return;
          e.preventDefault();
          // From the radio that has focus: `current` follows the core's answer, which a quick second key
          // (or a busy machine) can outrun — Right then Left used to go from a stale "Approves" to "Dashboard".
          const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('[role=radio]')];
          const focused = buttons.indexOf(document.activeElement as HTMLButtonElement);
          const at = focused >= 0 ? focused : STATES.findIndex((s) => s.id === current);
          const next = step === 'first' ? 0 : step === 'last' ? STATES.length - 1 : (at + step + STATES.length) % STATES.length;
          void set(STATES[next].settings);
          buttons[next]?.focus();
        }}
      >
        {STATES.map((s) => (
          <button key={s.id} role="radio" aria-checked={current === s.id} tabIndex={current === s.id ? 0 : -1} className={current === s.id ? 'on' : ''} onClick={() => void set(s.settings)}>
            {t(`virtual.${s.id}`)}
          </button>
        ))}
      </div>
      <label className="check small">
        <input type="checkbox" checked={device.slow} onChange={(e) => void set({ slow: e.target.checked })} /> {t('virtual.slow')}
      </label>
      {status && (
        <div className="small muted" data-testid="virtual-device-state">
          {t('virtual.now', { state: deviceLabel(status) })}
        </div>
      )}
      {error && <div className="field-error">{error}</div>}
    </>
  );
  if (compact) {
    return (
      <details className="virtual-device compact" data-testid="virtual-device">
        <summary>{t('virtual.compact')}</summary>
        {body}
      </details>
    );
  }
  return (
    <div className="virtual-device" data-testid="virtual-device">
      <div className="vd-title">
        {t('virtual.title')} <span className="muted">{t('virtual.sandboxOnly')}</span>
      </div>
      {body}
    </div>
  );
}
