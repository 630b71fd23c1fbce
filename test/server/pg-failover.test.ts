// Two back-office processes on one PostgreSQL database (issue 10): one is active, the other stands by.
// The active one is SIGKILLed in the middle of a burst of transfers; the standby takes over, the gateway
// (given both link URLs) follows it, a pending IBAN payout still settles, every invariant holds, and
// every answer a client got is the ledger's truth: each transfer acknowledged is booked once, and a
// retry with the same requestId answers the same transfer (or performs a refused one once). And no
// notification is lost: just before the kill the dying back office's frames to the gateway are lost
// (a proxy on its link swallows them, as a stalled host's socket would), so notifications it committed
// never reached the gateway; the new active one replays them from the outbox, and every session that
// stayed connected gets each committed transaction's notification exactly once.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startRemoteGateway } from '../../src/server/serve';
import { LinkClient } from '../../src/server/link-client';
import { PgLedgerStore } from '../../src/server/backoffice/pg-store';
import { newCustomer, NODE_TSX, SERVER_CLI, tempDir, TestClient, testRules, type Msg } from '../helpers/server';
import { freshDatabase } from '../helpers/stores';
import { waitFor } from '../helpers/wait';
import { WsProxy, type ProxyLink } from '../helpers/ws-proxy';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `ccc-server backoffice` as a child process; resolves when it printed `until` (ready, or standing by). */
function backOffice(dataDir: string, database: string, linkPort: number, until: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...NODE_TSX, SERVER_CLI, 'backoffice', '--data', dataDir, '--database', database, '--link-port', String(linkPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the back office did not start: ${out}`)), 30_000);
    const check = () => {
      if (until.test(out)) {
        clearTimeout(t);
        resolve({ child, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`the back office exited (${code}): ${out}`)));
  });
}

/** Another session of an existing customer. */
async function loginAgain(url: string, id: Parameters<TestClient['login']>[0]): Promise<TestClient> {
  const c = await TestClient.connect(url);
  const auth = await c.login(id);
  if (auth.msg !== 'auth') throw new Error(`auth failed: ${auth.raw}`);
  return c;
}

describe.skipIf(!inject('pgUrl'))('two back offices on one PostgreSQL database', () => {
  it('the standby takes over when the active one is killed mid-burst; every acknowledged transfer is booked once, payouts settle, invariants hold', async () => {
    const database = await freshDatabase();
    const dirA = tempDir();
    // Rules both share: payouts settle after 1.5 s (so one is pending at the kill), no confirmation required.
    fs.writeFileSync(path.join(dirA, 'compliance.json'), JSON.stringify(testRules({ rails: { settleDelayMs: 1500 } })));
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await backOffice(dirA, database, portA, /back office ready/);
    // The standby has the same identity (the signing key and link secret are deployed to both hosts).
    const dirB = tempDir();
    for (const f of ['backoffice-key.json', 'link-secret', 'compliance.json']) fs.copyFileSync(path.join(dirA, f), path.join(dirB, f));
    const bPromise = backOffice(dirB, database, portB, /back office ready/);
    const secret = fs.readFileSync(path.join(dirA, 'link-secret'), 'utf8').trim();
    const urls = [`ws://127.0.0.1:${portA}`, `ws://127.0.0.1:${portB}`];
    // Two gateways; each reaches A through a proxy (to lose A's last frames), B directly.
    const [proxy, proxy2] = [await WsProxy.start(urls[0]), await WsProxy.start(urls[0])];
    cleanups.push(() => proxy.close(), () => proxy2.close());
    const gw = await startRemoteGateway({ backofficeUrl: [proxy.url, urls[1]], secret, port: 0, outcomeRecoveryMs: 5_000 });
    cleanups.push(() => gw.close());
    const gw2 = await startRemoteGateway({ backofficeUrl: [proxy2.url, urls[1]], secret, port: 0, outcomeRecoveryMs: 5_000 });
    cleanups.push(() => gw2.close());
    await waitFor(() => gw.link.isAvailable() && gw2.link.isAvailable(), 10_000, 'the gateways to reach the active back office');
    const admin = new LinkClient({ url: urls, secret, role: 'admin', reconnect: true });
    cleanups.push(() => admin.close());
    await admin.ready(10_000);

    const { id: payer, client: payerC } = await newCustomer(gw.gateway.url, { currency: 'EUR' });
    const { id: payee, client: payeeC } = await newCustomer(gw.gateway.url, { currency: 'EUR' });
    cleanups.push(() => payerC.close(), () => payeeC.close());
    expect((await admin.admin({ command: 'verify', address: payer.address })).ok).toBe(true);
    expect((await admin.admin({ command: 'deposit', to: payer.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '100000.00' })).ok).toBe(true);
    // A second session of the payer: it gets every one of the payer's transfers as a notification.
    const watcher = await loginAgain(gw2.gateway.url, payer);
    cleanups.push(() => watcher.close());
    // And a second session of the payee, on the other gateway.
    const payee2 = await loginAgain(gw2.gateway.url, payee);
    cleanups.push(() => payee2.close());
    // A payout pending when the active back office dies.
    const payout = await payerC.op('transfer', { destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '100.00', requestId: 'payout-0001' });
    expect(payout.data.status).toBe('pending');

    // Transfers sent without pause by 4 senders; the active back office is killed while they are in flight,
    // and they keep sending through the takeover.
    const ids: string[] = [];
    const answers = new Map<string, { msg: string; data: { txid?: number; code?: string } }>();
    let stop = false;
    const sender = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const requestId = `burst-${w}-${String(i).padStart(4, '0')}`;
        ids.push(requestId);
        const answer = await payerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '1.00', requestId }, 30_000);
        answers.set(requestId, answer);
        // Refused at once while the gateway has no back office: pause a little, as a client would.
        if (answer.msg === 'error') await new Promise((r) => setTimeout(r, 50));
      }
    };
    const senders = [0, 1, 2, 3].map((w) => sender(w));
    await waitFor(() => answers.size >= 20, 10_000, 'some answers before the kill');
    // A stalls, then dies: what it sends meanwhile (answers and notifications of batches it commits) is lost.
    const lost: string[] = [];
    proxy.onServerFrame = (text: string, _link: ProxyLink) => (lost.push(text), null);
    proxy2.onServerFrame = (text: string, _link: ProxyLink) => (lost.push(text), null);
    await waitFor(() => lost.some((f) => f.includes('"t":"notify"')), 10_000, 'a notification of A lost on the way');
    await new Promise((r) => setTimeout(r, 200));
    a.child.kill('SIGKILL');
    await bPromise; // the standby is now the active one
    await waitFor(() => gw.link.isAvailable() && gw.link.url === urls[1] && gw2.link.isAvailable() && gw2.link.url === urls[1], 20_000, 'the gateways to follow the new active back office');
    const lostNotifications = lost.filter((f) => f.includes('"t":"notify"')).length;
    const afterTakeover = answers.size;
    await waitFor(() => answers.size >= afterTakeover + 20, 20_000, 'transfers through the new active back office');
    stop = true;
    await Promise.all(senders);

    // The truth: a retry with the same requestId answers what the ledger holds, and performs a refused one once.
    const acknowledged = [...answers].filter(([, m]) => m.msg === 'transfer');
    const others = [...answers].filter(([, m]) => m.msg !== 'transfer').map(([, m]) => m.data.code);
    console.log(`[failover] ${ids.length} transfers: ${acknowledged.length} acknowledged, others: ${JSON.stringify(others)}`);
    const store = await PgLedgerStore.open(database);
    cleanups.push(() => store.close());
    for (const requestId of ids) {
      const first = answers.get(requestId)!;
      // "Not performed" must be true: nothing of it in the ledger before the retry.
      if (first.data.code === 'BACKEND_UNAVAILABLE' || first.data.code === 'RATE_LIMITED') expect(await store.read((r) => r.request(payer.address, requestId)), requestId).toBeUndefined();
      const retry = await payerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '1.00', requestId });
      expect(retry.msg, `${requestId}: ${JSON.stringify(retry.data)}`).toBe('transfer');
      if (first.msg === 'transfer') expect(retry.data.txid, requestId).toBe(first.data.txid); // acknowledged: the same transfer, not a second
      else expect(['BACKEND_UNAVAILABLE', 'RATE_LIMITED', 'OUTCOME_UNKNOWN'], requestId).toContain(first.data.code); // "not performed" (by the back office or the gateway) or "unknown": never another refusal
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    // Every request is booked exactly once: one 1.00 per requestId to the payee.
    expect((await payeeC.op('balance')).data).toEqual({ EUR: `${ids.length}.00` });
    // The payout pending at the kill settles under the new active back office. (The balance leaves out
    // reserved funds, so it reads the same before and after settlement: wait on the payout itself.)
    await waitFor(async () => (await store.pendingPayoutCount()) === 0, 15_000, 'the pending payout to settle after the takeover');
    await waitFor(() => watcher.received.some((m: Msg) => m.msg === 'transfer' && m.data.txid === payout.data.txid && (m.data.status ?? 'complete') === 'complete'), 10_000, "the payout's settlement to be notified");
    expect((await payerC.op('balance')).data).toEqual({ EUR: `${99900 - ids.length}.00` });
    expect(await store.checkInvariants()).toEqual([]);

    // No notification lost, none twice. The ledger's transfers of the burst, by txid:
    const burst = new Map<number, string>();
    for (const requestId of ids) burst.set(Number((await store.read((r) => r.request(payer.address, requestId)))!.txid), requestId);
    const notified = (c: TestClient) => c.received.filter((m: Msg) => m.msg === 'transfer' && m.nonce === undefined);
    const keys = (ms: Msg[]) => ms.map((m) => `${m.data.txid}/${m.data.status ?? 'complete'}`);
    // The payee (connected throughout, on both gateways) got each transfer to it once; so did the payer's
    // other session, plus the payout's pending and settled states.
    const toPayee = keys(notified(payeeC));
    expect(new Set(toPayee).size, 'a notification the payee got twice').toBe(toPayee.length);
    expect([...toPayee].sort()).toEqual([...burst.keys()].map((t) => `${t}/complete`).sort());
    const toPayee2 = keys(notified(payee2));
    expect(new Set(toPayee2).size, 'a notification the payee got twice on the other gateway').toBe(toPayee2.length);
    expect([...toPayee2].sort()).toEqual([...toPayee].sort());
    const toWatcher = keys(notified(watcher));
    expect(new Set(toWatcher).size, 'a notification the second session got twice').toBe(toWatcher.length);
    expect([...toWatcher].sort()).toEqual([...[...burst.keys()].map((t) => `${t}/complete`), `${payout.data.txid}/pending`, `${payout.data.txid}/complete`].sort());
    // The session that sent the transfers got them as answers, never again as notifications.
    const answered = new Set(keys(payerC.received.filter((m: Msg) => m.msg === 'transfer' && m.nonce !== undefined)));
    expect(keys(notified(payerC)).filter((k) => answered.has(k))).toEqual([]);
    // The lost ones came back from B's outbox (the replay really happened, and was counted).
    const metrics = await (await fetch(`http://127.0.0.1:${portB}/metrics`)).text();
    const replayed = Number(/^ccc_backoffice_notifications_replayed_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 0);
    console.log(`[failover] ${lostNotifications} notification frames of A lost on the way; B replayed ${replayed}`);
    expect(lostNotifications).toBeGreaterThan(0);
    expect(replayed).toBeGreaterThan(0);
    expect(a.output()).not.toMatch(/standing by/); // A was active from the start; B stood by until A died
  });
});
