// The app's session with a CCC server: connect, answer the challenge with a device signature,
// typed request/response over nonces with timeouts, history replay as an async stream, and
// automatic reconnection (backoff with jitter; the device is asked again on every re-auth).
//
// Nothing signed is trusted unverified: every `transfer` and `balance` message must carry a valid
// signature by the endpoint's trusted back-office address over the RFC 8785 canonical JSON of its
// data, and every answer to an operation a signed binding to this account, this request and this
// connection (shared/answer-binding.ts). A message that fails is never delivered to the app; it
// raises a security alert instead.
//
// The device is asked to sign at login only a CCC login text naming the host of this endpoint
// (shared/login-text.ts), and only once per connection. ws:// is refused except to this computer;
// a profile may pin the server's TLS certificate.
//
// Transfers are special: the only way to send one is sendTransfer(), which requires the device's
// confirmation signature, and a transfer whose answer was lost to a dropped connection is resent
// with the same requestId after reconnecting, so it happens exactly once.
//
// Team accounts (docs/team-treasury.md): after act(), the session acts for a company account; its
// answers must then be bound to that account, its transfers concern that account, and after a
// reconnection it acts for it again (or, once removed, for its own account and says so).
import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import type { ZodType } from 'zod';
import { bindingProblemOf } from '../../shared/node/answer-binding';
import { answerProblem, transferMismatch, type AnswerProblemKey, type TransferMismatchKey, type Worded } from '../../shared/answer-problems';
import { checkLoginText } from '../../shared/login-text';
import { endpointProblem, normaliseFingerprint } from '../../shared/endpoint-policy';
import { closeWebSocket } from '../../shared/node/ws-close';
import { backoffDelay } from '../../shared/backoff';
import { verifySignedData } from '../../shared/node/message-signature';
import {
  AccountDataSchema,
  BalanceDataSchema,
  describeIssues,
  HistoryEndDataSchema,
  TransferDataSchema,
  type AccountData,
  type ActingData,
  type AnswerBinding,
  type ApprovalData,
  type BalanceData,
  type BoundBalance,
  type HistoryEndData,
  type Nonce,
  type OpInput,
  type SignedRecord,
  type TransferData,
} from '../../shared/protocol';
import type { ConnectionState, SecurityAlert } from '../../shared/app-api';
import { groupThousands } from '../../shared/money';
import { checkIban, formatIban } from '../../shared/iban';
import { CodedError } from '../../shared/errors';

/** An error of this layer (one family: CodedError). */
export class ClientError extends CodedError {}

export interface CccClientOptions {
  endpoint: string;
  trustedAddress: string;
  /** The address whose key signs (the device's). */
  address: string;
  /** Signs the login challenge (the device); called only with a login text checked for this endpoint. */
  signChallenge: (challenge: string) => Promise<string>;
  /** SHA-256 fingerprint of the server's TLS certificate; when set, only that certificate is accepted. */
  certificateSha256?: string;
  requestTimeoutMs?: number;
  /** Reconnect after an unexpected drop (default true). */
  reconnect?: boolean;
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Verifies a batch of replayed history rows (signature by the trusted back office, one verdict per
   * row), e.g. on a pool of worker threads (main/history/verify-pool.ts). Default: on this thread.
   */
  verifyBatch?: (records: SignedRecord<TransferData>[]) => Promise<boolean[]>;
}

/** Replayed rows are verified in batches of this many (a pool works on several at once). */
const REPLAY_BATCH = 256;

/** A transfer ready to send: the device has signed its confirmation text. */
export interface SignedTransfer {
  destination: string;
  currency: string;
  amount: string;
  requestId: string;
  reference?: string;
  /** The device's signature over confirmationText(...) — required, never optional. */
  confirmation: string;
}

type Frame = { msg: string; nonce?: Nonce; data: unknown; signed?: string; bind?: unknown; bindSigned?: unknown };

/** What the data of each answer must look like (zod schemas of the protocol), checked before it is used. */
const ANSWER_DATA: Record<string, ZodType | undefined> = { account: AccountDataSchema, register: AccountDataSchema, balance: BalanceDataSchema };

/** The messages that may answer each operation; every one of them carries a signed binding. */
const ANSWER_MSG: Record<string, readonly string[]> = {
  register: ['register'],
  getinfo: ['account'],
  setinfo: ['account'],
  balance: ['balance'],
  history: ['history'],
  transfer: ['transfer', 'approval'],
  setpolicy: ['account'],
  // Team accounts: a change may wait for a second administrator (`change`).
  act: ['acting'],
  members: ['members'],
  setmember: ['members', 'change'],
  audit: ['audit'],
  teampolicy: ['approvals', 'change'],
  approvals: ['approvals'],
  approve: ['approval', 'change'],
  reject: ['approval', 'change'],
  cancel: ['approval', 'change'],
  beneficiaries: ['beneficiaries'],
  setbeneficiary: ['beneficiaries', 'change'],
  removebeneficiary: ['beneficiaries', 'change'],
};

/** Team operations (sent with team(); device-signed params are built by the caller). */
export type TeamOp = 'members' | 'setmember' | 'audit' | 'teampolicy' | 'approvals' | 'approve' | 'reject' | 'cancel' | 'beneficiaries' | 'setbeneficiary' | 'removebeneficiary';
type Pending = {
  op: string;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
  /** Streamed answers (history). */
  onMessage?: (f: Frame) => boolean;
};

export interface CccClientEvents {
  state: [ConnectionState];
  /** A verified transfer notification (not an answer to one of our requests), with its signature. */
  transfer: [SignedRecord<TransferData>];
  alert: [SecurityAlert];
  /** After every successful (re)authentication. */
  authenticated: [{ reconnect: boolean }];
  /** A reconnection attempt failed (e.g. the device refused); it will try again. */
  reconnectError: [Error];
  /**
   * A team account's news (not signed: what it asks of a device is shown on the device itself): a
   * transfer or change awaiting approval, or decided; `acting` when this session no longer acts for
   * the account it did (the member was removed).
   */
  team: [{ msg: 'approval' | 'change' | 'acting'; data: unknown }];
}

export class CccClient extends EventEmitter<CccClientEvents> {
  state: ConnectionState = 'idle';
  private ws: WebSocket | null = null;
  private nonce = 0;
  private readonly pending = new Map<Nonce, Pending>();
  /** Transfers sent whose answer has not arrived; resent after reconnecting. */
  private readonly inflightTransfers = new Map<string, { transfer: SignedTransfer; resolve: (r: { transfer: SignedRecord<TransferData> } | { approval: ApprovalData }) => void; reject: (e: Error) => void; attempts: number }>();
  private closedByUser = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The nonce of the login text this connection signed: answers must be bound to it. */
  private session: string | null = null;
  /** The back office's time of the newest balance applied: an older one is refused. */
  private lastBalanceAt = 0;
  /** The team account this session acts for (act), null for its own. */
  private acting: string | null = null;
  /** Signature checks made on incoming messages and the time they took (read by the benchmark). */
  readonly verification = { count: 0, ms: 0 };
  /** Security alerts raised for refused logins, misbound answers and certificate mismatches. */
  securityAlerts = 0;

  constructor(private readonly opts: CccClientOptions) {
    super();
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** Connects and authenticates. Rejects if the server or the device refuses. */
  async connect(): Promise<void> {
    this.closedByUser = false;
    await this.open(false);
  }

  private open(reconnect: boolean): Promise<void> {
    this.setState(reconnect ? 'reconnecting' : 'connecting');
    return new Promise((resolve, reject) => {
      const problem = endpointProblem(this.opts.endpoint);
      if (problem) return reject(new ClientError('INSECURE_ENDPOINT', `${this.opts.endpoint} ${problem}`));
      const pin = this.opts.certificateSha256 ? normaliseFingerprint(this.opts.certificateSha256) : null;
      if (this.opts.certificateSha256 && !pin) return reject(new ClientError('INSECURE_ENDPOINT', 'the pinned certificate fingerprint is not a SHA-256 fingerprint'));
      // With a pin, the pinned certificate replaces the CA check (self-signed servers); it is compared before any frame is read.
      const ws = new WebSocket(this.opts.endpoint, { handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024, ...(pin ? { rejectUnauthorized: false } : {}) });
      this.ws = ws;
      this.session = null;
      let settled = false;
      let challengeSeen = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners('close');
        ws.on('close', () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.on('error', (e) => fail(new ClientError('CONNECTION_FAILED', `cannot reach ${this.opts.endpoint}: ${e.message}`)));
      if (pin) {
        ws.on('upgrade', (res: IncomingMessage) => {
          const presented = (res.socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
          if (presented !== pin) {
            this.alert('certificate-mismatch', 'connection', `The server presented a certificate that is not the pinned one (${presented ?? 'none'}); the connection was closed before anything was read or signed.`, '', 'CERTIFICATE_MISMATCH', { presented: presented ?? 'none' });
            fail(new ClientError('CERTIFICATE_MISMATCH', `${this.opts.endpoint} presented a certificate other than the pinned one`));
          }
        });
      }
      ws.on('close', () => {
        if (!settled) fail(new ClientError('CONNECTION_FAILED', `${this.opts.endpoint} closed the connection`));
        else this.onClose();
      });
      ws.on('message', (raw) => {
        let frame: Frame;
        try {
          frame = JSON.parse(raw.toString()) as Frame;
        } catch {
          return this.alert('unexpected-message', '?', 'The server sent a frame that is not JSON; it was ignored.', raw.toString(), 'NOT_JSON');
        }
        if (!settled && frame.msg === 'challenge') {
          // One login signature per connection, only for a login text naming this endpoint's host.
          if (challengeSeen) {
            this.alert('login-refused', 'challenge', 'A second login challenge arrived on the same connection; it was not sent to the device.', raw.toString(), 'SECOND_CHALLENGE');
            return;
          }
          challengeSeen = true;
          const verdict = checkLoginText(frame.data, this.opts.endpoint, Date.now());
          if (!verdict.ok) {
            // reasonKey: the renderer says the reason in the user's language (loginRefused.* in its catalogues).
            const params = { reason: verdict.reason, reasonKey: `loginRefused.${verdict.problem}`, ...verdict.values };
            this.alert('login-refused', 'challenge', `Refused to log in: ${verdict.reason}.`, raw.toString(), 'LOGIN_REFUSED', params);
            fail(new ClientError('LOGIN_REFUSED', `Refused to log in: ${verdict.reason}.`, params));
            return;
          }
          this.session = verdict.login.nonce;
          void this.authenticate(String(frame.data))
            .then(() => this.actAgain())
            .then(
            () => {
              settled = true;
              this.attempt = 0;
              this.setState('online');
              resolve();
              this.emit('authenticated', { reconnect });
              this.resendInflight();
            },
            (e) => fail(e),
          );
          return;
        }
        this.onFrame(frame, raw.toString());
      });
    });
  }

  /** After a reconnection, act for the team account again; once removed from it, act for one's own. */
  private async actAgain(): Promise<void> {
    if (this.acting === null) return;
    const account = this.acting;
    try {
      await this.act(account);
    } catch (e) {
      if ((e as ClientError).code !== 'NOT_A_MEMBER') throw e;
      this.acting = null;
      this.emit('team', { msg: 'acting', data: { account: this.opts.address, member: this.opts.address, role: 'administrator', removedFrom: account } });
    }
  }

  /** The account this session's operations are for: its own, or the team account it acts for. */
  get account(): string {
    return this.acting ?? this.opts.address;
  }

  private async authenticate(challenge: string): Promise<void> {
    this.setState('authenticating');
    const signature = await this.opts.signChallenge(challenge);
    const answer = await this.request('auth', { key: this.opts.address, signature });
    if (answer.msg !== 'auth') throw new ClientError('AUTH_FAILED', `unexpected answer to auth: ${answer.msg}`);
  }

  private onClose(): void {
    this.ws = null;
    for (const [nonce, p] of this.pending) {
      this.pending.delete(nonce);
      if (p.timer) clearTimeout(p.timer);
      // In-flight transfers are not failed: they are resent after reconnecting.
      if (p.op !== 'transfer') p.reject(new ClientError('DISCONNECTED', 'the connection to the server was lost'));
    }
    if (this.closedByUser || this.opts.reconnect === false) {
      this.setState('offline');
      for (const t of this.inflightTransfers.values()) t.reject(new ClientError('DISCONNECTED', 'the connection was closed before the transfer was confirmed'));
      this.inflightTransfers.clear();
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const initial = this.opts.backoff?.initialMs ?? 500;
    const max = this.opts.backoff?.maxMs ?? 30_000;
    const delay = backoffDelay(this.attempt++, { initialMs: initial, maxMs: max });
    this.retryTimer = setTimeout(() => {
      this.open(true).catch((e: Error) => {
        this.emit('reconnectError', e);
        if (!this.closedByUser) this.scheduleReconnect();
      });
    }, delay);
  }

  private onFrame(frame: Frame, raw: string): void {
    if (frame.msg === 'challenge') return; // a fresh challenge after a failed attempt: handled by the next auth
    if (frame.msg === 'transfer' && frame.nonce !== undefined && this.pending.get(frame.nonce)?.onMessage) {
      // A replayed history row: history() verifies it in a batch and applies nothing before the verdict.
      this.pending.get(frame.nonce)!.onMessage!(frame);
      return;
    }
    if (frame.msg === 'transfer' || frame.msg === 'balance') {
      const v0 = performance.now();
      const authentic = verifySignedData(frame.data, frame.signed, this.opts.trustedAddress);
      this.verification.count++;
      this.verification.ms += performance.now() - v0;
      if (!authentic) {
        const what = frame.msg === 'transfer' ? describeTransfer(frame.data) : { text: 'a balance', params: { context: 'balance' } };
        this.alert(frame.signed ? 'bad-signature' : 'missing-signature', frame.msg, `Refused ${what.text}: ${frame.signed ? 'its signature is not the back office’s' : 'it is not signed'}. Nothing was changed.`, raw, frame.signed ? 'FORGED' : 'UNSIGNED', what.params);
        const p = frame.nonce !== undefined ? this.pending.get(frame.nonce) : undefined;
        if (p && !p.onMessage) this.settle(frame.nonce!, new ClientError('SECURITY', 'the answer was not signed by the trusted back office'));
        return;
      }
      if (frame.msg === 'transfer' && !TransferDataSchema.safeParse(frame.data).success) {
        this.alert('unexpected-message', 'transfer', 'Refused a signed transfer message with malformed data.', raw, 'MALFORMED_TRANSFER');
        return;
      }
      if (frame.msg === 'transfer' && !this.concernsMe(frame.data as TransferData)) {
        const what = describeTransfer(frame.data);
        this.alert('misbound-answer', 'transfer', `Refused ${what.text}: it is validly signed but concerns another account. Nothing was changed.`, raw, 'OTHER_ACCOUNT', what.params);
        const p = frame.nonce !== undefined ? this.pending.get(frame.nonce) : undefined;
        if (p) this.settle(frame.nonce!, new ClientError('SECURITY', 'the server answered with another account’s transfer'));
        return;
      }
    }
    if (frame.nonce !== undefined && this.pending.has(frame.nonce)) {
      const p = this.pending.get(frame.nonce)!;
      if (frame.msg !== 'error' && p.op in ANSWER_MSG) {
        const problem = this.answerProblem(p.op, frame);
        if (problem) {
          // problemKey: the renderer says the problem in the user's language (shared/answer-problems.ts).
          this.alert('misbound-answer', frame.msg, `Refused an answer to ${p.op}: ${problem.text}. Nothing was changed.`, raw, 'MISBOUND_ANSWER', { ...problem.values, op: p.op, problem: problem.text, problemKey: `answerProblem.${problem.key}` });
          this.settle(frame.nonce, new ClientError('SECURITY', `the answer to ${p.op} was refused: ${problem.text}`));
          return;
        }
      }
      if (p.onMessage && frame.msg !== 'error') {
        if (!p.onMessage(frame)) return; // more to come
      }
      this.settle(frame.nonce, frame.msg === 'error' ? toClientError(frame.data) : frame);
      return;
    }
    if (frame.msg === 'transfer') {
      this.emit('transfer', { data: frame.data as TransferData, signed: frame.signed! });
      return;
    }
    if ((frame.msg === 'approval' || frame.msg === 'change') && frame.nonce === undefined) {
      this.emit('team', { msg: frame.msg, data: frame.data });
      return;
    }
    if (frame.msg === 'error') return; // an error for a request we gave up on
  }

  private concernsMe(t: TransferData): boolean {
    return t.sender === this.account || t.destination === this.account;
  }

  /** Why an answer must not be applied: the wrong message, or a binding that is not for this account, request and connection. */
  private answerProblem(op: string, frame: Frame): Worded<AnswerProblemKey> | null {
    const expected = ANSWER_MSG[op];
    if (expected && !expected.includes(frame.msg)) return answerProblem('notAnAnswer', { got: frame.msg, op });
    if (!this.session) return answerProblem('notAuthenticated');
    const problem = bindingProblemOf(
      frame,
      // `act` is answered for the member's own key; everything else for the account acted for.
      { account: op === 'act' ? this.opts.address : this.account, msg: frame.msg, nonce: frame.nonce ?? null, session: this.session, notBefore: frame.msg === 'balance' ? this.lastBalanceAt : undefined },
      this.opts.trustedAddress,
    );
    if (!problem && frame.msg === 'balance') this.lastBalanceAt = (frame.bind as AnswerBinding).at;
    return problem;
  }

  private settle(nonce: Nonce, result: Frame | Error): void {
    const p = this.pending.get(nonce);
    if (!p) return;
    this.pending.delete(nonce);
    if (p.timer) clearTimeout(p.timer);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  /** `code` and `params`: the summary's words by code and values, for the renderer's catalogues (alerts.summary.*). */
  private alert(kind: SecurityAlert['kind'], msg: string, summary: string, raw: string, code?: string, params?: Record<string, string>): void {
    if (kind === 'login-refused' || kind === 'misbound-answer' || kind === 'certificate-mismatch') this.securityAlerts++;
    this.emit('alert', { id: crypto.randomUUID(), time: Date.now(), kind, msg, summary, raw: raw.slice(0, 4096), ...(code ? { code } : {}), ...(params ? { params } : {}) });
  }

  /** Sends one operation and resolves with its (verified) answer; rejects with ClientError on an error message. */
  private request(op: string, params: unknown, onMessage?: (f: Frame) => boolean, timeoutMs = this.opts.requestTimeoutMs ?? 15_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const ws = this.ws;
      if (!ws || ws.readyState !== ws.OPEN) return reject(new ClientError('DISCONNECTED', 'not connected to the server'));
      const nonce = ++this.nonce;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(nonce);
              reject(new ClientError('TIMEOUT', `the server did not answer ${op} in time`));
            }, timeoutMs)
          : null;
      this.pending.set(nonce, { op, resolve, reject, timer, onMessage });
      ws.send(JSON.stringify(params === undefined ? { op, nonce } : { op, nonce, params }));
    });
  }

  private async expect<T>(op: string, params: unknown, msg: string): Promise<T> {
    if (op === 'transfer') throw new ClientError('REFUSED', 'transfers are only sent through sendTransfer, with a device confirmation');
    const f = await this.request(op, params);
    if (f.msg !== msg) throw new ClientError('UNEXPECTED', `expected ${msg}, got ${f.msg}`);
    const schema = ANSWER_DATA[msg];
    const checked = schema?.safeParse(f.data);
    if (checked && !checked.success) throw new ClientError('UNEXPECTED', `malformed ${msg}: ${describeIssues(checked.error)}`);
    return f.data as T;
  }

  register(p: OpInput['register']): Promise<AccountData> {
    return this.expect('register', p, 'register');
  }

  getinfo(): Promise<AccountData> {
    return this.expect('getinfo', undefined, 'account');
  }

  setinfo(p: OpInput['setinfo']): Promise<AccountData> {
    return this.expect('setinfo', p, 'account');
  }

  /**
   * Acts for a team account (or, with one's own address, for one's own again): from now on every
   * operation is that account's, its answers must be bound to it, and reconnections act for it again.
   */
  async act(account: string): Promise<ActingData> {
    const data = await this.expect<ActingData>('act', { account }, 'acting');
    if (data.account !== account || data.member !== this.opts.address) throw new ClientError('SECURITY', 'the server acted for another account or key than asked');
    this.acting = account === this.opts.address ? null : account;
    return data;
  }

  /** A team operation and its (bound) answer: `change` when it waits for a second administrator. */
  async team(op: TeamOp, params?: Record<string, unknown>): Promise<{ msg: string; data: unknown }> {
    const f = await this.request(op, params);
    return { msg: f.msg, data: f.data };
  }

  /** Extension: switch the account's device-confirmation policy; `confirmation` signs policyText(...). */
  setPolicy(p: OpInput['setpolicy']): Promise<AccountData> {
    return this.expect('setpolicy', p, 'account');
  }

  async balance(currency?: string): Promise<BalanceData> {
    return (await this.boundBalance(currency)).data;
  }

  /** The balance answer with its signature and binding: proof of every balance at the back office's time `bind.at`. */
  async boundBalance(currency?: string): Promise<BoundBalance> {
    const f = await this.request('balance', currency ? { currency } : undefined);
    if (f.msg !== 'balance') throw new ClientError('UNEXPECTED', `expected balance, got ${f.msg}`);
    const checked = BalanceDataSchema.safeParse(f.data);
    if (!checked.success) throw new ClientError('UNEXPECTED', `malformed balance: ${describeIssues(checked.error)}`);
    // answerProblem() already verified the signature and the binding for this request and connection.
    return { data: f.data as BalanceData, signed: f.signed!, bind: f.bind as AnswerBinding, bindSigned: f.bindSigned as string };
  }

  /** The default batch check: every signature on this thread (timed for the benchmark). */
  private verifyHere(records: SignedRecord<TransferData>[]): Promise<boolean[]> {
    const v0 = performance.now();
    const ok = records.map((r) => verifySignedData(r.data, r.signed, this.opts.trustedAddress));
    this.verification.ms += performance.now() - v0;
    return Promise.resolve(ok);
  }

  /**
   * Replays history as a stream of verified transfers; ends on the closing `history` message. Rows are
   * verified in batches as they arrive (on a worker pool when `verifyBatch` is given) and yielded in
   * order, each only after its verdict; a row that fails is refused with an alert and the replay then
   * fails at its end, like one that did not arrive whole.
   */
  async *history(params?: OpInput['history']): AsyncGenerator<SignedRecord<TransferData>, number> {
    type Checked = { frames: Frame[]; ok: boolean[] };
    const verify = this.opts.verifyBatch ?? ((records: SignedRecord<TransferData>[]) => this.verifyHere(records));
    const batches: Promise<Checked>[] = [];
    let buffer: Frame[] = [];
    let wake: (() => void) | null = null;
    let finished: { count: number } | Error | null = null;
    const digest = crypto.createHash('sha256');
    let rows = 0;
    let refused = 0;
    const flush = () => {
      if (!buffer.length) return;
      const frames = buffer;
      buffer = [];
      const records = frames.map((f) => ({ data: f.data as TransferData, signed: typeof f.signed === 'string' ? f.signed : '' }));
      this.verification.count += frames.length;
      batches.push(
        verify(records).then(
          (ok) => ({ frames, ok }),
          () => ({ frames, ok: frames.map(() => false) }), // a check that could not run verified nothing
        ),
      );
      wake?.();
    };
    const done = this.request(
      'history',
      params && Object.keys(params).length ? params : undefined,
      (f) => {
        if (f.msg === 'transfer') {
          digest.update(`${f.signed}\n`);
          rows++;
          buffer.push(f);
          if (buffer.length >= REPLAY_BATCH) flush();
          return false;
        }
        return true; // the closing `history` message
      },
      0, // a long replay may take a while; the connection's liveness is the limit
    ).then(
      (f) => {
        // The closing message is bound to this request; its digest proves the replay arrived whole.
        const parsed = HistoryEndDataSchema.safeParse(f.data);
        const end = (parsed.success ? parsed.data : { count: -1 }) as HistoryEndData;
        if (end.count !== rows || end.digest !== digest.digest('hex')) {
          this.alert('misbound-answer', 'history', `Refused a history replay: the back office sent ${end.count} rows but ${rows} arrived, or they were altered on the way. Nothing was changed.`, JSON.stringify(f.data), 'HISTORY_INCOMPLETE', { count: String(end.count), rows: String(rows) });
          finished = new ClientError('SECURITY', 'the history replay did not arrive whole');
        } else finished = end;
        flush();
        wake?.();
      },
      (e: Error) => {
        finished = e;
        flush();
        wake?.();
      },
    );
    for (;;) {
      if (batches.length) {
        const { frames, ok } = await batches.shift()!;
        for (let i = 0; i < frames.length; i++) {
          const record = this.acceptReplayed(frames[i], ok[i]);
          if (record) yield record;
          else refused++;
        }
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    await done;
    const end = finished as { count: number } | Error | null;
    if (end instanceof Error) throw end;
    if (refused > 0) throw new ClientError('SECURITY', `${refused} replayed history row${refused === 1 ? ' was' : 's were'} refused`);
    return end?.count ?? 0;
  }

  /** A replayed row after its signature verdict: the record to apply, or null (refused, with an alert). */
  private acceptReplayed(frame: Frame, authentic: boolean): SignedRecord<TransferData> | null {
    const raw = () => JSON.stringify(frame);
    if (!authentic) {
      this.alert(frame.signed ? 'bad-signature' : 'missing-signature', 'transfer', `Refused ${describeTransfer(frame.data)}: ${frame.signed ? 'its signature is not the back office’s' : 'it is not signed'}. Nothing was changed.`, raw());
      return null;
    }
    if (!TransferDataSchema.safeParse(frame.data).success) {
      this.alert('unexpected-message', 'transfer', 'Refused a signed transfer message with malformed data.', raw());
      return null;
    }
    if (!this.concernsMe(frame.data as TransferData)) {
      this.alert('misbound-answer', 'transfer', `Refused ${describeTransfer(frame.data)}: it is validly signed but concerns another account. Nothing was changed.`, raw());
      return null;
    }
    return { data: frame.data as TransferData, signed: frame.signed! };
  }

  /**
   * Sends a device-confirmed transfer. If the connection drops before the answer, it is resent with
   * the same requestId after reconnecting (the server answers a retry with the original result).
   */
  sendTransfer(t: SignedTransfer): Promise<SignedRecord<TransferData>> {
    return this.sendTransferOrApproval(t).then((r) => {
      if ('transfer' in r) return r.transfer;
      throw new ClientError('AWAITING_APPROVAL', `the transfer waits for ${r.approval.required === 1 ? 'one approval' : `${r.approval.required} approvals`} by other approvers of the account`);
    });
  }

  /** A transfer of a team account may wait for approvals: then its answer is the `approval`, not the transfer. */
  sendTransferOrApproval(t: SignedTransfer): Promise<{ transfer: SignedRecord<TransferData> } | { approval: ApprovalData }> {
    if (!t.confirmation || !t.requestId) return Promise.reject(new ClientError('REFUSED', 'a transfer needs a device confirmation and a requestId'));
    return new Promise((resolve, reject) => {
      this.inflightTransfers.set(t.requestId, { transfer: t, resolve, reject, attempts: 0 });
      this.trySend(t.requestId);
    });
  }

  private trySend(requestId: string): void {
    const entry = this.inflightTransfers.get(requestId);
    if (!entry || this.state !== 'online') return; // sent after the next authentication
    entry.attempts += 1;
    const { transfer } = entry;
    const params = { destination: transfer.destination, currency: transfer.currency, amount: transfer.amount, requestId: transfer.requestId, confirmation: transfer.confirmation, ...(transfer.reference ? { reference: transfer.reference } : {}) };
    this.request('transfer', params, undefined, 0).then(
      (f) => {
        this.inflightTransfers.delete(requestId);
        if (f.msg === 'approval') {
          const a = f.data as ApprovalData;
          const mismatch = approvalMismatch(a, transfer, this.account);
          if (mismatch) {
            this.alert('misbound-answer', 'approval', `Refused the answer to the transfer you confirmed: ${mismatch.text}. Check the history before doing anything else.`, JSON.stringify(f.data), 'TRANSFER_MISMATCH', { ...mismatch.values, mismatch: mismatch.text, mismatchKey: `transferMismatch.${mismatch.key}` });
            entry.reject(new ClientError('SECURITY', `the server answered the transfer with another one (${mismatch.text})`));
            return;
          }
          entry.resolve({ approval: a });
          return;
        }
        const mismatch = answerMismatch(f.data as TransferData, transfer, this.account);
        if (mismatch) {
          this.alert('misbound-answer', 'transfer', `Refused the answer to the transfer you confirmed: ${mismatch.text}. Check the history before doing anything else.`, JSON.stringify(f.data), 'TRANSFER_MISMATCH', { ...mismatch.values, mismatch: mismatch.text, mismatchKey: `transferMismatch.${mismatch.key}` });
          entry.reject(new ClientError('SECURITY', `the server answered the transfer with another one (${mismatch.text})`));
          return;
        }
        entry.resolve({ transfer: { data: f.data as TransferData, signed: f.signed! } });
      },
      (e: ClientError) => {
        if (e.code === 'DISCONNECTED') return; // resent on reconnect
        if (e.code === 'BACKEND_UNAVAILABLE' && entry.attempts < 5) {
          // Nothing was done; the same requestId makes the retry safe.
          setTimeout(() => this.trySend(requestId), 500 * entry.attempts);
          return;
        }
        if (e.code === 'OUTCOME_UNKNOWN' && entry.attempts < 12) {
          // The server could not learn the outcome yet. Resending with the same requestId is the check:
          // it answers the original result, or performs the transfer once if it never happened.
          setTimeout(() => this.trySend(requestId), Math.min(5000, 500 * entry.attempts));
          return;
        }
        this.inflightTransfers.delete(requestId);
        entry.reject(e);
      },
    );
  }

  private resendInflight(): void {
    for (const id of this.inflightTransfers.keys()) this.trySend(id);
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (!(await closeWebSocket(this.ws))) this.setState('offline');
  }
}

/** How an `approval` answer differs from the transfer that was confirmed and sent, or null. */
function approvalMismatch(a: ApprovalData, sent: SignedTransfer, account: string): Worded<TransferMismatchKey> | null {
  if (a.account !== account) return transferMismatch('otherAccount');
  if (a.requestId !== sent.requestId) return transferMismatch('otherRequest');
  return sameTransfer(a, sent);
}

/** Destination, amount and reference of an answer against what was sent. */
function sameTransfer(d: { destination: string; currency: string; amount: string; reference?: string }, sent: SignedTransfer): Worded<TransferMismatchKey> | null {
  if (d.destination !== sent.destination) return transferMismatch('otherDestination', { got: d.destination, expected: sent.destination });
  if (d.currency !== sent.currency || d.amount !== sent.amount) return transferMismatch('otherAmount', { gotAmount: d.amount, gotCurrency: d.currency, sentAmount: sent.amount, sentCurrency: sent.currency });
  if ((d.reference ?? undefined) !== (sent.reference ?? undefined)) return transferMismatch('otherReference');
  return null;
}

/** How a transfer answer differs from the transfer that was confirmed and sent, or null. */
function answerMismatch(d: TransferData, sent: SignedTransfer, me: string): Worded<TransferMismatchKey> | null {
  if (d.sender !== me) return transferMismatch('otherSender');
  return sameTransfer(d, sent);
}

function toClientError(data: unknown): ClientError {
  const d = data as { code?: unknown; message?: unknown };
  return new ClientError(typeof d?.code === 'string' ? d.code : 'UNKNOWN', typeof d?.message === 'string' ? d.message : 'the server reported an error');
}

/** "a transfer of 1,000.00 EUR from …", and the values (params) its words are built from. */
function describeTransfer(d: unknown): { text: string; params: Record<string, string> } {
  const t = d as Partial<TransferData> | null;
  // Written as the screen writes money: grouped amount, IBAN in groups of four.
  const who = (x: unknown) => (typeof x === 'string' && checkIban(x).ok ? formatIban(x) : String(x));
  const canonical = typeof t?.amount === 'string' && /^\d+(\.\d+)?$/.test(t.amount);
  if (!(t && typeof t === 'object' && t.amount && t.currency)) return { text: 'a transfer', params: { context: 'transfer' } };
  const amount = canonical ? groupThousands(t.amount) : String(t.amount);
  const params = { context: 'transferOf', amount: String(t.amount), currency: String(t.currency), from: who(t.sender) };
  return { text: `a transfer of ${amount} ${String(t.currency)} from ${params.from}`, params };
}
