// The server end to end over real WebSockets: internal transfers with N concurrent clients
// (each transfer signed, committed and delivered to both sides), auth handshakes, and the same
// transfer workload straight against the ledger so the cost of each layer is visible — for both
// ledger stores, side by side: SQLite (WAL, synchronous=FULL) and PostgreSQL (a real server this
// bench starts, initdb + pg_ctl, with fsync on; skipped with the reason where it is not installed).
import path from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { newCustomer, startTestServer, TestClient, newIdentity, testRules } from '../test/helpers/server';
import { postgresUnavailable, startTestPostgres } from '../test/helpers/postgres';
import { percentile, round, scale } from './stats';
import { benchLedger } from './ledger';

type Opts = { clients?: number; transfers?: number; handshakes?: number; print?: boolean };

async function benchOneStore(opts: Opts, database?: string) {
  const clients = opts.clients ?? 16;
  const transfers = opts.transfers ?? scale(4000);
  const handshakes = opts.handshakes ?? scale(400);
  const server = await startTestServer({ rules: testRules({ limits: {} }), rateLimit: { perSecond: 1e6, burst: 1e6 }, database });
  const store = server.backOffice.store.kind;
  try {
    const customers = await Promise.all(Array.from({ length: clients }, () => newCustomer(server.url)));
    for (const c of customers) {
      await server.backOffice.admin({ command: 'verify', address: c.id.address });
      await server.backOffice.admin({ command: 'deposit', to: c.id.address, from: 'DE89370400440532013000', currency: 'USD', amount: '1000000' });
      await c.client.next((m) => m.msg === 'transfer');
    }
    // Each client sends its share of transfers one after another (a client waits for its answer).
    const per = Math.ceil(transfers / clients);
    const lat: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      customers.map(async (c, i) => {
        const dest = customers[(i + 1) % clients].id.address;
        for (let k = 0; k < per; k++) {
          const s = performance.now();
          const m = await c.client.op('transfer', { destination: dest, currency: 'USD', amount: '1.00' });
          if (m.msg !== 'transfer') throw new Error(m.raw);
          lat.push(performance.now() - s);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    await Promise.all(customers.map((c) => c.client.close()));

    // Auth handshakes: connect → challenge → sign → auth, 8 at a time.
    const h0 = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const id = newIdentity();
        while (done < handshakes) {
          done++;
          const c = await TestClient.connect(server.url);
          const a = await c.login(id);
          if (a.msg !== 'auth') throw new Error(a.raw);
          await c.close();
        }
      }),
    );
    const hs = handshakes / ((performance.now() - h0) / 1000);
    const network = {
      layer: `end to end over WebSocket (${store})`,
      clients,
      transfers: per * clients,
      transfersPerSecond: round((per * clients) / seconds),
      p50Ms: round(percentile(lat, 50), 2),
      p99Ms: round(percentile(lat, 99), 2),
      authHandshakesPerSecond: round(hs),
    };
    if (opts.print) console.log(`server (${store}): ${network.transfersPerSecond} transfers/s over WebSocket with ${clients} clients, p50 ${network.p50Ms} ms, p99 ${network.p99Ms} ms; ${network.authHandshakesPerSecond} auth handshakes/s`);
    return network;
  } finally {
    await server.close();
  }
}

/** The network figures, then the same transfers straight against the ledger (a fresh one). */
async function benchStore(opts: Opts, database?: string) {
  const network = await benchOneStore(opts, database);
  const ledger = await benchLedger({ transfers: network.transfers, concurrency: network.clients, print: opts.print, database: database && (await freshDatabase(database)) });
  return { network, ledger, networkShareOfTime: round(1 - ledger.transfersPerSecond ** -1 / network.transfersPerSecond ** -1, 2) };
}

/** Another empty database on the same server. */
async function freshDatabase(url: string): Promise<string> {
  const name = `bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function benchServer(opts: Opts = {}) {
  const sqlite = await benchStore(opts);
  const why = postgresUnavailable();
  if (why) {
    if (opts.print) console.log(`server (postgres): skipped — ${why}`);
    return { sqlite, postgres: { skipped: why } };
  }
  const server = await startTestPostgres({ durable: true });
  try {
    const postgres = await benchStore(opts, server.url);
    if (opts.print) {
      console.log(`${'side by side'.padEnd(24)}${'sqlite'.padEnd(20)}postgres`);
      const row = (what: string, a: number | string, b: number | string) => console.log(`${what.padEnd(24)}${String(a).padEnd(20)}${b}`);
      row('transfers/s end to end', sqlite.network.transfersPerSecond, postgres.network.transfersPerSecond);
      row('p50 / p99 ms end to end', `${sqlite.network.p50Ms} / ${sqlite.network.p99Ms}`, `${postgres.network.p50Ms} / ${postgres.network.p99Ms}`);
      row('ledger transfers/s', sqlite.ledger.transfersPerSecond, postgres.ledger.transfersPerSecond);
      row('ledger ops per commit', sqlite.ledger.operationsPerCommit, postgres.ledger.operationsPerCommit);
    }
    return { sqlite, postgres };
  } finally {
    server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchServer({ print: true }), null, 2));
}
