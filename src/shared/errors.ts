// The stable set of machine-readable error codes of the API. Clients switch on `code`;
// `message` is for humans. Codes are never renamed or reused; PROTOCOL.md documents each.
export const ERROR_CODES = {
  MALFORMED_JSON: 'The frame is not valid JSON or not a JSON object.',
  FRAME_TOO_LARGE: 'The frame exceeds the maximum frame size.',
  UNKNOWN_OP: 'The operation is not one the API knows.',
  INVALID_PARAMS: 'The operation parameters failed validation.',
  INVALID_NONCE: 'The nonce must be an integer or a string of at most 64 characters.',
  NOT_AUTHENTICATED: 'Authenticate with the challenge before using this operation.',
  ALREADY_AUTHENTICATED: 'This session is already authenticated.',
  AUTH_FAILED: 'The signature does not prove ownership of the key for the current challenge.',
  INVALID_ADDRESS: 'The key is not a supported Bitcoin address for this network.',
  CHALLENGE_EXPIRED: 'The challenge expired; a new one has been sent.',
  TOO_MANY_AUTH_FAILURES: 'Too many failed authentication attempts; the connection is closed.',
  NOT_REGISTERED: 'No account is registered for this address.',
  ALREADY_REGISTERED: 'An account is already registered for this address.',
  NOT_VERIFIED: 'The account has not completed KYC verification.',
  UNSUPPORTED_CURRENCY: 'The currency is not supported.',
  INVALID_AMOUNT: 'The amount is zero, negative, over-precise, too large or malformed.',
  INSUFFICIENT_FUNDS: 'The balance is too low for this transfer.',
  UNKNOWN_DESTINATION: 'The destination address has no registered account.',
  SELF_TRANSFER: 'The destination is the sender.',
  INVALID_IBAN: 'The IBAN is not valid.',
  COMPLIANCE_REJECTED: 'The transfer was rejected by a compliance rule.',
  IDEMPOTENCY_CONFLICT: 'The requestId was already used with different parameters.',
  CONFIRMATION_REQUIRED: 'This server requires a device confirmation signature on every transfer.',
  CONFIRMATION_INVALID: 'The confirmation signature does not match the transfer.',
  RATE_LIMITED: 'Too many operations; slow down.',
  BACKEND_UNAVAILABLE: 'The back office is unavailable; the operation was not performed.',
  OUTCOME_UNKNOWN: 'The link to the back office was lost while the operation was in flight and its outcome could not be learnt; check (history, or a retry with the same requestId) before retrying.',
  UNKNOWN_TRANSACTION: 'No such transaction.',
  NOT_A_MEMBER: 'This key is not a member of that account.',
  ROLE_FORBIDS: 'The member’s role does not allow this operation.',
  OWN_APPROVAL: 'The initiator of a transfer cannot approve it.',
  UNKNOWN_APPROVAL: 'No transfer awaiting approval has this requestId.',
  ALREADY_DECIDED: 'The transfer was already decided (released, rejected, cancelled, expired), or this approver already approved it.',
  INVALID_STATE: 'The transaction is not in a state that allows this.',
  INTERNAL_ERROR: 'An unexpected error occurred; the operation was not performed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Values a message's words are built from, so that the app can say them in the user's language. */
export type WordParams = Record<string, string>;

export type ApiErrorData = { code: ErrorCode; message: string; details?: unknown };

/**
 * The one error family of the code base: a machine-readable `code` and a message for people. Every
 * layer's error (API, client, app, device, settings, confirmation text, transfer state) extends it, so a
 * caller reads the code with codeOf() instead of casting.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** What a translated message needs besides the code (WordParams, below). */
    readonly params?: WordParams,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The code of anything thrown: a CodedError's code, `fallback` for anything else. */
export function codeOf(e: unknown, fallback = 'UNKNOWN'): string {
  if (e instanceof CodedError) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : fallback;
}

/** The message of anything thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ApiError extends CodedError<ErrorCode> {
  constructor(
    code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(code, message ?? ERROR_CODES[code]);
  }
  toData(): ApiErrorData {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, x);
}
