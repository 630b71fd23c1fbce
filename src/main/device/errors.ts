// Every device failure becomes one typed, explainable state. Status words and error classes are
// those of @ledgerhq/errors and the Bitcoin app (LedgerHQ/app-bitcoin-new, lib-app-bitcoin).
import type { DeviceErrorCode } from '../../shared/app-api';
import { CodedError } from '../../shared/errors';

export class DeviceError extends CodedError<DeviceErrorCode> {
  constructor(
    code: DeviceErrorCode,
    message?: string,
    readonly statusWord?: number,
  ) {
    super(code, message ?? describeDeviceError(code).title);
  }
}

const STATUS_WORDS: Record<number, DeviceErrorCode> = {
  0x6985: 'USER_REJECTED', // denied by the user
  0x5515: 'LOCKED', // LockedDeviceError
  0x6982: 'LOCKED', // security status not satisfied: usually locked / PIN screen
  0x6e00: 'WRONG_APP', // CLA not supported: dashboard or another app
  0x6e01: 'WRONG_APP',
  0x6d00: 'WRONG_APP', // INS not supported
  0x6511: 'WRONG_APP', // app not open (opened app mismatch)
  0x6a82: 'UNSUPPORTED_PATH', // not supported, e.g. a non-standard path without display
};

export function toDeviceError(e: unknown): DeviceError {
  if (e instanceof DeviceError) return e;
  const err = e as { name?: string; message?: string; statusCode?: number } | undefined;
  const name = err?.name ?? '';
  const message = err?.message ?? String(e);
  if (typeof err?.statusCode === 'number') {
    const code = STATUS_WORDS[err.statusCode];
    return new DeviceError(code ?? 'UNKNOWN', code ? describeDeviceError(code).title : `The device answered with status 0x${err.statusCode.toString(16)}`, err.statusCode);
  }
  if (name === 'LockedDeviceError') return new DeviceError('LOCKED', undefined, 0x5515);
  if (name === 'TransportRaceCondition') return new DeviceError('BUSY');
  if (name === 'DisconnectedDeviceDuringOperation' || name === 'DisconnectedDevice') return new DeviceError('UNPLUGGED');
  if (name === 'TransportExchangeTimeoutError' || name === 'TimeoutError') return new DeviceError('TIMEOUT');
  if (name === 'CantOpenDevice' || name === 'NoDeviceFound' || /no device|cannot open device|could not open|device not found/i.test(message)) return new DeviceError('NO_DEVICE');
  if (/non-standard path/i.test(message)) return new DeviceError('UNSUPPORTED_PATH', message);
  return new DeviceError('UNKNOWN', message);
}

/** Plain words for the UI: what happened and what to do next. */
export function describeDeviceError(code: DeviceErrorCode): { title: string; action: string } {
  switch (code) {
    case 'NO_DEVICE':
      return { title: 'No Ledger found', action: 'Connect your Ledger with its USB cable and unlock it.' };
    case 'LOCKED':
      return { title: 'Your Ledger is locked', action: 'Enter your PIN on the device, then try again.' };
    case 'WRONG_APP':
      return { title: 'The Bitcoin app is not open', action: 'Open the Bitcoin app on your Ledger (not the dashboard or another app), then try again.' };
    case 'USER_REJECTED':
      return { title: 'Rejected on the device', action: 'Nothing was sent. Start again if you want to approve it.' };
    case 'UNPLUGGED':
      return { title: 'The Ledger was disconnected', action: 'Reconnect it, unlock it, open the Bitcoin app and try again.' };
    case 'TIMEOUT':
      return { title: 'The Ledger did not answer in time', action: 'Check the device screen; unplug and reconnect it if it is stuck.' };
    case 'BUSY':
      return { title: 'The Ledger is busy with another request', action: 'Finish or reject the request shown on the device first.' };
    case 'UNSUPPORTED_PATH':
      return { title: 'This derivation path is not supported', action: 'Use a standard path: 44\'/0\'/0\'/0/0 (legacy), 49\'/0\'/0\'/0/0 (nested segwit) or 84\'/0\'/0\'/0/0 (native segwit); coin type 1\' on testnet.' };
    case 'UNKNOWN':
      return { title: 'The Ledger reported an unexpected error', action: 'Unplug and reconnect the device, open the Bitcoin app, and try again.' };
  }
}
