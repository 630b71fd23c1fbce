import { useEffect, useState } from 'react';
import type { VirtualDeviceSettings } from '../../../shared/app-api';
import { treasury, errorOf } from '../treasury';

const STATES: { label: string; settings: Partial<VirtualDeviceSettings> }[] = [
  { label: 'Approves', settings: { behaviour: 'approve', appName: 'Bitcoin' } },
  { label: 'Rejects', settings: { behaviour: 'reject', appName: 'Bitcoin' } },
  { label: 'Locked', settings: { behaviour: 'locked' } },
  { label: 'On dashboard', settings: { behaviour: 'approve', appName: 'BOLOS' } },
];

/** The sandbox's virtual Ledger: choose how it answers, to try every device state safely. */
export function VirtualDevicePanel() {
  const [device, setDevice] = useState<VirtualDeviceSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void treasury.getVirtualDevice().then(setDevice, () => setDevice(null));
  }, []);
  if (!device) return null;
  const current = device.behaviour === 'locked' ? 'Locked' : device.appName === 'BOLOS' ? 'On dashboard' : device.behaviour === 'reject' ? 'Rejects' : 'Approves';
  return (
    <div className="virtual-device" data-testid="virtual-device">
      <div className="vd-title">
        Virtual Ledger <span className="muted">(sandbox only)</span>
      </div>
      <div className="segmented" role="radiogroup" aria-label="Virtual Ledger behaviour">
        {STATES.map((s) => (
          <button
            key={s.label}
            role="radio"
            aria-checked={current === s.label}
            className={current === s.label ? 'on' : ''}
            onClick={() =>
              treasury.configureVirtualDevice(s.settings).then(
                (d) => (setDevice(d), setError(null)),
                (e) => setError(errorOf(e).message),
              )
            }
          >
            {s.label}
          </button>
        ))}
      </div>
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}
