// The one place where machine-readable error codes become the words a finance user reads. The core
// puts these words in every AppError it raises; the renderer uses the same table for what it checks
// itself (amounts as typed, IBANs). No stack traces, no socket errors, no "mod-97".
import { parseAmount, formatAmount, groupThousands } from './money';
import type { CurrencyCode } from './currencies';

const WORDS: Record<string, string> = {
  // network and session
  CONNECTION_FAILED: 'The CCC server cannot be reached. Check your network connection, or that the server address in this profile is right, then try again.',
  DISCONNECTED: 'The connection to the CCC server was lost. The app reconnects by itself.',
  TIMEOUT: 'The CCC server did not answer in time. Try again in a moment.',
  OFFLINE: 'You are offline. Wait until the status says “Online”, then try again.',
  RECONNECT_FAILED: 'Reconnecting to the CCC server failed; the app keeps trying.',
  AUTH_FAILED: 'The CCC server did not accept the login signature. Log in again.',
  SECURITY: 'The CCC server sent a message that failed the security check; it was refused.',
  NOT_LOGGED_IN: 'You are logged out. Log in again.',
  LOCKED_APP: 'The app is locked. Unlock it with your Ledger.',
  // server answers
  NOT_AUTHENTICATED: 'The session is not logged in any more. Log in again.',
  NOT_REGISTERED: 'This Ledger has no CCC account yet. Register first.',
  ALREADY_REGISTERED: 'This Ledger already has a CCC account.',
  NOT_VERIFIED: 'Sending is possible once your account is verified (KYC).',
  UNSUPPORTED_CURRENCY: 'This currency is not supported.',
  INVALID_AMOUNT: 'The amount is not valid.',
  INSUFFICIENT_FUNDS: 'Your available balance is too low for this transfer.',
  UNKNOWN_DESTINATION: 'No CCC account uses this address. Check it with the recipient.',
  SELF_TRANSFER: 'That is your own account.',
  INVALID_IBAN: 'This IBAN is not valid. Check it against the recipient’s bank details.',
  COMPLIANCE_REJECTED: 'Crypto Capital’s rules do not allow this transfer.',
  IDEMPOTENCY_CONFLICT: 'This transfer request was already used for a different transfer. Start a new transfer.',
  CONFIRMATION_REQUIRED: 'The server needs the transfer confirmed on your Ledger.',
  CONFIRMATION_INVALID: 'The server did not accept the Ledger’s confirmation for this transfer. Nothing was sent.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a moment, then try again.',
  BACKEND_UNAVAILABLE: 'Crypto Capital’s back office is unavailable right now; nothing was done. Try again in a moment.',
  INTERNAL_ERROR: 'The CCC server had an unexpected problem; nothing was done. Try again in a moment.',
  NOT_A_MEMBER: 'This Ledger is not a member of that company account. Ask one of its administrators to add it.',
  ROLE_FORBIDS: 'Your role in this company account does not allow this. Ask an administrator.',
  OWN_APPROVAL: 'You started this transfer, so your approval does not count. Another approver must approve it.',
  UNKNOWN_APPROVAL: 'This transfer is not waiting for approval (any more).',
  ALREADY_DECIDED: 'This transfer was already decided, or you already approved it.',
  // transfers in the app
  TRANSFER_STATE: 'A transfer is already waiting on your Ledger or being sent. Finish or cancel it first.',
  UNKNOWN_REVIEW: 'This transfer was not prepared, or was already sent. Start a new transfer.',
  INVALID_DESTINATION: 'Enter the address of a CCC account, or an IBAN.',
  HISTORY_LOADING: 'Your history is still being loaded and checked. Try again in a moment, when it is complete.',
  // the device (login and transfers)
  NO_DEVICE: 'No Ledger found. Connect it with the cable and unlock it.',
  LOCKED: 'Your Ledger is locked. Enter your PIN on the device.',
  WRONG_APP: 'Open the Bitcoin app on your Ledger.',
  UNPLUGGED: 'The Ledger was disconnected. Reconnect it, unlock it and open the Bitcoin app.',
  BUSY: 'Your Ledger is busy with another request. Finish it on the device first.',
  UNSUPPORTED_PATH: 'This profile’s key path is not one the app supports.',
};

/** Plain words for an error code; `fallback` (already plain) when the code is not known. */
export function plainWords(code: string, fallback?: string): string {
  return WORDS[code] ?? fallback ?? 'Something went wrong; nothing was changed. Try again.';
}

/** The words for a device failure, by what the user was doing. */
export function deviceWords(code: string, doing: 'login' | 'transfer' | 'unlock'): string {
  if (code === 'USER_REJECTED') {
    if (doing === 'login') return 'You rejected the login on your Ledger. Log in again and approve it on the device to continue.';
    if (doing === 'unlock') return 'You rejected the unlock on your Ledger. The app stays locked.';
    return 'You rejected the transfer on your Ledger. Nothing was sent and no money moved.';
  }
  if (code === 'TIMEOUT') return doing === 'transfer' ? 'Your Ledger did not answer in time. Nothing was sent.' : 'Your Ledger did not answer in time. Try again.';
  return plainWords(code);
}

/** Amount as typed by a person: grouping commas and spaces allowed ("25,000.00", "25 000"). */
export function parseTypedAmount(text: string, currency: CurrencyCode): { ok: true; minor: bigint; canonical: string } | { ok: false; message: string } {
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!t) return { ok: false, message: 'Enter an amount.' };
  // Commas only as thousands separators: "1,234,567.89" — never "1,5" (ambiguous).
  if (t.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) return { ok: false, message: 'Use a point for decimals and commas only between thousands, e.g. 25,000.00.' };
  const r = parseAmount(t.replace(/,/g, ''), currency);
  if (r.ok) return { ok: true, minor: r.minor, canonical: formatAmount(r.minor, currency) };
  switch (r.error.kind) {
    case 'zero':
      return { ok: false, message: 'Enter an amount greater than zero.' };
    case 'negative':
      return { ok: false, message: 'Enter the amount without a minus sign.' };
    case 'precision':
      return { ok: false, message: `${currency} has at most ${decimalsWord(currency)}.` };
    case 'too_large':
      return { ok: false, message: 'This amount is larger than the app can send in one transfer.' };
    default:
      return { ok: false, message: 'Enter the amount in figures, e.g. 25,000.00.' };
  }
}

function decimalsWord(currency: CurrencyCode): string {
  const probe = formatAmount(1n, currency);
  const exp = probe.includes('.') ? probe.length - probe.indexOf('.') - 1 : 0;
  return exp === 0 ? 'no decimals' : `${exp} decimal${exp === 1 ? '' : 's'}`;
}

/** Why a balance does not cover an amount, in words with grouped figures. */
export function insufficientFundsWords(amount: string, available: string, currency: string): string {
  return `Your available balance is ${groupThousands(available)} ${currency}, less than ${groupThousands(amount)} ${currency}. Lower the amount or add funds first.`;
}
