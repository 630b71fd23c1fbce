// What the device is doing, in the few words the sidebar and the virtual Ledger panel show (device.* in
// the catalogues).
import type { DeviceStatus } from '../../shared/app-api';
import { i18next } from './i18n';

export function deviceLabel(d: DeviceStatus): string {
  return i18next.t(`device.${deviceLabelKey(d)}`);
}

function deviceLabelKey(d: DeviceStatus): 'ready' | 'approveTransfer' | 'approve' | 'locked' | 'wrongApp' | 'disconnected' | 'error' {
  switch (d.state) {
    case 'ready':
      return 'ready';
    case 'awaiting-confirmation':
      return d.action === 'transfer' ? 'approveTransfer' : 'approve';
    case 'locked':
      return 'locked';
    case 'wrong-app':
      return 'wrongApp';
    case 'disconnected':
      return 'disconnected';
    case 'error':
      return 'error';
  }
}
