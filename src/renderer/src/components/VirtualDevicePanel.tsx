// The sandbox's virtual Ledger: choose how it answers (approve, reject, locked, on the dashboard,
// slow) to try every device state safely, and see what the device is doing right now. Shown on the
// Connect screen and, compact, in the sidebar of every screen.
import { useEffect, useState } from 'react';
import type { DeviceStatus, VirtualDeviceSettings } from '../../../shared/app-api';
import { treasury, errorOf } from '../treasury';
import { deviceLabel } from '../device-label';

const STATES: { label: string; settings: Partial<VirtualDeviceSettings> }[] = [
  { label: 'Approves', settings: { behaviour: 'approve', appName: 'Bitcoin' } },
  { label: 'Rejects', settings: { behaviour: 'reject', appName: 'Bitcoin' } },
  { label: 'Locked', settings: { behaviour: 'locked' } },
  { label: 'On dashboard', settings: { behaviour: 'approve', appName: 'BOLOS' } },
];

export function VirtualDevicePanel({ compact = false, device: status }: { compact?: boolean; device?: DeviceStatus }) {
  const [device, setDevice] = useState<VirtualDeviceSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void treasury.getVirtualDevice().then(setDevice, () => setDevice(null));
  }, []);
  if (!device) return null;
  const current = device.behaviour === 'locked' ? 'Locked' : device.appName === 'BOLOS' ? 'On dashboard' : device.behaviour === 'reject' ? 'Rejects' : 'Approves';
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
        aria-label="Virtual Ledger behaviour"
        onKeyDown={(e) => {
          // A radio group: one Tab stop, arrows move and choose (WAI-ARIA radio group pattern).
          const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : e.key === 'Home' ? 'first' : e.key === 'End' ? 'last' : null;
          if (step === null) return;
          e.preventDefault();
          const at = STATES.findIndex((s) => s.label === current);
          const next = step === 'first' ? 0 : step === 'last' ? STATES.length - 1 : (at + step + STATES.length) % STATES.length;
          void set(STATES[next].settings);
          const buttons = e.currentTarget.querySelectorAll<HTMLButtonElement>('[role=radio]');
          buttons[next]?.focus();
        }}
      >
        {STATES.map((s) => (
          <button key={s.label} role="radio" aria-checked={current === s.label} tabIndex={current === s.label ? 0 : -1} className={current === s.label ? 'on' : ''} onClick={() => void set(s.settings)}>
            {s.label}
          </button>
        ))}
      </div>
      <label className="check small">
        <input type="checkbox" checked={device.slow} onChange={(e) => void set({ slow: e.target.checked })} /> Slow to answer (6 s)
      </label>
      {status && (
        <div className="small muted" data-testid="virtual-device-state">
          Now: {deviceLabel(status)}
        </div>
      )}
      {error && <div className="field-error">{error}</div>}
    </>
  );
  if (compact) {
    return (
      <details className="virtual-device compact" data-testid="virtual-device">
        <summary>Virtual Ledger (sandbox)</summary>
        {body}
      </details>
    );
  }
  return (
    <div className="virtual-device" data-testid="virtual-device">
      <div className="vd-title">
        Virtual Ledger <span className="muted">(sandbox only)</span>
      </div>
      {body}
    </div>
  );
}
