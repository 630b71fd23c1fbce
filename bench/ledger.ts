// Internal transfers straight against the back office (no network): the cost of the ledger
// itself, with group commit — SQLite WAL and synchronous=FULL on a real file, or (`database`) a
// PostgreSQL database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackOffice } from '../src/server/backoffice/back-office';
import { RulesSchema } from '../src/server/backoffice/config';
import { PgLedgerStore } from '../src/server/backoffice/pg-store';
import { percentile, round, runConcurrent, scale } from './stats';
import { newIdentity } from '../test/helpers/server';

export async function benchLedger(opts: { transfers?: number; concurrency?: number; accounts?: number; print?: boolean; database?: string } = {}) {
  const transfers = opts.transfers ?? scale(5000);
  const concurrency = opts.concurrency ?? 64;
  const accountCount = opts.accounts ?? 32;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-bench-ledger-'));
  const rules = RulesSchema.parse({ limits: {} });
  rules.rails.settleDelayMs = 0;
  const bo = new BackOffice({ dataDir, rules, store: opts.database ? await PgLedgerStore.open(opts.database) : undefined });
  const ids = Array.from({ length: accountCount }, () => newIdentity());
  let ref = 0;
  const exec = (account: string, op: string, params: unknown) =>
    bo.execute({ ref: `bench:${++ref}`, account, op: op as never, params: params as never }, () => {}).then((o) => {
      if (!o.ok) throw new Error(`${op}: ${o.error.code} ${o.error.message}`);
    });
  for (const id of ids) {
    await exec(id.address, 'register', { name: 'Bench Ltd', email: 'b@example.com', country: 'PA', currency: 'USD' });
    await bo.admin({ command: 'verify', address: id.address });
    await bo.admin({ command: 'deposit', to: id.address, from: 'DE89370400440532013000', currency: 'USD', amount: '1000000' });
  }
  const before = { ...bo.stats };
  const statementsBefore = bo.store instanceof PgLedgerStore ? bo.store.stats.writeStatements : 0;
  const t0 = performance.now();
  const lat = await runConcurrent(transfers, concurrency, (i) => exec(ids[i % accountCount].address, 'transfer', { destination: ids[(i + 1) % accountCount].address, currency: 'USD', amount: '1.00' }));
  const seconds = (performance.now() - t0) / 1000;
  const commits = bo.stats.commits - before.commits;
  // PostgreSQL: each statement is a round trip inside the single-writer batch, the cost that bounds it.
  const statements = bo.store instanceof PgLedgerStore ? bo.store.stats.writeStatements - statementsBefore : null;
  const problems = await bo.store.checkInvariants();
  await bo.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const result = {
    layer: `ledger (in-process, no network, ${bo.store.kind})`,
    transfers,
    concurrency,
    transfersPerSecond: round(transfers / seconds),
    p50Ms: round(percentile(lat, 50), 2),
    p99Ms: round(percentile(lat, 99), 2),
    commits,
    operationsPerCommit: round(transfers / commits, 1),
    ...(statements !== null ? { statementsPerTransfer: round(statements / transfers, 1) } : {}),
    invariantsHold: problems.length === 0,
  };
  if (opts.print) console.log(`ledger (${bo.store.kind}): ${result.transfersPerSecond} transfers/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.operationsPerCommit} ops per commit${statements !== null ? `, ${round(statements / transfers, 1)} statements per transfer` : ''}`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await benchLedger({ print: true }));
}
