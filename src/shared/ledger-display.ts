// What the Ledger Bitcoin app shows when asked to sign a message — one home for its rules, used by
// the confirmation texts (which must be shown in full), the signer (which tells the user what the
// device will show) and the virtual Ledger. Facts: ../shared/notes/ledger-bitcoin-app.md.
//
// From 2.2.2 the app shows the message itself when it is at most 640 bytes of printable ASCII
// (LF allowed from 2.4.3); otherwise, and on every older or "Legacy" app, only "Message hash":
// SHA-256 of the message bytes in upper-case hex. Apps from 2.1.0 speak the new APDU protocol.
import semver from 'semver';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';

export const MESSAGE_TEXT_MAX_BYTES = 640;
export const SHOWS_TEXT_FROM = '2.2.2';
export const SHOWS_LF_FROM = '2.4.3';
export const NEW_PROTOCOL_FROM = '2.1.0';

/** A version string as the device reports it, compared leniently ("2.1.3-rc" → 2.1.3). */
function atLeast(version: string, minimum: string): boolean {
  const v = semver.coerce(version);
  return v !== null && semver.gte(v, minimum);
}

/** Bitcoin apps from 2.1.0 speak the new APDU protocol; older ones and the "Legacy" apps the old one. */
export function usesLegacyProtocol(appName: string, appVersion: string): boolean {
  return /Legacy$/.test(appName) || !atLeast(appVersion, NEW_PROTOCOL_FROM);
}

/** Whether this app version can show message text at all (else always the hash). */
export function appShowsText(appName: string, appVersion: string): boolean {
  return !usesLegacyProtocol(appName, appVersion) && atLeast(appVersion, SHOWS_TEXT_FROM);
}

const utf8 = (message: string | Uint8Array): Uint8Array => (typeof message === 'string' ? new TextEncoder().encode(message) : message);

/** Whether the app shows this message itself. Decided on the bytes the device receives (UTF-8 for a string). */
export function showsMessageText(appName: string, appVersion: string, message: string | Uint8Array): boolean {
  if (!appShowsText(appName, appVersion)) return false;
  const lfAllowed = atLeast(appVersion, SHOWS_LF_FROM);
  const bytes = utf8(message);
  return bytes.length > 0 && bytes.length <= MESSAGE_TEXT_MAX_BYTES && bytes.every((b) => (b >= 0x20 && b <= 0x7e) || (lfAllowed && b === 0x0a));
}

/** Shown in full by every app version that shows text: one line of printable ASCII, at most 640 bytes. */
export function isDeviceDisplayable(message: string): boolean {
  return showsMessageText('Bitcoin', SHOWS_TEXT_FROM, message);
}

/** What the device shows instead of the text: SHA-256 of the message bytes (UTF-8 for a string), upper-case hex. */
export function deviceMessageHash(message: string | Uint8Array): string {
  return bytesToHex(sha256(utf8(message))).toUpperCase();
}
