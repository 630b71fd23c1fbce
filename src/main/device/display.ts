// What the Ledger Bitcoin app shows when asked to sign a message, so the app can show the
// user the very same screens. App >= 2.2.2 shows the text when it is at most 640 bytes of
// printable ASCII (LF allowed from 2.4.3); older versions and the legacy app show only
// "Message hash" = SHA-256 of the message, in upper-case hex.
import { deviceMessageHash } from '../../shared/confirmation';

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Bitcoin apps from 2.1.0 speak the new APDU protocol; older ones and the "Legacy" apps the old one. */
export function usesLegacyProtocol(appName: string, appVersion: string): boolean {
  if (/Legacy$/.test(appName)) return true;
  return compareVersions(appVersion, '2.1.0') < 0;
}

/** Whether the app shows the message itself. Decided on the bytes the device receives (UTF-8 for a string). */
export function showsMessageText(appName: string, appVersion: string, message: string | Uint8Array): boolean {
  if (usesLegacyProtocol(appName, appVersion) || compareVersions(appVersion, '2.2.2') < 0) return false;
  const lfAllowed = compareVersions(appVersion, '2.4.3') >= 0;
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return bytes.length > 0 && bytes.length <= 640 && bytes.every((b) => (b >= 0x20 && b <= 0x7e) || (lfAllowed && b === 0x0a));
}

/** The screens of a message signature, in order. The hash is over the very bytes signed, never a re-decoded string. */
export function messageScreens(appName: string, appVersion: string, path: string, message: string | Uint8Array): string[] {
  const body = showsMessageText(appName, appVersion, message)
    ? ['Message', typeof message === 'string' ? message : Buffer.from(message).toString('ascii')]
    : ['Message hash', deviceMessageHash(message)];
  return ['Sign message', `Path: m/${path.replace(/^m\//, '')}`, ...body, 'Sign message?'];
}
