// Walking the device to readiness, the way Ledger Live's device actions do: connect → unlock → open the
// Bitcoin app → read the address, each step reported as it starts, and the first one that fails
// stops the walk with the typed DeviceError that explains it. Login renders these steps; every later
// signature (transfer, policy, unlock) checks the same readiness rule before the device is asked.
import type { DeviceStatus } from '../../shared/app-api';
import { DeviceError, describeDeviceError } from './errors';
import type { Signer } from './signer';

export type DeviceStep = 'connect-device' | 'unlock' | 'open-app' | 'get-address';

/** Why a device in this state cannot sign, as the error to show; null when it is ready. */
export function readinessError(s: DeviceStatus): DeviceError | null {
  switch (s.state) {
    case 'ready':
      return null;
    case 'disconnected':
      return new DeviceError('NO_DEVICE');
    case 'locked':
      return new DeviceError('LOCKED');
    case 'wrong-app':
      return s.appName === 'BOLOS'
        ? new DeviceError('WRONG_APP', `${describeDeviceError('WRONG_APP').title} (the device shows the dashboard)`, undefined, { context: 'dashboard' })
        : new DeviceError('WRONG_APP', `${describeDeviceError('WRONG_APP').title} (the device shows the ${s.appName} app)`, undefined, { context: 'otherApp', app: s.appName });
    case 'error':
      return new DeviceError(s.code, s.message);
    default:
      return new DeviceError('BUSY');
  }
}

/** Which step a failure belongs to, so the UI marks the right one. */
const FAILS_AT: Partial<Record<DeviceStatus['state'], DeviceStep>> = { disconnected: 'connect-device', locked: 'unlock', 'wrong-app': 'open-app', error: 'open-app' };

/** Brings the device to a ready Bitcoin app and reads the signing address. */
export async function prepareDevice(signer: Signer, onStep: (step: DeviceStep) => void): Promise<{ address: string }> {
  onStep('connect-device');
  const status = await signer.status();
  const problem = readinessError(status);
  const failsAt = FAILS_AT[status.state];
  if (problem) {
    // Report every step up to the one that failed, as the user walks them.
    for (const step of ['unlock', 'open-app'] as const) {
      if (failsAt === 'connect-device') break;
      onStep(step);
      if (step === failsAt) break;
    }
    throw problem;
  }
  onStep('unlock');
  onStep('open-app');
  onStep('get-address');
  return { address: await signer.getAddress() };
}
