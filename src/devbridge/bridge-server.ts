// The Chromium dev bridge: the same renderer, outside Electron, against the REAL main-process core.
// It serves the built renderer on loopback and implements the typed TreasuryApi over a local
// WebSocket — only the methods in TREASURY_METHODS, only with this run's token, only from its own
// origin. It exists because the Electron binary cannot be downloaded on our machines, and it is
// how the renderer is tested in a real browser.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { TreasuryBridge } from '../shared/app-api';
import { dispatchTreasuryCall } from '../shared/treasury-rpc';
import { RENDERER_CSP } from '../shared/renderer-csp';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' };

export interface DevBridge {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startDevBridge(opts: { core: TreasuryBridge; rendererDir: string; port?: number; host?: string }): Promise<DevBridge> {
  const token = crypto.randomBytes(16).toString('hex');
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`no built renderer in ${root}: run \`npx vite build --config vite.renderer.config.ts\``);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': RENDERER_CSP.replace("connect-src 'none'", "connect-src 'self'"),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const wss = new WebSocketServer({ server, path: '/bridge', maxPayload: 1024 * 1024 });
  wss.on('connection', (ws, req) => {
    const given = new URL(req.url ?? '', 'http://x').searchParams.get('token') ?? '';
    if (req.headers.origin !== origin || given.length !== token.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(token))) {
      ws.close(4001, 'not allowed');
      return;
    }
    const unsubscribe = opts.core.onEvent((event) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ event })));
    ws.on('close', unsubscribe);
    ws.on('message', async (raw) => {
      let msg: { id: number; method: unknown; args: unknown };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return;
      }
      ws.send(JSON.stringify({ id: msg.id, ...(await dispatchTreasuryCall(opts.core, msg.method, msg.args)) }));
    });
  });
  return {
    url: `${origin}/#token=${token}`,
    token,
    close: () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
