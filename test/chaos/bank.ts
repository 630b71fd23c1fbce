// A chaos test in the style of Jepsen's bank test. The server runs as real processes (one back
// office, several gateways); clients do random internal transfers (overdraws included) with and
// without requestId, retrying where the answer allows it, while a killer SIGKILLs and restarts
// the back office and the gateways at random moments. Afterwards the ledger is read straight from
// its SQLite file and every answer any client got is checked against it:
// - acknowledged but missing: a `transfer` answer whose txid is not in the ledger as sent;
// - refused but committed: every attempt of a transfer was answered "not performed" (an error),
//   yet the ledger holds it;
// - doubled: one logical transfer (its unique reference) booked more than once;
// plus the ledger's own invariants and conservation of money (internal transfers only).
// `npm test` runs it briefly (test/server/chaos.test.ts); `npm run chaos` longer, printing counts.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { fileURLToPath } from 'node:url';
import { newIdentity, spawnCli, tempDir, testRules, type Identity } from '../helpers/server';
import { runAdmin } from '../../src/server/backoffice/admin';
import { SqliteLedgerStore } from '../../src/server/backoffice/sqlite-store';
import { PgLedgerStore } from '../../src/server/backoffice/pg-store';

export interface ChaosOptions {
  seconds?: number;
  accounts?: number;
  workers?: number;
  gateways?: number;
  seed?: number;
  /** Mean pause between kills. */
  killEveryMs?: number;
  /** Kill the back office and a gateway in turn (default: a random victim each time). */
  alternateVictims?: boolean;
  print?: boolean;
  /** The ledger in PostgreSQL (`backoffice --database URL`); default SQLite in the data directory. */
  database?: string;
}

export interface ChaosReport {
  seconds: number;
  /** Stops by SIGKILL or SIGTERM, each followed by a restart. */
  kills: { backoffice: number; gateway: number };
  transfers: { logical: number; attempts: number; acknowledged: number; refused: number; indeterminate: number; withRequestId: number; outcomeUnknownAnswers: number };
  acknowledgedButMissing: number;
  refusedButCommitted: number;
  doubled: number;
  invariantProblems: string[];
  moneyConserved: boolean;
  examples: string[];
}

type Answer = { kind: 'ok'; txid: number; amount: string } | { kind: 'refused'; code: string } | { kind: 'unknown'; why: string };
interface Logical {
  reference: string;
  from: string;
  to: string;
  amount: string;
  requestId?: string;
  answers: Answer[];
}

/** Errors that say the transfer was not performed (so a retry without requestId is safe). */
const NOT_PERFORMED = new Set(['BACKEND_UNAVAILABLE', 'RATE_LIMITED', 'NOT_AUTHENTICATED']);
/** Errors that are a final refusal of this transfer. */
const REFUSALS = new Set(['INSUFFICIENT_FUNDS', 'COMPLIANCE_REJECTED', 'IDEMPOTENCY_CONFLICT']);

/** A client that never hangs: every op resolves, with `null` when the connection is lost or the answer is late. */
class ChaosClient {
  private ws: WebSocket | null = null;
  private nonce = 0;
  private waiting = new Map<number, (m: { msg: string; data: any } | null) => void>();

  constructor(
    private readonly id: Identity,
    private readonly urls: () => string[],
    private readonly rand: (n: number) => number,
  ) {}

  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Connects to a random gateway and authenticates; false if that failed (try again later). */
  async connect(): Promise<boolean> {
    const urls = this.urls();
    const ws = new WebSocket(urls[this.rand(urls.length)]);
    const challenge = await new Promise<string | null>((resolve) => {
      const t = setTimeout(() => resolve(null), 5000);
      ws.once('message', (raw) => {
        clearTimeout(t);
        const m = JSON.parse(raw.toString());
        resolve(m.msg === 'challenge' ? m.data : null);
      });
      ws.once('error', () => resolve(null));
      ws.once('close', () => resolve(null));
    });
    if (!challenge) {
      ws.terminate();
      return false;
    }
    this.ws = ws;
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      if (typeof m.nonce === 'number') {
        const w = this.waiting.get(m.nonce);
        this.waiting.delete(m.nonce);
        w?.(m);
      }
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = null;
      for (const w of this.waiting.values()) w(null);
      this.waiting.clear();
    });
    const auth = await this.op('auth', { key: this.id.address, signature: this.id.sign(challenge) }, 10_000);
    return auth?.msg === 'auth';
  }

  op(op: string, params: unknown, timeoutMs: number): Promise<{ msg: string; data: any } | null> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    const nonce = ++this.nonce;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(nonce);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(nonce, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      ws.send(JSON.stringify({ op, nonce, params }));
    });
  }

  close(): void {
    this.ws?.close();
  }
}

export async function runBankChaos(opts: ChaosOptions = {}): Promise<ChaosReport> {
  const seconds = opts.seconds ?? 10;
  const accountsN = opts.accounts ?? 6;
  const workersN = opts.workers ?? accountsN;
  const gatewaysN = opts.gateways ?? 2;
  const killEveryMs = opts.killEveryMs ?? 2500;
  let seed = opts.seed ?? Date.now() % 2 ** 31;
  const firstSeed = seed;
  // An LCG's low bits cycle quickly: use the high ones.
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor(seed / 2 ** 15) % n);
  const log = (s: string) => opts.print && console.log(`chaos: ${s}`);

  const kills = { backoffice: 0, gateway: 0 };
  const DEPOSIT = 1000n;
  const logical: Logical[] = [];
  let outcomeUnknownAnswers = 0;
  const ids = Array.from({ length: accountsN }, () => newIdentity());
  const dataDir = tempDir('ccc-chaos-');
  fs.writeFileSync(path.join(dataDir, 'compliance.json'), JSON.stringify(testRules({ limits: {} })));
  type Proc = Awaited<ReturnType<typeof spawnCli>>;
  const db = opts.database ? ['--database', opts.database] : [];
  let bo: Proc = await spawnCli(['backoffice', '--data', dataDir, '--link-port', '0', ...db]);
  const linkUrl = bo.lines.link;
  const linkPort = new URL(linkUrl).port;
  const secretFile = path.join(dataDir, 'link-secret');
  const gwArgs = (port: string) => ['gateway', '--backoffice', linkUrl, '--link-secret-file', secretFile, '--port', port];
  const gateways: { proc: Proc | null; port: string }[] = [];
  try {
    for (let i = 0; i < gatewaysN; i++) {
      const proc = await spawnCli(gwArgs('0'), 'ws');
      gateways.push({ proc, port: new URL(proc.lines.ws).port });
    }
    const urls = () => gateways.map((g) => `ws://127.0.0.1:${g.port}`);

    // Accounts: registered over the API, verified and funded by the operator (through the link).
    for (const id of ids) {
      const c = new ChaosClient(id, urls, rand);
      if (!(await c.connect())) throw new Error('chaos setup: could not connect');
      const r = await c.op('register', { name: 'Chaos Bank Ltd', email: 'ops@example.com', country: 'PA', currency: 'USD' }, 10_000);
      if (r?.msg !== 'register') throw new Error(`chaos setup: register failed: ${JSON.stringify(r)}`);
      c.close();
      for (const cmd of [
        { command: 'verify', address: id.address },
        { command: 'deposit', to: id.address, from: 'DE89370400440532013000', currency: 'USD', amount: DEPOSIT.toString() },
      ] as const) {
        const a = await runAdmin(dataDir, cmd);
        if (!a.ok) throw new Error(`chaos setup: ${cmd.command} failed: ${a.error.code}`);
      }
    }
    log(`seed ${firstSeed}; ${accountsN} accounts, ${workersN} workers, ${gatewaysN} gateways, ${seconds} s`);

    const deadline = Date.now() + seconds * 1000;
    let killerDone = false;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const worker = async (w: number) => {
      const me = ids[w % accountsN];
      const client = new ChaosClient(me, urls, rand);
      let seq = 0;
      while (Date.now() < deadline || !killerDone) {
        const to = ids[(w + 1 + rand(accountsN - 1)) % accountsN];
        const t: Logical = { reference: `chaos w${w} #${++seq}`, from: me.address, to: to.address, amount: `${1 + rand(400)}.${String(rand(100)).padStart(2, '0')}`, answers: [] };
        if (rand(10) < 6) t.requestId = `chaos-${firstSeed}-${w}-${seq}`;
        logical.push(t);
        // Attempts: retry when the answer says "not performed", or (with a requestId only) when unknown.
        for (let attempt = 0; attempt < 8; attempt++) {
          if (!client.connected && !(await client.connect())) {
            await sleep(100 + rand(200));
            continue;
          }
          const m = await client.op('transfer', { destination: t.to, currency: 'USD', amount: t.amount, reference: t.reference, ...(t.requestId ? { requestId: t.requestId } : {}) }, 45_000);
          let a: Answer;
          if (m === null) a = { kind: 'unknown', why: 'no answer (connection lost)' };
          else if (m.msg === 'transfer') a = { kind: 'ok', txid: m.data.txid, amount: m.data.amount };
          else if (m.msg === 'error' && m.data.code === 'OUTCOME_UNKNOWN') {
            outcomeUnknownAnswers += 1;
            a = { kind: 'unknown', why: 'OUTCOME_UNKNOWN' };
          } else if (m.msg === 'error' && (NOT_PERFORMED.has(m.data.code) || REFUSALS.has(m.data.code))) a = { kind: 'refused', code: m.data.code };
          else throw new Error(`chaos: unexpected answer ${JSON.stringify(m)}`);
          t.answers.push(a);
          if (a.kind === 'ok' || (a.kind === 'refused' && REFUSALS.has(a.code))) break;
          if (a.kind === 'unknown' && !t.requestId) break; // without requestId: never resend blindly
          await sleep(50 + rand(150));
        }
      }
      client.close();
    };

    // With alternateVictims, at least one kill of each kind happens even on a slow machine (the
    // workload goes on until the killer is done).
    const moreKills = () => Date.now() < deadline - 1500 || (opts.alternateVictims === true && (kills.backoffice === 0 || kills.gateway === 0));
    const killer = async () => {
      while (moreKills()) {
        await sleep(killEveryMs / 2 + rand(killEveryMs));
        if (!moreKills()) break;
        // Mostly SIGKILL (a crash); sometimes SIGTERM (an operator's restart: queued operations
        // still commit while the links are already closed).
        const signal = rand(3) === 0 ? 'SIGTERM' : 'SIGKILL';
        const victimIsBackOffice = opts.alternateVictims ? kills.backoffice <= kills.gateway : rand(2) === 0;
        if (victimIsBackOffice) {
          await bo.stop(signal);
          kills.backoffice += 1;
          await sleep(rand(500));
          bo = await spawnCli(['backoffice', '--data', dataDir, '--link-port', linkPort, ...db]);
          log(`back office stopped (${signal}) and restarted (${kills.backoffice})`);
        } else {
          const g = gateways[rand(gateways.length)];
          await g.proc?.stop(signal);
          g.proc = null;
          kills.gateway += 1;
          await sleep(rand(500));
          g.proc = await spawnCli(gwArgs(g.port), 'ws');
          log(`gateway :${g.port} stopped (${signal}) and restarted (${kills.gateway})`);
        }
      }
      await sleep(1000); // the workload runs on against the restarted processes
      killerDone = true;
    };

    await Promise.all([killer(), ...Array.from({ length: workersN }, (_, w) => worker(w))]);
  } finally {
    for (const g of gateways) await g.proc?.stop();
    await bo.stop();
  }

  // The truth: the ledger itself (the SQLite file, or the PostgreSQL database), every process stopped.
  const store = opts.database ? await PgLedgerStore.open(opts.database) : new SqliteLedgerStore(path.join(dataDir, 'ledger.sqlite'));
  const audit = await store.audit();
  const rows = audit.transfers.filter((t) => t.kind === 'internal' && t.status === 'complete').map((t) => ({ ...t, reference: t.reference ?? '' }));
  const byRef = new Map<string, typeof rows>();
  for (const r of rows) byRef.set(r.reference, [...(byRef.get(r.reference) ?? []), r]);
  const invariantProblems = await store.checkInvariants();
  const total = audit.ledgerAccounts.filter((a) => a.kind === 'customer' && a.currency === 'USD').reduce((sum, a) => sum + a.balance, 0n);
  await store.close();

  const report: ChaosReport = {
    seconds,
    kills,
    transfers: { logical: logical.length, attempts: 0, acknowledged: 0, refused: 0, indeterminate: 0, withRequestId: logical.filter((t) => t.requestId).length, outcomeUnknownAnswers },
    acknowledgedButMissing: 0,
    refusedButCommitted: 0,
    doubled: 0,
    invariantProblems,
    moneyConserved: total === DEPOSIT * 100n * BigInt(accountsN),
    examples: [],
  };
  const toMinor = (a: string) => BigInt(a.replace('.', ''));
  for (const t of logical) {
    report.transfers.attempts += t.answers.length;
    const booked = byRef.get(t.reference) ?? [];
    if (booked.length > 1) {
      report.doubled += 1;
      report.examples.push(`doubled: ${t.reference} booked as ${booked.map((b) => b.txid).join(', ')}; answers ${JSON.stringify(t.answers)}`);
    }
    const oks = t.answers.filter((a): a is Extract<Answer, { kind: 'ok' }> => a.kind === 'ok');
    for (const ok of oks) {
      const row = booked.find((b) => Number(b.txid) === ok.txid);
      if (!row || row.sender !== t.from || row.destination !== t.to || row.amount !== toMinor(t.amount) || ok.amount !== t.amount) {
        report.acknowledgedButMissing += 1;
        report.examples.push(`acknowledged but missing: ${t.reference} answered txid ${ok.txid}; ledger ${JSON.stringify(booked, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
    }
    if (oks.length > 0) report.transfers.acknowledged += 1;
    else if (t.answers.length > 0 && t.answers.every((a) => a.kind === 'refused')) {
      report.transfers.refused += 1;
      if (booked.length > 0) {
        report.refusedButCommitted += 1;
        report.examples.push(`refused but committed: ${t.reference} answered ${JSON.stringify(t.answers)}; booked as txid ${booked[0].txid}`);
      }
    } else report.transfers.indeterminate += 1;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (opts.print) {
    log(`${kills.backoffice} back-office kills, ${kills.gateway} gateway kills`);
    log(`${report.transfers.logical} transfers (${report.transfers.withRequestId} with requestId), ${report.transfers.attempts} attempts: ${report.transfers.acknowledged} acknowledged, ${report.transfers.refused} refused, ${report.transfers.indeterminate} indeterminate; ${outcomeUnknownAnswers} OUTCOME_UNKNOWN answers`);
    log(`acknowledged-but-missing ${report.acknowledgedButMissing}, refused-but-committed ${report.refusedButCommitted}, doubled ${report.doubled}; invariants ${invariantProblems.length === 0 ? 'hold' : invariantProblems.join('; ')}; money ${report.moneyConserved ? 'conserved' : 'NOT conserved'}`);
    for (const e of report.examples.slice(0, 10)) log(e);
  }
  return report;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const seconds = Number(process.env.CHAOS_SECONDS ?? 60);
  // CHAOS_DATABASE=postgres://…: the same test with the ledger in PostgreSQL (an empty database).
  const r = await runBankChaos({ seconds, accounts: 10, workers: 20, gateways: 3, print: true, seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined, database: process.env.CHAOS_DATABASE });
  const bad = r.acknowledgedButMissing + r.refusedButCommitted + r.doubled + r.invariantProblems.length + (r.moneyConserved ? 0 : 1);
  process.exit(bad === 0 ? 0 : 1);
}
