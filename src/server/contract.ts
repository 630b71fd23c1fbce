// The contract between the public gateway and the back office. The gateway authenticates
// sessions and validates input; the back office is the only holder of data. The same
// interface is served in-process (`ccc-server serve`) and over the internal link
// (`ccc-server backoffice` + `ccc-server gateway --backoffice URL`).
import crypto from 'node:crypto';
import type { ApiErrorData } from '../shared/errors';
import type { Nonce, OperationName, OpParams, ServerMessage } from '../shared/protocol';

/** Operations the back office performs; `auth` never leaves the gateway. */
export type BackOfficeOp = Exclude<OperationName, 'auth'>;

export interface OpRequest<K extends BackOfficeOp = BackOfficeOp> {
  /** Unique across all gateways ("<gatewayId>.<instance>:<connection>:<counter>"); notifications use it to skip the originating session (also when replayed). */
  ref: string;
  /** The account the operation is for: the session's own address, or the team account it acts for (`act`). */
  account: string;
  /** When a member acts for a team account: the member's own (authenticated) address. The back office
   * checks the membership and the role on every operation (docs/team-treasury.md). */
  member?: string;
  op: K;
  /** Already validated by the gateway with the shared schemas (the back office re-validates). */
  params: OpParams[K];
  /** The client's op nonce (null when it sent none): the answer's signed binding names it. */
  nonce?: Nonce | null;
  /** The nonce of the login challenge the session signed: answers are bound to this connection. */
  session?: string;
}

/** A message ready to send, without a nonce (the gateway adds the op's nonce). */
export interface OutboundMessage {
  msg: ServerMessage['msg'];
  /** The JSON text of `data`; for signed messages this is exactly the RFC 8785 canonical text that was signed. */
  data: string;
  signed?: string;
  /** Extension: the JSON text of the answer's binding, and the back office's signature over it with data. */
  bind?: string;
  bindSigned?: string;
}

export type OpOutcome = { ok: true } | { ok: false; error: ApiErrorData };

/** Operations that change state: the back office remembers their outcome by `ref` (see outcomes.ts). */
export const STATE_CHANGING_OPS: readonly BackOfficeOp[] = ['register', 'setinfo', 'transfer', 'setpolicy', 'setmember'];
export function isStateChanging(op: BackOfficeOp): boolean {
  return STATE_CHANGING_OPS.includes(op);
}

/**
 * What became of an operation whose link dropped while it was in flight: `done` with the answer it
 * got (the original messages, signatures included, and its outcome), or `not-performed` — the back
 * office has no record and has fenced the ref, so it never will be performed.
 */
export type RecoveredOutcome =
  | { ref: string; state: 'done'; messages: OutboundMessage[]; outcome: OpOutcome }
  | { ref: string; state: 'not-performed' };

/** Flow control of a streamed answer (history): the producer awaits `more()` between pages; false stops it. */
export interface OpFlow {
  more(): Promise<boolean>;
}

/** Rejection of `execute` when the operation was sent but the link dropped before its answer: its outcome is unknown. */
export class OutcomeUnknownError extends Error {
  constructor(message = 'back office link lost with the operation in flight') {
    super(message);
    this.name = 'OutcomeUnknownError';
  }
}

/** Deliver `message` to every session of `account`, except the session that sent request `exceptRef` (it got it as the answer). */
export interface Notification {
  account: string;
  message: OutboundMessage;
  exceptRef?: string;
  /** A member was removed from `account`: every session of that member acting for it ends at once. */
  revokedMember?: string;
  /** Its place in the back office's outbox (committed order): a gateway asks for what follows the last it got. */
  seq?: number;
}

/** The outbox of committed notifications, for gateways that reconnect (the link server replays from it). */
export interface NotificationOutbox {
  /** Notifications committed after `after`, oldest first, at most `limit`. */
  notificationsAfter(after: number, limit: number): Promise<Notification[]>;
  /** The sequence number of the last committed notification (0: none). */
  notificationHead(): Promise<number>;
}

/** A login at a gateway, reported to the back office for the accounts' audit trails (best effort). */
export interface LoginEvent {
  /** The key that logged in, or that a failed attempt claimed (a valid address of the network). */
  address: string;
  gateway: string;
  ok: boolean;
  /** Why a failed attempt failed (AUTH_FAILED, TOO_MANY_AUTH_FAILURES). */
  code?: string;
}

export type AdminCommand =
  | { command: 'verify'; address: string }
  | { command: 'deposit'; to: string; from: string; currency: string; amount: string; reference?: string }
  | { command: 'settle'; txid: number | bigint | string; outcome: 'complete' | 'failed'; reason?: string }
  | { command: 'key' };

export interface BackOfficePort {
  /**
   * Perform an operation. Answer messages are passed to `emit` in order (a history replay emits
   * one `transfer` per transaction, then its closing `history`); the promise resolves once the
   * operation is fully answered. Rejects if the back office cannot be reached: with
   * OutcomeUnknownError when the operation had been sent (the gateway then asks
   * `recoverOutcomes`), with another error when it was not (BACKEND_UNAVAILABLE: not performed).
   * `flow` paces a streamed answer (history pages); without it the stream is not paced.
   */
  execute(req: OpRequest, emit: (m: OutboundMessage) => void, flow?: OpFlow): Promise<OpOutcome>;
  /** What became of operations sent before the link dropped (waits for those still being performed). */
  recoverOutcomes(refs: string[]): Promise<RecoveredOutcome[]>;
  admin(cmd: AdminCommand): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorData }>;
  onNotification(listener: (n: Notification) => void): () => void;
  /** Records a login (or failed attempt) in the audit trail of the accounts it concerns; never fails the login. */
  recordLogin(e: LoginEvent): void;
  /** Whether the back office is reachable now (a remote link may be down and reconnecting). */
  isAvailable(): boolean;
  close(): Promise<void>;
}

// ---- the internal link (JSON over WebSocket, loopback by default) ------------------------
// Authentication: the back office sends {t:'challenge', nonce}; the client answers
// {t:'hello', role, gatewayId, mac} with mac = hex HMAC-SHA256(linkSecret, nonce); the back office
// answers {t:'welcome', backofficeAddress} or closes with code 4001. The link secret is
// generated on first start in the data directory (file `link-secret`).
export type LinkClientFrame =
  | { t: 'hello'; role: 'gateway' | 'admin'; gatewayId: string; mac: string; /** A gateway's last notification seq: replay what followed. */ after?: number }
  | { t: 'op'; ref: string; account: string; member?: string; op: BackOfficeOp; params: unknown; nonce?: Nonce | null; session?: string }
  | { t: 'admin'; ref: string; cmd: AdminCommand }
  | { t: 'recover'; id: string; refs: string[] }
  | { t: 'more'; ref: string; go: boolean }
  | { t: 'login'; event: LoginEvent };

export type LinkServerFrame =
  | { t: 'challenge'; nonce: string }
  | { t: 'welcome'; backofficeAddress: string; /** The last committed notification's seq (a gateway that sent no `after`). */ seq?: number; /** The missed notifications follow, then `replayed`. */ replay?: boolean }
  | { t: 'replayed'; count: number }
  | { t: 'msg'; ref: string; message: OutboundMessage }
  | { t: 'end'; ref: string; outcome: OpOutcome }
  | { t: 'admin-result'; ref: string; ok: true; result: unknown }
  | { t: 'admin-result'; ref: string; ok: false; error: ApiErrorData }
  | { t: 'notify'; notification: Notification }
  | { t: 'page'; ref: string }
  | { t: 'recovered'; id: string; results: RecoveredOutcome[] };

/** Largest frame on the internal link. */
export const LINK_MAX_FRAME_BYTES = 1024 * 1024;

/** The link's proof of the shared secret: hex HMAC-SHA256(secret, challenge nonce). */
export function linkMac(secret: string, nonce: string): string {
  return crypto.createHmac('sha256', secret).update(nonce).digest('hex');
}
