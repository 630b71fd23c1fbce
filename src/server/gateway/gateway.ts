// The public, "blind" gateway: owns WebSocket sessions and wires its parts together — frames in and
// out (envelope.ts), the login handshake (login.ts), rate limits (rate-limit.ts), output and close
// codes (output-limits.ts), connection caps (admission.ts), history replays one at a time
// (stream-queue.ts), routing of notifications (routing.ts), and the truth about operations whose
// link dropped (outcome-recovery.ts). It keeps nothing about users beyond a session (session.ts):
// the authenticated address lives in the connection and dies with it.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Monitoring, upgradeRequired } from '../monitoring';
import { endpointHost } from '../../shared/login-text';
import { isStateChanging, OutcomeUnknownError, type BackOfficePort, type BackOfficeOp, type OutboundMessage, type RecoveredOutcome } from '../contract';
import { CLOSE_CODES, closeConnection, OutputLimiter, type OutputLimitOptions } from './output-limits';
import { OutcomeRecovery } from './outcome-recovery';
import { StreamQueue } from './stream-queue';
import { ConnectionAdmission } from './admission';
import { frame, parseEnvelope } from './envelope';
import { Login } from './login';
import { TokenBucket, type RateLimit } from './rate-limit';
import { AccountRoutes } from './routing';
import type { Session } from './session';
import { ApiError, ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { isAddressOnNetwork, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { describeIssues, MAX_FRAME_BYTES, PARAM_SCHEMAS, type Nonce } from '../../shared/protocol';

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
  rateLimit?: RateLimit;
  heartbeatMs?: number;
  maxFrameBytes?: number;
  /** The URL customers connect to (e.g. behind a TLS reverse proxy); its host is named in every login challenge. Default: this gateway's own URL. */
  publicUrl?: string;
  /** Serve TLS (wss://) with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Most connections held at once, in total and per remote address; more are closed at once with 1013. */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** A connection not authenticated within this time is closed (4010); defaults to challengeTtlMs. */
  authTimeoutMs?: number;
  /** Cap on each connection's unsent output, and when a paused history stream resumes. */
  output?: OutputLimitOptions;
  /** How long an operation whose link dropped may wait for its real outcome before OUTCOME_UNKNOWN. */
  outcomeRecoveryMs?: number;
}

export interface Gateway {
  url: string;
  port: number;
  sessionCount(): number;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const backOffice = opts.backOffice;
  const network = opts.network ?? 'mainnet';
  const gatewayId = opts.gatewayId ?? `gw-${crypto.randomBytes(4).toString('hex')}`;
  const challengeTtlMs = opts.challengeTtlMs ?? 120_000;
  const rate = opts.rateLimit ?? { perSecond: 200, burst: 400 };
  const maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const admission = new ConnectionAdmission(opts.maxConnections ?? 10_000, opts.maxConnectionsPerAddress ?? 256);
  const authTimeoutMs = opts.authTimeoutMs ?? challengeTtlMs;
  const output = new OutputLimiter(opts.output);
  const recovery = new OutcomeRecovery(backOffice, { boundMs: opts.outcomeRecoveryMs });
  // Refs name operations in the back office's outcome log: unique across restarts of this gateway too.
  const refPrefix = `${gatewayId}.${crypto.randomBytes(8).toString('hex')}`;
  let counter = 0;
  let connections = 0;

  // Oversized frames up to 1 MiB get a FRAME_TOO_LARGE error; beyond that ws closes the connection (1009).
  const maxPayload = Math.max(1024 * 1024, maxFrame);
  // One HTTP(S) server: WebSocket upgrades, plus /healthz, /readyz and /metrics for the operator.
  const monitoring = new Monitoring('gateway', { problems: () => (backOffice.isAvailable() ? [] : ['the link to the back office is down']) });
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }) : http.createServer();
  server.on('request', (req, res) => monitoring.handle(req, res) || upgradeRequired(res));
  const wss = new WebSocketServer({ server, maxPayload });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const url = `${opts.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const opsTotal = monitoring.counter('ccc_gateway_operations_total', 'Operations answered, by operation and outcome (ok or the error code).', ['op', 'outcome']);
  const opSeconds = monitoring.histogram('ccc_gateway_operation_seconds', 'Time from an operation to its last answer, by operation.', ['op']);
  monitoring.gauge('ccc_gateway_connections', 'Open WebSocket connections.', () => wss.clients.size);
  monitoring.gauge('ccc_gateway_authenticated_sessions', 'Authenticated sessions.', () => routes.sessions);
  monitoring.gauge('ccc_gateway_backoffice_link_up', '1 when the link to the back office is up.', () => (backOffice.isAvailable() ? 1 : 0));
  const login = new Login({ publicHost: endpointHost(opts.publicUrl ?? url), network, challengeTtlMs, maxAuthFailures: opts.maxAuthFailures ?? 5 });
  const routes = new AccountRoutes();
  const sessions = new Set<Session>();

  const send = (s: Session, text: string) => {
    output.send(s.ws, text);
  };
  const sendMessage = (s: Session, m: OutboundMessage, nonce?: Nonce) => send(s, frame(m.msg, nonce, m.data, m.signed, m.bind && m.bindSigned ? { json: m.bind, signed: m.bindSigned } : undefined));
  const sendError = (s: Session, code: ErrorCode, nonce?: Nonce, message?: string) =>
    send(s, frame('error', nonce, JSON.stringify({ code, message: message ?? ERROR_CODES[code] })));
  const newChallenge = (s: Session) => send(s, frame('challenge', undefined, JSON.stringify(login.challenge(s))));

  // A removed member's session ends at once (the back office also refuses its every operation).
  const revoke = (s: Session) => closeConnection(s.ws, CLOSE_CODES.membershipRevoked, 'your membership of this account was removed');
  const unsubscribe = backOffice.onNotification((n) => routes.deliver(n, sendMessage, revoke));

  const authenticate = (s: Session, nonce: Nonce | undefined, params: unknown) => {
    const v = login.authenticate(s, params);
    // The accounts' audit trails learn of logins and of failed attempts on a real key (best effort).
    const claimed = (params as { key?: unknown } | null)?.key;
    if (v.ok) backOffice.recordLogin({ address: v.address, gateway: gatewayId, ok: true });
    else if ((v.code === 'AUTH_FAILED' || v.code === 'TOO_MANY_AUTH_FAILURES') && isAddressOnNetwork(claimed, network)) backOffice.recordLogin({ address: claimed as string, gateway: gatewayId, ok: false, code: v.code });
    if (v.ok) {
      routes.add(s);
      return send(s, frame('auth', nonce, JSON.stringify('User Authenticated')));
    }
    sendError(s, v.code, nonce, v.message);
    if (v.close) return s.ws.close(4008, 'too many failed authentication attempts');
    if (v.newChallenge) newChallenge(s);
  };

  /** Answers an operation whose link dropped in flight with what really became of it. */
  const answerRecovered = (s: Session, r: RecoveredOutcome | null, nonce: Nonce | undefined) => {
    if (r === null) return sendError(s, 'OUTCOME_UNKNOWN', nonce);
    if (r.state === 'not-performed') return sendError(s, 'BACKEND_UNAVAILABLE', nonce, 'The link to the back office was lost; the back office confirms the operation was not performed.');
    for (const m of r.messages) sendMessage(s, m, nonce);
    if (!r.outcome.ok) sendError(s, r.outcome.error.code, nonce, r.outcome.error.message);
  };

  const onFrame = (s: Session, raw: Buffer, isBinary: boolean) => {
    // Every frame counts against the rate limit, malformed ones too; a peer that keeps sending far
    // beyond it after RATE_LIMITED answers is closed.
    if (s.ws.readyState !== s.ws.OPEN) return; // being closed: nothing more is answered
    const allowed = s.rate.take();
    if (allowed) s.excess = 0;
    else if (++s.excess > rate.burst) return closeConnection(s.ws, CLOSE_CODES.flooding, 'rate limit exceeded repeatedly');
    const env = parseEnvelope(raw, isBinary, maxFrame, allowed);
    if (!env.ok) return sendError(s, env.code, env.nonce, env.message);
    const nonce = env.nonce;
    if (env.op === 'auth') return authenticate(s, nonce, env.params);
    if (!s.address) return sendError(s, 'NOT_AUTHENTICATED', nonce);
    const p = PARAM_SCHEMAS[env.op].safeParse(env.params ?? {});
    if (!p.success) return sendError(s, 'INVALID_PARAMS', nonce, describeIssues(p.error));
    if (!backOffice.isAvailable()) return sendError(s, 'BACKEND_UNAVAILABLE', nonce);
    const op: BackOfficeOp = env.op;
    // A session acting for a team account: the operation is the account's, performed by the member.
    const account = op === 'act' ? s.address : (s.acting ?? s.address);
    const member = op !== 'act' && s.acting !== null ? s.address : undefined;
    const run = () => {
      const ref = `${s.refPrefix}${++counter}`;
      s.inFlight.add(ref);
      const endTimer = opSeconds.startTimer({ op });
      const counted = (outcome: string) => {
        endTimer();
        opsTotal.inc({ op, outcome });
      };
      return backOffice
        .execute({ ref, account, member, op, params: p.data as never, nonce: nonce ?? null, session: s.session ?? undefined }, (m) => sendMessage(s, m, nonce), { more: () => output.whenDrained(s.ws) })
        .then(
          (outcome) => {
            counted(outcome.ok ? 'ok' : outcome.error.code);
            // The back office accepted the membership: from now on this session acts for that account.
            if (op === 'act' && outcome.ok) {
              const target = (p.data as { account: string }).account;
              routes.act(s, target === s.address ? null : target);
            }
            if (!outcome.ok) sendError(s, outcome.error.code, nonce, outcome.error.message);
          },
          // Sent, then the link dropped: never guess "not performed"; learn the outcome.
          (e) => {
            counted('link-lost');
            return e instanceof OutcomeUnknownError && isStateChanging(op) ? recovery.recover(ref).then((r) => answerRecovered(s, r, nonce)) : sendError(s, 'BACKEND_UNAVAILABLE', nonce);
          },
        )
        .finally(() => s.inFlight.delete(ref));
    };
    if (op !== 'history') return void run();
    if (!s.streams.run(run)) sendError(s, 'RATE_LIMITED', nonce, 'too many history replays waiting on this connection; read the ones in progress first');
  };

  wss.on('connection', (ws, req) => {
    const remote = req.socket.remoteAddress ?? '?';
    const refused = admission.admit(remote);
    if (refused) {
      ws.on('error', () => ws.terminate());
      return closeConnection(ws, CLOSE_CODES.tooManyConnections, refused);
    }
    const s: Session = { ws, challenge: null, challengeNonce: null, challengeAt: 0, session: null, address: null, acting: null, failures: 0, rate: new TokenBucket(rate), alive: true, inFlight: new Set(), refPrefix: `${refPrefix}:${++connections}:`, excess: 0, streams: new StreamQueue() };
    sessions.add(s);
    const authTimer = setTimeout(() => {
      if (!s.address) closeConnection(ws, CLOSE_CODES.authTimeout, 'not authenticated before the challenge expired');
    }, authTimeoutMs);
    authTimer.unref();
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
      admission.release(remote);
      clearTimeout(authTimer);
      s.streams.clear();
      sessions.delete(s);
      routes.remove(s);
      s.address = null;
    });
    newChallenge(s);
  });

  const heartbeat = setInterval(() => {
    // A peer that did not answer the previous ping is gone: free its session.
    for (const s of sessions) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
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
        recovery.close();
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
        wss.close(() => server.close(() => resolve()));
      }),
  };
}
