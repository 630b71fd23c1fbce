// The server end to end over real WebSockets: internal transfers with N concurrent clients
// (each transfer signed, committed and delivered to both sides), auth handshakes, and the same
// transfer workload straight against the ledger so the cost of each layer is visible.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newCustomer, startTestServer, TestClient, newIdentity, testRules } from '../test/helpers/server';
import { percentile, round, scale } from './stats';
import { benchLedger } from './ledger';

export async function benchServer(opts: { clients?: number; transfers?: number; handshakes?: number; print?: boolean } = {}) {
  const clients = opts.clients ?? 16;
  const transfers = opts.transfers ?? scale(4000);
  const handshakes = opts.handshakes ?? scale(400);
  const server = await startTestServer({ rules: testRules({ limits: {} }), rateLimit: { perSecond: 1e6, burst: 1e6 } });
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
      layer: 'end to end over WebSocket',
      clients,
      transfers: per * clients,
      transfersPerSecond: round((per * clients) / seconds),
      p50Ms: round(percentile(lat, 50), 2),
      p99Ms: round(percentile(lat, 99), 2),
      authHandshakesPerSecond: round(hs),
    };
    if (opts.print) console.log(`server: ${network.transfersPerSecond} transfers/s over WebSocket with ${clients} clients, p50 ${network.p50Ms} ms, p99 ${network.p99Ms} ms; ${network.authHandshakesPerSecond} auth handshakes/s`);
    const ledger = await benchLedger({ transfers: per * clients, concurrency: clients, print: opts.print });
    return { network, ledger, networkShareOfTime: round(1 - ledger.transfersPerSecond ** -1 / network.transfersPerSecond ** -1, 2) };
  } finally {
    await server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchServer({ print: true }), null, 2));
}
