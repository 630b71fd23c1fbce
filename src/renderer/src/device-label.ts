// What the device is doing, in the few words the sidebar and the virtual Ledger panel show.
import type { DeviceStatus } from '../../shared/app-api';

export function deviceLabel(d: DeviceStatus): string {
  switch (d.state) {
    case 'ready':
      return 'Ledger ready';
    case 'awaiting-confirmation':
      return d.action === 'transfer' ? 'Approve the transfer on your Ledger' : 'Approve on your Ledger';
    case 'locked':
      return 'Ledger locked';
    case 'wrong-app':
      return 'Open the Bitcoin app';
    case 'disconnected':
      return 'No Ledger connected';
    case 'error':
      return 'Ledger problem';
  }
}
