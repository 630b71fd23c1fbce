// The internal link: the back office's side. Gateways and admin tools connect over a WebSocket
// (loopback by default), prove they hold the link secret with an HMAC of a fresh challenge, then
// send operations. Notifications are broadcast to every connected gateway.
import crypto from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { BackOfficePort, LinkClientFrame, LinkServerFrame } from '../contract';

export const LINK_MAX_FRAME_BYTES = 1024 * 1024;

export interface LinkServer {
  url: string;
  close(): Promise<void>;
}

export function linkMac(secret: string, nonce: string): string {
  return crypto.createHmac('sha256', secret).update(nonce).digest('hex');
}

export async function startLinkServer(backOffice: BackOfficePort & { address: string }, opts: { secret: string; host?: string; port?: number }): Promise<LinkServer> {
  const wss = new WebSocketServer({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, maxPayload: LINK_MAX_FRAME_BYTES });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const gateways = new Set<WebSocket>();
  const send = (ws: WebSocket, frame: LinkServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = backOffice.onNotification((notification) => {
    for (const ws of gateways) send(ws, { t: 'notify', notification });
  });

  wss.on('connection', (ws) => {
    const nonce = crypto.randomBytes(32).toString('hex');
    let role: 'gateway' | 'admin' | null = null;
    const helloTimer = setTimeout(() => ws.close(4001, 'authentication timeout'), 10_000);
    send(ws, { t: 'challenge', nonce });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      gateways.delete(ws);
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
        if (role === 'gateway') gateways.add(ws);
        send(ws, { t: 'welcome', backofficeAddress: backOffice.address });
        return;
      }
      if (frame.t === 'op' && role === 'gateway' && typeof frame.ref === 'string' && typeof frame.account === 'string') {
        const ref = frame.ref;
        backOffice
          .execute({ ref, account: frame.account, op: frame.op, params: frame.params as never, nonce: frame.nonce ?? null, session: typeof frame.session === 'string' ? frame.session : undefined }, (message) => send(ws, { t: 'msg', ref, message }))
          .then(
            (outcome) => send(ws, { t: 'end', ref, outcome }),
            () => send(ws, { t: 'end', ref, outcome: { ok: false, error: { code: 'BACKEND_UNAVAILABLE', message: 'The back office is shutting down; the operation was not performed.' } } }),
          );
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

  const { port } = wss.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
