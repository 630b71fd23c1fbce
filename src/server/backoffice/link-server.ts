// The internal link: the back office's side. Gateways and admin tools connect over a WebSocket
// (loopback by default), prove they hold the link secret with an HMAC of a fresh challenge, then
// send operations. Notifications are broadcast to every connected gateway. A history replay is
// paced by its gateway: after each page the back office sends `page` and waits for `more`
// (go: false, or the link closing, stops it). Gateways whose link dropped ask `recover`.
//
// No notification is lost across a reconnection or a takeover: every notification is committed to the
// outbox with a sequence number (back-office.ts) and carries it. A gateway that reconnects says in its
// hello the last one it got (`after`); after `welcome` it is sent every notification committed since,
// oldest first, then `replayed`, and only then the live ones (those committed meanwhile were held for it
// and are sent once, after the replay). A gateway that sends no `after` — or one ahead of this ledger,
// restored from a backup — learns the current one in `welcome` (`seq`).
import crypto from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { upgradeRequired, type Monitoring } from '../monitoring';
import type { AddressInfo } from 'node:net';
import { linkMac, LINK_MAX_FRAME_BYTES, type BackOfficePort, type LinkClientFrame, type LinkServerFrame, type LoginEvent, type Notification, type NotificationOutbox } from '../contract';

/** Notifications read from the outbox per query while a gateway catches up. */
const REPLAY_PAGE = 500;


export interface LinkServer {
  url: string;
  close(): Promise<void>;
}

const isRef = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 100;


export async function startLinkServer(
  backOffice: BackOfficePort & NotificationOutbox & { address: string },
  opts: { secret: string; host?: string; port?: number; /** /healthz, /readyz, /metrics on the link port */ monitoring?: Monitoring },
): Promise<LinkServer> {
  const server = http.createServer((req, res) => opts.monitoring?.handle(req, res) || upgradeRequired(res));
  const wss = new WebSocketServer({ server, maxPayload: LINK_MAX_FRAME_BYTES });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  });
  const gateways = new Set<WebSocket>();
  opts.monitoring?.gauge('ccc_backoffice_gateways_connected', 'Gateways connected over the internal link.', () => gateways.size);
  const send = (ws: WebSocket, frame: LinkServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  /** Gateways catching up (replay in progress): the live notifications held for them meanwhile. */
  const catchingUp = new Map<WebSocket, Notification[]>();
  const replayed = opts.monitoring?.counter('ccc_backoffice_notifications_replayed_total', 'Notifications sent again to gateways that reconnected and had missed them.', []);
  const unsubscribe = backOffice.onNotification((notification) => {
    for (const ws of gateways) send(ws, { t: 'notify', notification });
    for (const held of catchingUp.values()) held.push(notification);
  });

  /** Welcomes a gateway: the missed notifications after `after` (if it said), then the live ones. */
  const welcomeGateway = async (ws: WebSocket, after: number | null) => {
    const held: Notification[] = [];
    catchingUp.set(ws, held);
    let last: number;
    if (after === null) {
      last = await backOffice.notificationHead();
      send(ws, { t: 'welcome', backofficeAddress: backOffice.address, seq: last });
    } else if (after > (last = await backOffice.notificationHead())) {
      // The gateway has seen numbers this ledger never gave (a ledger restored from a backup): start over
      // from here, or it would take the next ones for ones it already passed on.
      console.error(`back office: a gateway's last notification is ${after}, this ledger's is ${last} (restored from a backup?); it starts from ${last}`);
      send(ws, { t: 'welcome', backofficeAddress: backOffice.address, seq: last });
    } else {
      send(ws, { t: 'welcome', backofficeAddress: backOffice.address, replay: true });
      last = after;
      let count = 0;
      for (;;) {
        const page = await backOffice.notificationsAfter(last, REPLAY_PAGE);
        if (ws.readyState !== ws.OPEN) return;
        for (const notification of page) send(ws, { t: 'notify', notification });
        count += page.length;
        if (page.length > 0) last = page[page.length - 1].seq!;
        if (page.length < REPLAY_PAGE) break;
      }
      if (count > 0) replayed?.inc(count);
      send(ws, { t: 'replayed', count });
    }
    // Held live notifications the outbox read did not already give (those committed after it).
    catchingUp.delete(ws);
    for (const notification of held) if (notification.seq === undefined || notification.seq > last) send(ws, { t: 'notify', notification });
    if (ws.readyState === ws.OPEN) gateways.add(ws);
  };

  wss.on('connection', (ws) => {
    const nonce = crypto.randomBytes(32).toString('hex');
    let role: 'gateway' | 'admin' | null = null;
    const helloTimer = setTimeout(() => ws.close(4001, 'authentication timeout'), 10_000);
    send(ws, { t: 'challenge', nonce });
    // Streamed answers waiting for their gateway's `more`.
    const waiting = new Map<string, (go: boolean) => void>();
    const flowOf = (ref: string) => ({
      more: () =>
        new Promise<boolean>((resolve) => {
          if (ws.readyState !== ws.OPEN) return resolve(false);
          waiting.set(ref, resolve);
          send(ws, { t: 'page', ref });
        }),
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      gateways.delete(ws);
      catchingUp.delete(ws);
      for (const resolve of waiting.values()) resolve(false);
      waiting.clear();
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (raw) => {
      let frame: LinkClientFrame;
      try {
        frame = JSON.parse(raw.toString()) as LinkClientFrame;
        if (!frame || typeof frame !== 'object' || typeof frame.t !== 'string') throw new Error('not a frame');
      } catch {
        ws.close(4002, 'malformed frame');
        return;
      }
      if (role === null) {
        const expected = Buffer.from(linkMac(opts.secret, nonce), 'hex');
        const given = frame.t === 'hello' && typeof frame.mac === 'string' && /^[0-9a-f]{64}$/.test(frame.mac) ? Buffer.from(frame.mac, 'hex') : null;
        if (!given || !crypto.timingSafeEqual(expected, given) || (frame.t === 'hello' && frame.role !== 'gateway' && frame.role !== 'admin')) {
          ws.close(4001, 'link authentication failed');
          return;
        }
        clearTimeout(helloTimer);
        role = (frame as { role: 'gateway' | 'admin' }).role;
        if (role === 'admin') return send(ws, { t: 'welcome', backofficeAddress: backOffice.address });
        const after = (frame as { after?: unknown }).after;
        welcomeGateway(ws, typeof after === 'number' && Number.isSafeInteger(after) && after >= 0 ? after : null).catch((e) => {
          console.error('back office: could not replay notifications to a gateway:', (e as Error).message);
          ws.close(1011, 'notifications could not be replayed');
        });
        return;
      }
      if (frame.t === 'more' && role === 'gateway') {
        const resolve = waiting.get(frame.ref);
        waiting.delete(frame.ref);
        resolve?.(frame.go === true);
        return;
      }
      if (frame.t === 'recover' && role === 'gateway' && typeof frame.id === 'string' && Array.isArray(frame.refs) && frame.refs.length <= 10_000 && frame.refs.every(isRef)) {
        const id = frame.id;
        backOffice.recoverOutcomes(frame.refs).then(
          (results) => send(ws, { t: 'recovered', id, results }),
          () => ws.close(1011, 'back office closing'),
        );
        return;
      }
      if (frame.t === 'op' && role === 'gateway' && isRef(frame.ref) && typeof frame.account === 'string') {
        const ref = frame.ref;
        backOffice
          .execute({ ref, account: frame.account, member: typeof frame.member === 'string' ? frame.member : undefined, op: frame.op, params: frame.params as never, nonce: frame.nonce ?? null, session: typeof frame.session === 'string' ? frame.session : undefined }, (message) => send(ws, { t: 'msg', ref, message }), flowOf(ref))
          .then(
            (outcome) => send(ws, { t: 'end', ref, outcome }),
            () => send(ws, { t: 'end', ref, outcome: { ok: false, error: { code: 'BACKEND_UNAVAILABLE', message: 'The back office is shutting down; the operation was not performed.' } } }),
          );
        return;
      }
      if (frame.t === 'login' && role === 'gateway' && frame.event && typeof frame.event === 'object') {
        const e = frame.event as Partial<LoginEvent>;
        if (typeof e.address === 'string' && typeof e.gateway === 'string' && typeof e.ok === 'boolean') backOffice.recordLogin({ address: e.address, gateway: e.gateway, ok: e.ok, code: typeof e.code === 'string' ? e.code : undefined });
        return;
      }
      if (frame.t === 'admin' && typeof frame.ref === 'string') {
        const ref = frame.ref;
        backOffice.admin(frame.cmd).then(
          (r) => send(ws, r.ok ? { t: 'admin-result', ref, ok: true, result: r.result } : { t: 'admin-result', ref, ok: false, error: r.error }),
          () => send(ws, { t: 'admin-result', ref, ok: false, error: { code: 'BACKEND_UNAVAILABLE', message: 'The back office is shutting down.' } }),
        );
        return;
      }
      ws.close(4002, 'unexpected frame');
    });
  });

  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
        wss.close(() => server.close(() => resolve()));
      }),
  };
}
