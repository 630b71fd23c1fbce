// The screens the Ledger Bitcoin app shows for a message signature, so the app can show the user the
// very same screens. The rules themselves live in src/shared/ledger-display.ts.
import { deviceMessageHash, showsMessageText } from '../../shared/ledger-display';

/** The screens of a message signature, in order. The hash is over the very bytes signed, never a re-decoded string. */
export function messageScreens(appName: string, appVersion: string, path: string, message: string | Uint8Array): string[] {
  const body = showsMessageText(appName, appVersion, message)
    ? ['Message', typeof message === 'string' ? message : Buffer.from(message).toString('ascii')]
    : ['Message hash', deviceMessageHash(message)];
  return ['Sign message', `Path: m/${path.replace(/^m\//, '')}`, ...body, 'Sign message?'];
}
