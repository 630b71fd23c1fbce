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

export function showsMessageText(appName: string, appVersion: string, message: string): boolean {
  if (usesLegacyProtocol(appName, appVersion) || compareVersions(appVersion, '2.2.2') < 0) return false;
  const lfAllowed = compareVersions(appVersion, '2.4.3') >= 0;
  const bytes = Buffer.byteLength(message, 'utf8');
  return bytes > 0 && bytes <= 640 && (lfAllowed ? /^[\x20-\x7e\n]+$/ : /^[\x20-\x7e]+$/).test(message);
}

/** The screens of a message signature, in order. */
export function messageScreens(appName: string, appVersion: string, path: string, message: string): string[] {
  const body = showsMessageText(appName, appVersion, message) ? ['Message', message] : ['Message hash', deviceMessageHash(message)];
  return ['Sign message', `Path: m/${path.replace(/^m\//, '')}`, ...body, 'Sign message?'];
}
