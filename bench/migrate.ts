// `ccc-server migrate` at size: an SQLite ledger written by the back office (internal transfers with
// requestIds), then copied into a fresh PostgreSQL database (a real server this bench starts) and
// verified — rows per second of the whole migration, checks included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BackOffice } from '../src/server/backoffice/back-office';
import { RulesSchema } from '../src/server/backoffice/config';
import { migrateSqliteToPostgres } from '../src/server/backoffice/migrate-to-pg';
import { postgresUnavailable, startTestPostgres } from '../test/helpers/postgres';
import { newIdentity } from '../test/helpers/server';
import { round, runConcurrent, scale } from './stats';

export async function benchMigrate(opts: { transfers?: number; print?: boolean } = {}) {
  const why = postgresUnavailable();
  if (why) {
    if (opts.print) console.log(`migrate: skipped (${why})`);
    return { skipped: why };
  }
  const transfers = opts.transfers ?? scale(20_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-bench-migrate-'));
  const rules = RulesSchema.parse({ limits: {} });
  rules.rails.settleDelayMs = 0;
  const bo = new BackOffice({ dataDir, rules });
  const ids = Array.from({ length: 32 }, () => newIdentity());
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
  await runConcurrent(transfers, 64, (i) => exec(ids[i % ids.length].address, 'transfer', { destination: ids[(i + 1) % ids.length].address, currency: 'USD', amount: '1.00', requestId: `bench-${String(i).padStart(8, '0')}` }));
  await bo.close();
  const file = path.join(dataDir, 'ledger.sqlite');
  const server = await startTestPostgres();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_migrate');
    await admin.end();
    const url = new URL(server.url);
    url.pathname = '/bench_migrate';
    const t0 = performance.now();
    const report = await migrateSqliteToPostgres(file, url.toString());
    const seconds = (performance.now() - t0) / 1000;
    const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
    const result = { layer: 'ccc-server migrate, SQLite to PostgreSQL, verified', transfers, rows, fileMiB: round(fs.statSync(file).size / 1048576), seconds: round(seconds), rowsPerSecond: Math.round(rows / seconds) };
    if (opts.print) console.log(`migrate: ${transfers} transfers, ${rows} rows (${result.fileMiB} MiB) copied and verified in ${result.seconds} s, ${result.rowsPerSecond} rows/s`);
    return result;
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await benchMigrate({ print: true }));
}
