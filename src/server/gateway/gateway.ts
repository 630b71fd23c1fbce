// The public, "blind" gateway: owns WebSocket sessions, the challenge/auth handshake, input
// validation, rate limits, frame limits and heartbeats. It keeps nothing about users beyond a
// session: the authenticated address lives in the connection and dies with it. Every valid
// operation is passed to the back office; its notifications are routed to every session of the
// addressed account.
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { endpointHost, loginText } from '../../shared/login-text';
import type { BackOfficePort, Notification, OutboundMessage } from '../contract';
import { ApiError, ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { verifyMessageSignature } from '../../shared/message-signature';
import {
  AuthParams,
  describeIssues,
  isOperationName,
  MAX_FRAME_BYTES,
  NonceSchema,
  PARAM_SCHEMAS,
  type Nonce,
} from '../../shared/protocol';

export interface GatewayOptions {
  backOffice: BackOfficePort;
  host?: string;
  port?: number;
  network?: BitcoinNetwork;
  gatewayId?: string;
  /** How long a challenge may be answered. */
  challengeTtlMs?: number;
  /** Failed auth attempts before the connection is closed. */
  maxAuthFailures?: number;
  /** Token bucket per session: sustained operations per second and burst size. */
  rateLimit?: { perSecond: number; burst: number };
  heartbeatMs?: number;
  maxFrameBytes?: number;
  /** The URL customers connect to (e.g. behind a TLS reverse proxy); its host is named in every login challenge. Default: this gateway's own URL. */
  publicUrl?: string;
  /** Serve TLS (wss://) with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface Gateway {
  url: string;
  port: number;
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  ws: WebSocket;
  challenge: string | null;
  /** The nonce inside the current challenge; once authenticated, the session's identity in signed answers. */
  challengeNonce: string | null;
  session: string | null;
  challengeAt: number;
  address: string | null;
  failures: number;
  tokens: number;
  tokensAt: number;
  alive: boolean;
  inFlight: Set<string>;
}

/** Builds a frame around `data`, which is already JSON text (signed data stays byte-for-byte canonical). */
export function frame(msg: string, nonce: Nonce | undefined, dataJson: string, signed?: string, bind?: { json: string; signed: string }): string {
  return `{"msg":${JSON.stringify(msg)}${nonce !== undefined ? `,"nonce":${JSON.stringify(nonce)}` : ''},"data":${dataJson}${signed !== undefined ? `,"signed":${JSON.stringify(signed)}` : ''}${bind ? `,"bind":${bind.json},"bindSigned":${JSON.stringify(bind.signed)}` : ''}}`;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const backOffice = opts.backOffice;
  const network = opts.network ?? 'mainnet';
  const gatewayId = opts.gatewayId ?? `gw-${crypto.randomBytes(4).toString('hex')}`;
  const challengeTtlMs = opts.challengeTtlMs ?? 120_000;
  const maxAuthFailures = opts.maxAuthFailures ?? 5;
  const rate = opts.rateLimit ?? { perSecond: 200, burst: 400 };
  const maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  let counter = 0;

  // Oversized frames up to 1 MiB get a FRAME_TOO_LARGE error; beyond that ws closes the connection (1009).
  const maxPayload = Math.max(1024 * 1024, maxFrame);
  const tlsServer = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }) : null;
  const wss = tlsServer ? new WebSocketServer({ server: tlsServer, maxPayload }) : new WebSocketServer({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, maxPayload });
  await new Promise<void>((resolve, reject) => {
    const target = tlsServer ?? wss;
    target.once('listening', resolve);
    target.once('error', reject);
    tlsServer?.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  });
  const { port } = (tlsServer ?? wss).address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `${tlsServer ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const publicHost = endpointHost(opts.publicUrl ?? url);
  const byAccount = new Map<string, Set<Session>>();
  const sessions = new Map<WebSocket, Session>();

  const send = (s: Session, text: string) => {
    if (s.ws.readyState === s.ws.OPEN) s.ws.send(text);
  };
  const sendMessage = (s: Session, m: OutboundMessage, nonce?: Nonce) => send(s, frame(m.msg, nonce, m.data, m.signed, m.bind && m.bindSigned ? { json: m.bind, signed: m.bindSigned } : undefined));
  const sendError = (s: Session, code: ErrorCode, nonce?: Nonce, message?: string) =>
    send(s, frame('error', nonce, JSON.stringify({ code, message: message ?? ERROR_CODES[code] })));
  const newChallenge = (s: Session) => {
    // A login text naming this server's public host (shared/login-text.ts): the app signs it only
    // for the host it connects to, so a relay cannot pass it on.
    s.challengeNonce = crypto.randomBytes(16).toString('hex');
    s.challengeAt = Date.now();
    s.challenge = loginText({ host: publicHost, nonce: s.challengeNonce, issuedAt: s.challengeAt });
    send(s, frame('challenge', undefined, JSON.stringify(s.challenge)));
  };

  const unsubscribe = backOffice.onNotification((n: Notification) => {
    const sessions = byAccount.get(n.account);
    if (!sessions) return;
    for (const s of sessions) if (!(n.exceptRef && s.inFlight.has(n.exceptRef))) sendMessage(s, n.message);
  });

  const takeToken = (s: Session): boolean => {
    const now = Date.now();
    s.tokens = Math.min(rate.burst, s.tokens + ((now - s.tokensAt) / 1000) * rate.perSecond);
    s.tokensAt = now;
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  };

  const authenticate = (s: Session, nonce: Nonce | undefined, params: unknown) => {
    if (s.address) return sendError(s, 'ALREADY_AUTHENTICATED', nonce);
    const p = AuthParams.safeParse(params ?? {});
    if (!p.success) return sendError(s, 'INVALID_PARAMS', nonce, describeIssues(p.error));
    if (!s.challenge || Date.now() - s.challengeAt > challengeTtlMs) {
      sendError(s, 'CHALLENGE_EXPIRED', nonce);
      return newChallenge(s);
    }
    const parsed = parseBitcoinAddress(p.data.key);
    const valid = parsed !== null && parsed.network === network;
    if (valid && verifyMessageSignature(s.challenge, p.data.key, p.data.signature)) {
      s.challenge = null; // single use
      s.session = s.challengeNonce;
      s.address = p.data.key;
      s.failures = 0;
      let set = byAccount.get(s.address);
      if (!set) byAccount.set(s.address, (set = new Set()));
      set.add(s);
      return send(s, frame('auth', nonce, JSON.stringify('User Authenticated')));
    }
    s.failures += 1;
    if (s.failures >= maxAuthFailures) {
      sendError(s, 'TOO_MANY_AUTH_FAILURES', nonce);
      s.ws.close(4008, 'too many failed authentication attempts');
      return;
    }
    if (!valid) sendError(s, 'INVALID_ADDRESS', nonce, `${p.data.key} is not a supported ${network} address (P2PKH, P2SH-P2WPKH or P2WPKH)`);
    else sendError(s, 'AUTH_FAILED', nonce);
    newChallenge(s);
  };

  const onFrame = (s: Session, raw: Buffer, isBinary: boolean) => {
    if (raw.length > maxFrame) return sendError(s, 'FRAME_TOO_LARGE', undefined, `frames are limited to ${maxFrame} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? raw.toString('utf8') : raw.toString());
    } catch {
      return sendError(s, 'MALFORMED_JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return sendError(s, 'MALFORMED_JSON', undefined, 'an operation is a JSON object: {"op": …, "nonce": …, "params": {…}}');
    const env = parsed as { op?: unknown; nonce?: unknown; params?: unknown };
    let nonce: Nonce | undefined;
    if (env.nonce !== undefined) {
      const n = NonceSchema.safeParse(env.nonce);
      if (!n.success) return sendError(s, 'INVALID_NONCE');
      nonce = n.data;
    }
    if (!takeToken(s)) return sendError(s, 'RATE_LIMITED', nonce);
    if (!isOperationName(env.op)) return sendError(s, 'UNKNOWN_OP', nonce, `unknown operation ${JSON.stringify(env.op)}`);
    if (env.params !== undefined && (env.params === null || typeof env.params !== 'object' || Array.isArray(env.params))) {
      return sendError(s, 'INVALID_PARAMS', nonce, 'params must be an object');
    }
    if (env.op === 'auth') return authenticate(s, nonce, env.params);
    if (!s.address) return sendError(s, 'NOT_AUTHENTICATED', nonce);
    const p = PARAM_SCHEMAS[env.op].safeParse(env.params ?? {});
    if (!p.success) return sendError(s, 'INVALID_PARAMS', nonce, describeIssues(p.error));
    if (!backOffice.isAvailable()) return sendError(s, 'BACKEND_UNAVAILABLE', nonce);
    const ref = `${gatewayId}:${++counter}`;
    s.inFlight.add(ref);
    backOffice
      .execute({ ref, account: s.address, op: env.op, params: p.data as never, nonce: nonce ?? null, session: s.session ?? undefined }, (m) => sendMessage(s, m, nonce))
      .then(
        (outcome) => {
          if (!outcome.ok) sendError(s, outcome.error.code, nonce, outcome.error.message);
        },
        () => sendError(s, 'BACKEND_UNAVAILABLE', nonce),
      )
      .finally(() => s.inFlight.delete(ref));
  };

  wss.on('connection', (ws) => {
    const s: Session = { ws, challenge: null, challengeNonce: null, session: null, challengeAt: 0, address: null, failures: 0, tokens: rate.burst, tokensAt: Date.now(), alive: true, inFlight: new Set() };
    sessions.set(ws, s);
    ws.on('pong', () => (s.alive = true));
    ws.on('message', (raw, isBinary) => {
      try {
        onFrame(s, raw as Buffer, isBinary);
      } catch (e) {
        sendError(s, e instanceof ApiError ? e.code : 'INTERNAL_ERROR');
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sessions.delete(ws);
      if (s.address) {
        const set = byAccount.get(s.address);
        set?.delete(s);
        if (set && set.size === 0) byAccount.delete(s.address);
      }
      s.address = null;
    });
    newChallenge(s);
  });

  const heartbeat = setInterval(() => {
    // A peer that did not answer the previous ping is gone: free its session.
    for (const [ws, s] of sessions) {
      if (!s.alive) {
        ws.terminate();
        continue;
      }
      s.alive = false;
      ws.ping();
    }
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    url,
    port,
    sessionCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => (tlsServer ? tlsServer.close(() => resolve()) : resolve()));
      }),
  };
}
