// The challenge/auth handshake: a login text naming this server's public host and a fresh nonce
// (shared/login-text.ts; the app signs it only for the host it connects to, so a relay cannot pass
// it on), answered by a Bitcoin message signature of the session's own challenge, single use,
// within its lifetime, with a limit on failures.
import crypto from 'node:crypto';
import type { ErrorCode } from '../../shared/errors';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { loginText } from '../../shared/login-text';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { AuthParams, describeIssues } from '../../shared/protocol';
import type { Session } from './session';

export interface LoginOptions {
  /** host[:port] customers connect to, named in every challenge. */
  publicHost: string;
  network: BitcoinNetwork;
  challengeTtlMs: number;
  maxAuthFailures: number;
}

export type LoginVerdict =
  | { ok: true; address: string }
  /** `newChallenge`: a fresh challenge follows the error; `close`: the connection is closed after it. */
  | { ok: false; code: ErrorCode; message?: string; newChallenge: boolean; close: boolean };

export class Login {
  constructor(private readonly opts: LoginOptions) {}

  /** Gives the session a fresh challenge and returns its text. */
  challenge(s: Session): string {
    s.challengeNonce = crypto.randomBytes(16).toString('hex');
    s.challengeAt = Date.now();
    s.challenge = loginText({ host: this.opts.publicHost, nonce: s.challengeNonce, issuedAt: s.challengeAt });
    return s.challenge;
  }

  /** Checks an `auth` operation; on success the session is authenticated (its challenge used up). */
  authenticate(s: Session, params: unknown): LoginVerdict {
    const fail = (code: ErrorCode, newChallenge: boolean, message?: string): LoginVerdict => ({ ok: false, code, message, newChallenge, close: false });
    if (s.address) return fail('ALREADY_AUTHENTICATED', false);
    const p = AuthParams.safeParse(params ?? {});
    if (!p.success) return fail('INVALID_PARAMS', false, describeIssues(p.error));
    if (!s.challenge || Date.now() - s.challengeAt > this.opts.challengeTtlMs) return fail('CHALLENGE_EXPIRED', true);
    const parsed = parseBitcoinAddress(p.data.key);
    const valid = parsed !== null && parsed.network === this.opts.network;
    if (valid && verifyMessageSignature(s.challenge, p.data.key, p.data.signature)) {
      s.challenge = null; // single use
      s.session = s.challengeNonce;
      s.address = p.data.key;
      s.failures = 0;
      return { ok: true, address: p.data.key };
    }
    s.failures += 1;
    if (s.failures >= this.opts.maxAuthFailures) return { ok: false, code: 'TOO_MANY_AUTH_FAILURES', newChallenge: false, close: true };
    if (!valid) return fail('INVALID_ADDRESS', true, `${p.data.key} is not a supported ${this.opts.network} address (P2PKH, P2SH-P2WPKH or P2WPKH)`);
    return fail('AUTH_FAILED', true);
  }
}
