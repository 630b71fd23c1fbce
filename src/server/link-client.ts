// The internal link: the client side, used by gateways (BackOfficePort over the link, with
// automatic reconnection) and by admin commands. While the link is down, isAvailable() is false
// and operations fail at once (not sent: not performed). Operations in flight when it drops are
// rejected with OutcomeUnknownError (never retried here): the gateway asks recoverOutcomes once
// the link is back. A streamed answer (history) is paced: the back office sends `page` and waits
// for `more` from the gateway's flow.
//
// Notifications carry their place in the back office's outbox (`seq`). The link remembers the last one
// it passed on; on every reconnection (to the same back office, or to a new active one after a
// takeover) it says so in its hello, receives what was committed since — a dying back office's last
// notifications included — and becomes available only once that replay is done (so an operation's
// recovered answer never overtakes the replayed notifications of it). A notification it already passed
// on is never passed on again.
import WebSocket from 'ws';
import { backoffDelay } from '../shared/backoff';
import { closeWebSocket } from '../shared/node/ws-close';
import { linkMac, LINK_MAX_FRAME_BYTES, OutcomeUnknownError, type AdminCommand, type BackOfficePort, type LinkClientFrame, type LinkServerFrame, type LoginEvent, type Notification, type OpFlow, type OpOutcome, type OpRequest, type OutboundMessage, type RecoveredOutcome } from './contract';
import type { ApiErrorData } from '../shared/errors';

type Pending =
  | { kind: 'op'; emit: (m: OutboundMessage) => void; flow?: OpFlow; resolve: (o: OpOutcome) => void; reject: (e: Error) => void }
  | { kind: 'recover'; resolve: (r: RecoveredOutcome[]) => void; reject: (e: Error) => void }
  | { kind: 'admin'; resolve: (r: { ok: true; result: unknown } | { ok: false; error: ApiErrorData }) => void; reject: (e: Error) => void };

export interface LinkClientOptions {
  /** The back office's link URL, or several (an active one and standbys): tried in turn until one answers. */
  url: string | string[];
  secret: string;
  role?: 'gateway' | 'admin';
  gatewayId?: string;
  /** Reconnect automatically (gateways). Admin one-shots do not. */
  reconnect?: boolean;
  onStatus?: (up: boolean) => void;
}

export class LinkClient implements BackOfficePort {
  backofficeAddress: string | null = null;
  private ws: WebSocket | null = null;
  private up = false;
  private closed = false;
  private attempt = 0;
  private counter = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(n: Notification) => void>();
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly urls: string[];
  /** Which of `urls` is tried next; it moves on when one does not answer. */
  private cursor = 0;
  private welcomedHere = false;
  /** The seq of the last notification passed on (null until the first welcome). */
  private lastSeq: number | null = null;
  /** Between a welcome that announced a replay and its `replayed`. */
  private replaying = false;

  constructor(private readonly opts: LinkClientOptions) {
    this.urls = Array.isArray(opts.url) ? [...opts.url] : [opts.url];
    if (this.urls.length === 0) throw new Error('no back office link URL');
    this.connect();
  }

  /** The URL of the back office the link is on (or trying). */
  get url(): string {
    return this.urls[this.cursor % this.urls.length];
  }

  /** Resolves once the link is authenticated (rejects for a one-shot link that fails). */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`back office link ${this.urls.join(', ')} not available`)), timeoutMs);
      this.readyWaiters.push({ resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
    });
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.url, { maxPayload: 256 * LINK_MAX_FRAME_BYTES });
    this.ws = ws;
    this.welcomedHere = false;
    ws.on('message', (raw) => this.onFrame(JSON.parse(raw.toString()) as LinkServerFrame));
    ws.on('error', () => {});
    ws.on('close', () => this.onDown());
  }

  private onFrame(frame: LinkServerFrame): void {
    switch (frame.t) {
      case 'challenge': {
        const hello: LinkClientFrame = { t: 'hello', role: this.opts.role ?? 'gateway', gatewayId: this.opts.gatewayId ?? 'gw', mac: linkMac(this.opts.secret, frame.nonce), ...(this.lastSeq !== null ? { after: this.lastSeq } : {}) };
        this.ws?.send(JSON.stringify(hello));
        return;
      }
      case 'welcome':
        // Every back office of a deployment signs with the same key: another key is another deployment.
        if (this.backofficeAddress && frame.backofficeAddress !== this.backofficeAddress) {
          console.error(`back office at ${this.url} signs as ${frame.backofficeAddress}, not ${this.backofficeAddress}: refused`);
          this.ws?.close(4003, 'another deployment');
          return;
        }
        this.welcomedHere = true;
        this.attempt = 0;
        this.backofficeAddress = frame.backofficeAddress;
        // Where to count from: given when the link has none yet, or when it is ahead of this ledger (restored).
        if (typeof frame.seq === 'number' && (this.lastSeq === null || frame.seq < this.lastSeq)) this.lastSeq = frame.seq;
        if (frame.replay) this.replaying = true;
        else this.becomeAvailable();
        return;
      case 'replayed':
        if (this.replaying) {
          this.replaying = false;
          this.becomeAvailable();
        }
        return;
      case 'msg': {
        const p = this.pending.get(frame.ref);
        if (p?.kind === 'op') p.emit(frame.message);
        return;
      }
      case 'end': {
        const p = this.pending.get(frame.ref);
        this.pending.delete(frame.ref);
        if (p?.kind === 'op') p.resolve(frame.outcome);
        return;
      }
      case 'admin-result': {
        const p = this.pending.get(frame.ref);
        this.pending.delete(frame.ref);
        if (p?.kind === 'admin') p.resolve(frame.ok ? { ok: true, result: frame.result } : { ok: false, error: frame.error });
        return;
      }
      case 'notify': {
        if (!this.welcomedHere) return;
        const seq = frame.notification.seq;
        if (typeof seq === 'number') {
          if (this.lastSeq !== null && seq <= this.lastSeq) return; // passed on already
          this.lastSeq = seq;
        }
        for (const l of this.listeners) l(frame.notification);
        return;
      }
      case 'page': {
        const p = this.pending.get(frame.ref);
        const ws = this.ws;
        const more = p?.kind === 'op' && p.flow ? p.flow.more() : Promise.resolve(p !== undefined);
        void more.then((go) => {
          if (this.ws === ws && this.up) this.send({ t: 'more', ref: frame.ref, go });
        });
        return;
      }
      case 'recovered': {
        const p = this.pending.get(frame.id);
        this.pending.delete(frame.id);
        if (p?.kind === 'recover') p.resolve(frame.results);
        return;
      }
    }
  }

  private becomeAvailable(): void {
    this.up = true;
    this.opts.onStatus?.(true);
    for (const w of this.readyWaiters.splice(0)) w.resolve();
  }

  private onDown(): void {
    const wasUp = this.up;
    this.up = false;
    this.replaying = false;
    this.ws = null;
    if (wasUp) this.opts.onStatus?.(false);
    for (const [ref, p] of this.pending) {
      this.pending.delete(ref);
      p.reject(p.kind === 'op' ? new OutcomeUnknownError() : new Error('back office link lost'));
    }
    if (this.closed || this.opts.reconnect === false) {
      for (const w of this.readyWaiters.splice(0)) w.reject(new Error(`back office link ${this.urls.join(', ')} not available`));
      return;
    }
    // A back office that did not welcome us (down, or a standby): try the next one.
    if (!this.welcomedHere) this.cursor++;
    // Capped at 5 s: a restarted back office is found quickly.
    const delay = backoffDelay(this.attempt++, { initialMs: 100, maxMs: 5000 });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private send(frame: LinkClientFrame): void {
    if (!this.up || !this.ws) throw new Error('back office link down');
    this.ws.send(JSON.stringify(frame));
  }

  execute(req: OpRequest, emit: (m: OutboundMessage) => void, flow?: OpFlow): Promise<OpOutcome> {
    return new Promise((resolve, reject) => {
      if (!this.up) return reject(new Error('back office link down'));
      this.pending.set(req.ref, { kind: 'op', emit, flow, resolve, reject });
      this.send({ t: 'op', ref: req.ref, account: req.account, member: req.member, op: req.op, params: req.params, nonce: req.nonce ?? null, session: req.session });
    });
  }

  recoverOutcomes(refs: string[]): Promise<RecoveredOutcome[]> {
    return new Promise((resolve, reject) => {
      if (!this.up) return reject(new Error('back office link down'));
      const id = `recover:${++this.counter}`;
      this.pending.set(id, { kind: 'recover', resolve, reject });
      this.send({ t: 'recover', id, refs });
    });
  }

  admin(cmd: AdminCommand): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorData }> {
    return new Promise((resolve, reject) => {
      if (!this.up) return reject(new Error('back office link down'));
      const ref = `admin:${++this.counter}`;
      this.pending.set(ref, { kind: 'admin', resolve, reject });
      this.send({ t: 'admin', ref, cmd });
    });
  }

  recordLogin(event: LoginEvent): void {
    if (this.up) this.send({ t: 'login', event }); // best effort: a login is never held up by its audit record
  }

  /** The seq of the last notification passed on to the gateway (null before the first welcome). */
  get lastNotificationSeq(): number | null {
    return this.lastSeq;
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isAvailable(): boolean {
    return this.up;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await closeWebSocket(this.ws);
  }
}
