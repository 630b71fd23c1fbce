// Test helpers: a real ccc-server on an ephemeral port in a temp dir, real keys, and a small
// WebSocket client that speaks the protocol. Used by server, core and UI tests alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey, type AddressKind, type BitcoinNetwork } from '../../src/shared/bitcoin-address';
import { signMessage } from '../../src/shared/node/message-signature';
import { startServer, type ServerProcess } from '../../src/server/serve';
import { RulesSchema, type Rules } from '../../src/server/backoffice/config';

export function tempDir(prefix = 'ccc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Identity {
  privateKey: Uint8Array;
  address: string;
  kind: AddressKind;
  sign(message: string): string;
}

export function newIdentity(kind: AddressKind = 'p2pkh', network: BitcoinNetwork = 'mainnet'): Identity {
  const privateKey = secp256k1.utils.randomPrivateKey();
  const address = addressFromPublicKey(secp256k1.getPublicKey(privateKey, true), kind, network);
  return { privateKey, address, kind, sign: (m) => signMessage(m, privateKey) };
}

/** Rules for tests: fast rails, no failing IBANs unless asked. */
export function testRules(overrides: Omit<Partial<Rules>, 'rails'> & { rails?: Partial<Rules['rails']> } = {}): Rules {
  const base = RulesSchema.parse({});
  return { ...base, ...overrides, rails: { ...base.rails, settleDelayMs: 0, ...(overrides.rails ?? {}) } };
}

export async function startTestServer(opts: { rules?: Rules; dataDir?: string } & Omit<Parameters<typeof startServer>[0], 'dataDir'> = {}): Promise<ServerProcess> {
  return startServer({ port: 0, ...opts, dataDir: opts.dataDir ?? tempDir(), rules: opts.rules ?? testRules() });
}

export type Msg = { msg: string; nonce?: number | string; data: any; signed?: string; raw: string };

export class TestClient {
  readonly received: Msg[] = [];
  private queue: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private nonce = 0;
  challenge = '';
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const text = raw.toString();
      const m = { ...JSON.parse(text), raw: text } as Msg;
      this.received.push(m);
      if (m.msg === 'challenge') this.challenge = m.data;
      const i = this.waiters.findIndex((w) => w.pred(m));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(m);
      } else this.queue.push(m);
    });
    ws.on('close', () => (this.closed = true));
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    const c = new TestClient(ws);
    await c.next((m) => m.msg === 'challenge');
    return c;
  }

  /** The next message matching pred (already received or to come). */
  next(pred: (m: Msg) => boolean, timeoutMs = 10_000): Promise<Msg> {
    const i = this.queue.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out waiting for a message; queue: ${this.queue.map((m) => m.raw).join(' | ')}`));
      }, timeoutMs);
      this.waiters.push({ pred, resolve, reject, timer });
    });
  }

  /** Messages that arrived but nobody consumed yet. */
  unconsumed(): Msg[] {
    return [...this.queue];
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends an op with a fresh nonce and resolves with the first message answering it. */
  async op(op: string, params?: unknown, timeoutMs?: number): Promise<Msg> {
    const nonce = ++this.nonce;
    this.send(params === undefined ? { op, nonce } : { op, nonce, params });
    return this.next((m) => m.nonce === nonce, timeoutMs);
  }

  /** Sends an op and collects every answer up to and including the closing history (or an error). */
  async history(params?: unknown): Promise<{ transfers: Msg[]; end: Msg }> {
    const nonce = ++this.nonce;
    this.send(params === undefined ? { op: 'history', nonce } : { op: 'history', nonce, params });
    const transfers: Msg[] = [];
    for (;;) {
      const m = await this.next((x) => x.nonce === nonce);
      if (m.msg === 'transfer') transfers.push(m);
      else return { transfers, end: m };
    }
  }

  async login(id: Identity): Promise<Msg> {
    return this.op('auth', { key: id.address, signature: id.sign(this.challenge) });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Connects, authenticates and (optionally) registers a new identity. */
export async function newCustomer(url: string, opts: { kind?: AddressKind; register?: boolean; currency?: string; name?: string } = {}): Promise<{ id: Identity; client: TestClient }> {
  const id = newIdentity(opts.kind ?? 'p2pkh');
  const client = await TestClient.connect(url);
  const auth = await client.login(id);
  if (auth.msg !== 'auth') throw new Error(`auth failed: ${auth.raw}`);
  if (opts.register !== false) {
    const r = await client.op('register', { name: opts.name ?? 'Test Exchange Ltd', email: 'ops@example.com', country: 'PA', currency: opts.currency ?? 'USD' });
    if (r.msg !== 'register') throw new Error(`register failed: ${r.raw}`);
  }
  return { id, client };
}

// `node --import tsx` runs the CLI in ONE process (the tsx CLI would fork a grandchild that a kill misses).
export const NODE_TSX = ['--import', 'tsx'];
export const SERVER_CLI = path.resolve('src/server/cli.ts');

/** Runs `ccc-server <args>` as a child process to completion. */
export function runCli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_TSX, SERVER_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ccc-server ${args.join(' ')} timed out`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running `ccc-server <args>` child and resolves once it printed its ready lines. */
export async function spawnCli(args: string[], readyKey = 'backoffice-address', timeoutMs = 30_000): Promise<{ child: ChildProcess; lines: Record<string, string>; stop(signal?: NodeJS.Signals): Promise<void> }> {
  const child = spawn(process.execPath, [...NODE_TSX, SERVER_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, string> = {};
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`ccc-server ${args.join(' ')} did not start: ${stderr}`)), timeoutMs);
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      for (const line of buf.split('\n')) {
        const m = /^([a-z-]+): (.*)$/.exec(line.trim());
        if (m) lines[m[1]] = m[2];
      }
      if (lines[readyKey]) {
        clearTimeout(t);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`ccc-server exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    lines,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
