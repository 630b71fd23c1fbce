// The one place where machine-readable error codes become the words a finance user reads. The core
// puts these words in every AppError it raises; the renderer uses the same table for what it checks
// itself (amounts as typed, IBANs). No stack traces, no socket errors, no "mod-97".
//
// These tables are also the English of the renderer's `errors` catalogue (renderer/src/i18n/en.ts): the
// core sends these English words with the code (and, where the words are built from values, `params`),
// and the renderer shows the words of the user's language when the message is exactly these.
import { parseAmount, formatAmount, groupThousands } from './money';
import { currencyExponent, type CurrencyCode } from './currencies';
import type { DeviceErrorCode } from './app-api';
import type { WordParams } from './errors';

export const ERROR_WORDS = {
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
  LAST_ADMINISTRATOR: 'The account needs at least one administrator: this would leave it with none.',
  INVALID_ADDRESS: 'This is not a Bitcoin address on this profile’s network.',
  TEXT_MISMATCH: 'The server lists a text to sign that does not match what it says the request is. Nothing was signed; tell your administrator.',
  UNKNOWN_BENEFICIARY: 'That destination is not in the beneficiary book.',
  AUDIT_GAP: 'The audit trail the server sent is not whole (an event is missing); it is not shown.',
  BAD_SIGNATURE: 'An audit event’s signature does not verify against the back office’s key; the trail is not shown.',
  // transfers in the app
  TRANSFER_STATE: 'A transfer is already waiting on your Ledger or being sent. Finish or cancel it first.',
  UNKNOWN_REVIEW: 'This transfer was not prepared, or was already sent. Start a new transfer.',
  INVALID_DESTINATION: 'Enter the address of a CCC account, or an IBAN.',
  HISTORY_LOADING: 'Your history is still being loaded and checked. Try again in a moment, when it is complete.',
  REFERENCE_NOT_ASCII: 'The reference can only use plain letters A–Z, digits, spaces and punctuation, so that your Ledger can show it exactly (no accents or symbols).',
  UNLOCK_FAILED: 'The Ledger signed with a different key than the one logged in. The app stays locked.',
  RECEIPT_INVALID: 'A receipt needs a transaction ID (a positive whole number).',
  NO_VIRTUAL_DEVICE: 'The virtual device exists only for a sandbox profile on this machine.',
  UNKNOWN_TRANSACTION: 'No such transaction in this account.',
  AWAITING_APPROVAL: 'The transfer waits for approval by other approvers of the company account; it was not sent yet.',
  // the device (login and transfers)
  NO_DEVICE: 'No Ledger found. Connect it with the cable and unlock it.',
  LOCKED: 'Your Ledger is locked. Enter your PIN on the device.',
  WRONG_APP: 'Open the Bitcoin app on your Ledger.',
  UNPLUGGED: 'The Ledger was disconnected. Reconnect it, unlock it and open the Bitcoin app.',
  BUSY: 'Your Ledger is busy with another request. Finish it on the device first.',
  UNSUPPORTED_PATH: 'This profile’s key path is not one the app supports.',
  // a transfer the user cancelled while the device was asked
  CANCELLED: 'Cancelled. If your Ledger still shows the transfer, reject it there; nothing will be sent either way.',
  UNKNOWN: 'Something went wrong; nothing was changed. Try again.',
} as const;

/** Plain words for an error code; `fallback` (already plain) when the code is not known. */
export function plainWords(code: string, fallback?: string): string {
  return (ERROR_WORDS as Record<string, string>)[code] ?? fallback ?? ERROR_WORDS.UNKNOWN;
}

/** A device failure: what happened and what to do next (device/errors.ts describeDeviceError). */
export const DEVICE_FAILURE_WORDS = {
  NO_DEVICE: { title: 'No Ledger found', action: 'Connect your Ledger with its USB cable and unlock it.' },
  LOCKED: { title: 'Your Ledger is locked', action: 'Enter your PIN on the device, then try again.' },
  WRONG_APP: { title: 'The Bitcoin app is not open', action: 'Open the Bitcoin app on your Ledger (not the dashboard or another app), then try again.' },
  USER_REJECTED: { title: 'Rejected on the device', action: 'Nothing was sent. Start again if you want to approve it.' },
  UNPLUGGED: { title: 'The Ledger was disconnected', action: 'Reconnect it, unlock it, open the Bitcoin app and try again.' },
  TIMEOUT: { title: 'The Ledger did not answer in time', action: 'Check the device screen; unplug and reconnect it if it is stuck.' },
  BUSY: { title: 'The Ledger is busy with another request', action: 'Finish or reject the request shown on the device first.' },
  UNSUPPORTED_PATH: { title: 'This derivation path is not supported', action: "Use a standard path: 44'/0'/0'/0/0 (legacy), 49'/0'/0'/0/0 (nested segwit) or 84'/0'/0'/0/0 (native segwit); coin type 1' on testnet." },
  UNKNOWN: { title: 'The Ledger reported an unexpected error', action: 'Unplug and reconnect the device, open the Bitcoin app, and try again.' },
} as const satisfies Record<DeviceErrorCode, { title: string; action: string }>;

/** The whole words of a device failure ("title. action"); sent with params {context: 'device'}. */
export function deviceFailureWords(code: DeviceErrorCode, title: string = DEVICE_FAILURE_WORDS[code].title): string {
  return `${title}. ${DEVICE_FAILURE_WORDS[code].action}`;
}

/** A refusal or a timeout on the device, by what the user was doing (keys: code_doing, i18next's context). */
export const DEVICE_DOING_WORDS = {
  USER_REJECTED_login: 'You rejected the login on your Ledger. Log in again and approve it on the device to continue.',
  USER_REJECTED_unlock: 'You rejected the unlock on your Ledger. The app stays locked.',
  USER_REJECTED_transfer: 'You rejected the transfer on your Ledger. Nothing was sent and no money moved.',
  TIMEOUT_transfer: 'Your Ledger did not answer in time. Nothing was sent.',
  TIMEOUT_login: 'Your Ledger did not answer in time. Try again.',
  TIMEOUT_unlock: 'Your Ledger did not answer in time. Try again.',
} as const;

type Doing = 'login' | 'transfer' | 'unlock';

/** The words for a device failure, by what the user was doing. */
export function deviceWords(code: string, doing: Doing): string {
  return (DEVICE_DOING_WORDS as Record<string, string>)[`${code}_${doing}`] ?? plainWords(code);
}

/** The params that say which of deviceWords' sentences was sent. */
export function deviceWordParams(code: string, doing: Doing): WordParams | undefined {
  return `${code}_${doing}` in DEVICE_DOING_WORDS ? { context: doing } : undefined;
}

/** What can be wrong with a typed amount (the renderer's catalogue: amount.<problem>, with a context). */
export const AMOUNT_WORDS = {
  empty: 'Enter an amount.',
  negative: 'Enter the amount without a minus sign.',
  localForm: 'Enter the amount as you write it here, e.g. {{example}}.',
  commas: 'Use a point for decimals and commas only between thousands, e.g. 25,000.00.',
  zero: 'Enter an amount greater than zero.',
  precision_none: '{{currency}} has no decimals.',
  precision_one: '{{currency}} has at most 1 decimal.',
  precision_many: '{{currency}} has at most {{decimals}} decimals.',
  tooLarge: 'This amount is larger than the app can send in one transfer.',
  figures: 'Enter the amount in figures, e.g. 25,000.00.',
} as const;

export type AmountProblem = 'empty' | 'negative' | 'localForm' | 'commas' | 'zero' | 'precision' | 'tooLarge' | 'figures';

/** A typed amount that cannot be read: the English words, and the problem and values they are built from. */
export interface AmountRefusal {
  ok: false;
  message: string;
  problem: AmountProblem;
  params?: WordParams;
}

/** The refusal for a problem (params.context picks a variant, as i18next's context does). */
export function amountRefusal(problem: AmountProblem, params?: WordParams): AmountRefusal {
  const key = params?.context ? `${problem}_${params.context}` : problem;
  return { ok: false, message: fillWords((AMOUNT_WORDS as Record<string, string>)[key], params ?? {}), problem, ...(params ? { params } : {}) };
}

/** Amount as typed by a person: grouping commas and spaces allowed ("25,000.00", "25 000"). */
export function parseTypedAmount(text: string, currency: CurrencyCode): { ok: true; minor: bigint; canonical: string } | AmountRefusal {
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!t) return amountRefusal('empty');
  // Commas only as thousands separators: "1,234,567.89" — never "1,5" (ambiguous).
  if (t.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) return amountRefusal('commas');
  const r = parseAmount(t.replace(/,/g, ''), currency);
  if (r.ok) return { ok: true, minor: r.minor, canonical: formatAmount(r.minor, currency) };
  switch (r.error.kind) {
    case 'zero':
      return amountRefusal('zero');
    case 'negative':
      return amountRefusal('negative');
    case 'precision': {
      const exp = currencyExponent(currency);
      return amountRefusal('precision', { context: exp === 0 ? 'none' : exp === 1 ? 'one' : 'many', currency, decimals: String(exp) });
    }
    case 'too_large':
      return amountRefusal('tooLarge');
    default:
      return amountRefusal('figures');
  }
}

/** Words built from values ({{name}} as in i18next); the key is the code with its context. */
export const TEMPLATE_WORDS = {
  INSUFFICIENT_FUNDS_amounts: 'Your available balance is {{available}} {{currency}}, less than {{amount}} {{currency}}. Lower the amount or add funds first.',
  WRONG_APP_dashboard: 'The Bitcoin app is not open (the device shows the dashboard). Open the Bitcoin app on your Ledger (not the dashboard or another app), then try again.',
  WRONG_APP_otherApp: 'The Bitcoin app is not open (the device shows the {{app}} app). Open the Bitcoin app on your Ledger (not the dashboard or another app), then try again.',
  // a login challenge the app would not sign (the reason's own words: params.reasonKey, shared/login-text.ts)
  LOGIN_REFUSED: 'Refused to log in: {{reason}}.',
  ACCOUNT_NOT_PROTECTED_declined: 'Your account does not yet require a Ledger confirmation for every transfer (declined on the device). You will be asked again at the next login.',
  ACCOUNT_NOT_PROTECTED_failed: 'Your account does not yet require a Ledger confirmation for every transfer: {{reason}}. You will be asked again at the next login.',
} as const;

/** Fills a template's {{names}} (money params are canonical decimals, written with grouped thousands). */
export function fillWords(template: string, params: WordParams): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => params[k] ?? '');
}

/** Why a balance does not cover an amount, in words with grouped figures; params carry the canonical values. */
export function insufficientFunds(amount: string, available: string, currency: string): { message: string; params: WordParams } {
  const params = { context: 'amounts', amount, available, currency };
  return { message: fillWords(TEMPLATE_WORDS.INSUFFICIENT_FUNDS_amounts, { ...params, amount: groupThousands(amount), available: groupThousands(available) }), params };
}
