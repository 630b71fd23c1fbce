// What a signed answer is for. The spec's `signed` covers only `data`, so a validly signed
// `balance` of one account could be replayed as the answer to another account's request (or an
// old `transfer` as the answer to a new transfer op). Every answer the back office sends to an
// operation therefore carries, BESIDE the spec's fields (whose shapes stay as the spec gives them):
//
//   "bind": {"account", "msg", "nonce", "session", "at"}   what the answer is for
//   "bindSigned": signature by the back-office key of canonicalJson({"bind": bind, "data": data})
//
// `session` is the nonce of the login challenge this connection signed, so an answer can only be
// applied on the connection that asked for it; `nonce` is the op's nonce; `at` the back office's
// clock (ms), so the app can refuse an answer older than what it already has.
import { answerProblem, type AnswerProblemKey, type Worded } from '../answer-problems';
import { canonicalJson } from '../canonical-json';
import { signMessage, verifyMessageSignature } from './message-signature';
import type { AnswerBinding, Nonce } from '../protocol';

/** The text a binding signature covers (the back office's signing pool signs exactly this). */
export function bindingText(bind: AnswerBinding, data: unknown): string {
  return canonicalJson({ bind, data });
}

export function signBinding(bind: AnswerBinding, data: unknown, privateKey: Uint8Array): string {
  return signMessage(bindingText(bind, data), privateKey);
}

export interface BindingExpectation {
  account: string;
  msg: string;
  nonce: Nonce | null;
  session: string;
  /** The answer must not be older than this (back-office ms). */
  notBefore?: number;
}

/** Why an answer's binding is not acceptable, or null when it is genuine and for this request. */
export function bindingProblem(frame: { data: unknown; bind?: unknown; bindSigned?: unknown }, expected: BindingExpectation, trustedAddress: string): string | null {
  return bindingProblemOf(frame, expected, trustedAddress)?.text ?? null;
}

/** The same, with its key and values (the renderer says it in the user's language: shared/answer-problems.ts). */
export function bindingProblemOf(frame: { data: unknown; bind?: unknown; bindSigned?: unknown }, expected: BindingExpectation, trustedAddress: string): Worded<AnswerProblemKey> | null {
  const b = frame.bind as Partial<AnswerBinding> | undefined;
  if (!b || typeof b !== 'object' || typeof frame.bindSigned !== 'string') return answerProblem('noBinding');
  let text: string;
  try {
    text = bindingText(b as AnswerBinding, frame.data);
  } catch {
    return answerProblem('malformedBinding');
  }
  if (!verifyMessageSignature(text, trustedAddress, frame.bindSigned)) return answerProblem('unsignedBinding');
  if (b.account !== expected.account) return answerProblem('otherAccount', { got: String(b.account), expected: expected.account });
  if (b.msg !== expected.msg) return answerProblem('otherMessage', { got: String(b.msg), expected: expected.msg });
  if ((b.nonce ?? null) !== expected.nonce) return answerProblem('otherRequest');
  if (b.session !== expected.session) return answerProblem('otherConnection');
  if (typeof b.at !== 'number' || !Number.isSafeInteger(b.at)) return answerProblem('malformedTime');
  if (expected.notBefore !== undefined && b.at < expected.notBefore) return answerProblem('stale');
  return null;
}
