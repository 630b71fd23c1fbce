// One hostile slow reader against the server (a real `ccc-server serve` child process): a
// connection that authenticates, then never reads, while sending `history` ops for an account
// with 2,000 transfers inside the rate limit — and reconnecting whenever the server closes it.
// Figures: other users' `balance` p50/p99 without and with the hostile running, the server's
// resident memory (VmRSS of the child) before, at its peak during, and after, and how often the
// hostile was closed for not reading (4009). Also `balance` p99 during a transfer burst.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { newCustomer, spawnCli, tempDir, TestClient, testRules, type Identity } from '../test/helpers/server';
import { LinkClient } from '../src/server/link-client';
import { percentile, round, scale } from './stats';

const IBAN = 'DE89370400440532013000';
const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : NaN;
};

/** Clients each doing a `balance` every 20 ms (inside the rate limit) for `ms`; latencies sorted. */
async function balanceLoad(clients: TestClient[], ms: number): Promise<number[]> {
  const lat: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const t = performance.now();
        const m = await c.op('balance');
        if (m.msg !== 'balance') throw new Error(m.raw);
        const took = performance.now() - t;
        lat.push(took);
        if (took < 20) await new Promise((r) => setTimeout(r, 20 - took));
      }
    }),
  );
  return lat.sort((a, b) => a - b);
}

/** The hostile: authenticate, stop reading, send history ops at `perSecond`; reconnect when closed. */
function startHostile(url: string, id: Identity, perSecond: number) {
  let stopped = false;
  let closedByServer = 0;
  let sent = 0;
  let ws: WebSocket | null = null;
  const run = () => {
    if (stopped) return;
    ws = new WebSocket(url);
    const my = ws;
    let timer: NodeJS.Timeout | null = null;
    my.once('message', (raw) => {
      const challenge = JSON.parse(raw.toString()).data as string;
      my.send(JSON.stringify({ op: 'auth', nonce: 0, params: { key: id.address, signature: id.sign(challenge) } }));
      setTimeout(() => {
        (my as unknown as { _socket: { pause(): void } })._socket.pause(); // never read again
        timer = setInterval(() => {
          if (my.readyState === my.OPEN) {
            my.send(JSON.stringify({ op: 'history', nonce: ++sent }));
          }
        }, 1000 / perSecond);
      }, 100);
    });
    const again = () => {
      if (timer) clearInterval(timer);
      timer = null;
      if (my === ws && !stopped) {
        closedByServer += 1;
        ws = null;
        setTimeout(run, 50);
      }
    };
    my.on('close', again);
    my.on('error', () => my.terminate());
  };
  run();
  return {
    stats: () => ({ closedByServer, historyOpsSent: sent }),
    stop: () => {
      stopped = true;
      ws?.terminate();
    },
  };
}

export async function benchSlowReader(opts: { print?: boolean; seconds?: number; rows?: number } = {}) {
  const ms = (opts.seconds ?? 8) * 1000;
  const rows = opts.rows ?? scale(2000);
  const dataDir = tempDir('ccc-bench-slow-');
  fs.writeFileSync(path.join(dataDir, 'compliance.json'), JSON.stringify(testRules({ limits: {} })));
  const srv = await spawnCli(['serve', '--port', '0', '--data', dataDir], 'data');
  const pid = srv.child.pid!;
  const admin = new LinkClient({ url: srv.lines.link, secret: fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim(), role: 'admin', reconnect: false });
  try {
    await admin.ready();
    // The hostile's account: `rows` deposits, so each history op replays `rows` signed transfers.
    const hostileUser = await newCustomer(srv.lines.ws);
    await hostileUser.client.close();
    const hostileId = hostileUser.id;
    await admin.admin({ command: 'verify', address: hostileId.address });
    for (let i = 0; i < rows; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, rows - i) }, (_, k) => admin.admin({ command: 'deposit', to: hostileId.address, from: IBAN, currency: 'USD', amount: String(i + k + 1) })));
    }
    const users = await Promise.all(Array.from({ length: 8 }, () => newCustomer(srv.lines.ws)));
    const clients = users.map((u) => u.client);
    await balanceLoad(clients, 500); // warm up

    const rssBefore = rssMiB(pid);
    const baseline = await balanceLoad(clients, ms);

    let rssPeak = rssMiB(pid);
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 100);
    const hostile = startHostile(srv.lines.ws, hostileId, 150);
    const underAttack = await balanceLoad(clients, ms);
    hostile.stop();
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 1500));
    const rssAfter = rssMiB(pid);

    // The same history read by a client that reads: the paged replay end to end.
    const reader = await TestClient.connect(srv.lines.ws);
    await reader.login(hostileId);
    const r0 = performance.now();
    const replay = await reader.history();
    const replayMs = performance.now() - r0;
    if (replay.transfers.length !== rows) throw new Error(`replayed ${replay.transfers.length} of ${rows}`);
    await reader.close();

    // `balance` while every other user sends transfers flat out (signing on the event loop).
    const senders = users.slice(1);
    for (const u of senders) {
      await admin.admin({ command: 'verify', address: u.id.address });
      await admin.admin({ command: 'deposit', to: u.id.address, from: IBAN, currency: 'USD', amount: '1000000' });
    }
    let burst = true;
    let transfers = 0;
    const burstDone = Promise.all(
      senders.map(async (u, i) => {
        const dest = senders[(i + 1) % senders.length].id.address;
        while (burst) {
          const m = await u.client.op('transfer', { destination: dest, currency: 'USD', amount: '1.00' });
          if (m.msg === 'transfer') transfers += 1;
        }
      }),
    );
    const duringBurst = await balanceLoad([users[0].client], Math.min(ms, 5000));
    burst = false;
    await burstDone;
    await Promise.all(clients.map((c) => c.close()));

    const result = {
      baseline: { balanceOps: baseline.length, p50Ms: round(percentile(baseline, 50), 2), p99Ms: round(percentile(baseline, 99), 2) },
      withHostileSlowReader: { balanceOps: underAttack.length, p50Ms: round(percentile(underAttack, 50), 2), p99Ms: round(percentile(underAttack, 99), 2), ...hostile.stats() },
      serverRssMiB: { before: rssBefore, peakWithHostile: rssPeak, after: rssAfter },
      balanceDuringTransferBurst: { transfers, p50Ms: round(percentile(duringBurst, 50), 2), p99Ms: round(percentile(duringBurst, 99), 2) },
      historyRowsPerHostileOp: rows,
      historyReplay: { rows, ms: round(replayMs), rowsPerSecond: round(rows / (replayMs / 1000)) },
    };
    if (opts.print) {
      console.log(
        `slow reader: other users' balance p50/p99 ${result.baseline.p50Ms}/${result.baseline.p99Ms} ms alone, ${result.withHostileSlowReader.p50Ms}/${result.withHostileSlowReader.p99Ms} ms with one hostile slow reader (${rows}-row history ops; closed for not reading ${result.withHostileSlowReader.closedByServer}×)`,
      );
      console.log(`slow reader: server RSS ${rssBefore} MiB before, peak ${rssPeak} MiB with the hostile, ${rssAfter} MiB after`);
      console.log(`history: a reading client replays ${rows} signed transfers in ${result.historyReplay.ms} ms (${result.historyReplay.rowsPerSecond} rows/s, paged)`);
      console.log(`burst: balance p99 ${result.balanceDuringTransferBurst.p99Ms} ms while ${senders.length} clients sent ${transfers} transfers`);
    }
    return result;
  } finally {
    await admin.close();
    await srv.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchSlowReader({ print: true }), null, 2));
}
