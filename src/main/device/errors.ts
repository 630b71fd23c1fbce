// Every device failure becomes one typed, explainable state. Status words and error classes are
// those of @ledgerhq/errors and the Bitcoin app (LedgerHQ/app-bitcoin-new, lib-app-bitcoin).
import type { DeviceErrorCode } from '../../shared/app-api';
import { CodedError, type WordParams } from '../../shared/errors';
import { DEVICE_FAILURE_WORDS } from '../../shared/plain-words';

export class DeviceError extends CodedError<DeviceErrorCode> {
  constructor(
    code: DeviceErrorCode,
    message?: string,
    readonly statusWord?: number,
    params?: WordParams,
  ) {
    super(code, message ?? describeDeviceError(code).title, params);
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

/** Plain words for the UI: what happened and what to do next (the table lives in shared/plain-words.ts,
 * the English of the renderer's catalogue). */
export function describeDeviceError(code: DeviceErrorCode): { title: string; action: string } {
  return DEVICE_FAILURE_WORDS[code];
}
