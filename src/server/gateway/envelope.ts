// Frames in and out of the public API. Outgoing: the spec's message shape, with `data` inserted as
// the exact JSON text the back office produced (signed data stays byte-for-byte canonical) and the
// binding extension beside it. Incoming: a frame becomes a validated operation envelope, or the
// error code that says why not (shared/protocol.ts holds the schemas).
import type { ErrorCode } from '../../shared/errors';
import { isOperationName, NonceSchema, type Nonce, type OperationName } from '../../shared/protocol';

/** Builds a frame around `data`, which is already JSON text. */
export function frame(msg: string, nonce: Nonce | undefined, dataJson: string, signed?: string, bind?: { json: string; signed: string }): string {
  return `{"msg":${JSON.stringify(msg)}${nonce !== undefined ? `,"nonce":${JSON.stringify(nonce)}` : ''},"data":${dataJson}${signed !== undefined ? `,"signed":${JSON.stringify(signed)}` : ''}${bind ? `,"bind":${bind.json},"bindSigned":${JSON.stringify(bind.signed)}` : ''}}`;
}

export type ParsedEnvelope =
  | { ok: true; op: OperationName; nonce: Nonce | undefined; params: Record<string, unknown> | undefined }
  | { ok: false; code: ErrorCode; nonce: Nonce | undefined; message?: string };

/**
 * Parses one incoming frame. `allowed` is whether the rate limit let it through: a frame over the
 * limit is still parsed far enough to echo its nonce on the RATE_LIMITED answer.
 */
export function parseEnvelope(raw: Buffer, isBinary: boolean, maxFrame: number, allowed: boolean): ParsedEnvelope {
  if (raw.length > maxFrame) return { ok: false, code: 'FRAME_TOO_LARGE', nonce: undefined, message: `frames are limited to ${maxFrame} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(isBinary ? raw.toString('utf8') : raw.toString());
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', nonce: undefined };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, code: 'MALFORMED_JSON', nonce: undefined, message: 'an operation is a JSON object: {"op": …, "nonce": …, "params": {…}}' };
  }
  const env = parsed as { op?: unknown; nonce?: unknown; params?: unknown };
  let nonce: Nonce | undefined;
  if (env.nonce !== undefined) {
    const n = NonceSchema.safeParse(env.nonce);
    if (!n.success) return { ok: false, code: 'INVALID_NONCE', nonce: undefined };
    nonce = n.data;
  }
  if (!allowed) return { ok: false, code: 'RATE_LIMITED', nonce };
  if (!isOperationName(env.op)) return { ok: false, code: 'UNKNOWN_OP', nonce, message: `unknown operation ${JSON.stringify(env.op)}` };
  if (env.params !== undefined && (env.params === null || typeof env.params !== 'object' || Array.isArray(env.params))) {
    return { ok: false, code: 'INVALID_PARAMS', nonce, message: 'params must be an object' };
  }
  return { ok: true, op: env.op, nonce, params: env.params as Record<string, unknown> | undefined };
}
