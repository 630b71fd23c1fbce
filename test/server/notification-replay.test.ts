// No notification is lost when a gateway's link to the back office drops (on both stores): every
// notification is committed to the back office's outbox with a sequence number; a gateway that comes
// back says the last one it got and is sent what it missed — those whose frames were lost on the way,
// and those committed while it was away — exactly once, before the live ones.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackOffice, startRemoteGateway } from '../../src/server/serve';
import { newCustomer, tempDir, TestClient, testRules, type Msg } from '../helpers/server';
import { STORES, storeOptions } from '../helpers/stores';
import { waitFor } from '../helpers/wait';
import { WsProxy } from '../helpers/ws-proxy';
import { backupLedger } from '../../src/server/backoffice/backup';
import net from 'node:net';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const notified = (c: TestClient) => c.received.filter((m: Msg) => m.msg === 'transfer' && m.nonce === undefined).map((m) => `${m.data.txid}/${m.data.status ?? 'complete'}`);

describe.each(STORES)('notifications across a dropped link (%s)', (store) => {
  it('a gateway that comes back gets what it missed, once, then the live ones', async () => {
    const bo = await startBackOffice({ dataDir: tempDir(), rules: testRules(), ...(await storeOptions(store)) });
    cleanups.push(() => bo.close());
    const secret = fs.readFileSync(path.join(bo.backOffice.dataDir, 'link-secret'), 'utf8').trim();
    const proxy = await WsProxy.start(bo.link.url);
    cleanups.push(() => proxy.close());
    const gw = await startRemoteGateway({ backofficeUrl: proxy.url, secret, port: 0 });
    cleanups.push(() => gw.close());
    await waitFor(() => gw.link.isAvailable(), 10_000, 'the link');

    const { id: payer, client: payerC } = await newCustomer(gw.gateway.url, { currency: 'EUR' });
    const { id: payee, client: payeeC } = await newCustomer(gw.gateway.url, { currency: 'EUR' });
    cleanups.push(() => payerC.close(), () => payeeC.close());
    expect((await bo.backOffice.admin({ command: 'verify', address: payer.address })).ok).toBe(true);
    const firstDeposit = ((await bo.backOffice.admin({ command: 'deposit', to: payer.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '100.00' })) as { result: { txid: number } }).result.txid;
    const send = async (i: number) => {
      const m = await payerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '1.00', requestId: `replay-${String(i).padStart(4, "0")}` });
      expect(m.msg, m.raw).toBe('transfer');
      return m.data.txid as number;
    };
    const before = await send(0);
    await waitFor(() => notified(payeeC).length === 1, 5_000, 'the first notification, live');

    // Notifications lost on the way (answers still pass): three transfers the payee never hears of.
    proxy.onServerFrame = (text) => (text.includes('"t":"notify"') ? null : undefined);
    const lost = [await send(1), await send(2), await send(3)];
    expect(notified(payeeC)).toEqual([`${before}/complete`]);
    // The link drops and stays down while a deposit to the payee is committed.
    proxy.onServerFrame = () => undefined;
    proxy.refuseConnections = true;
    for (const l of proxy.links) l.client.terminate();
    await waitFor(() => !gw.link.isAvailable(), 5_000, 'the link to drop');
    const deposit = await bo.backOffice.admin({ command: 'deposit', to: payee.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '5.00' });
    expect(deposit.ok).toBe(true);
    const depositTxid = (deposit as { result: { txid: number } }).result.txid;

    proxy.refuseConnections = false;
    await waitFor(() => gw.link.isAvailable(), 10_000, 'the link to come back');
    const expected = [before, ...lost, depositTxid].map((t) => `${t}/complete`);
    await waitFor(() => notified(payeeC).length >= expected.length, 5_000, 'the missed notifications');
    // And the live ones after the replay, once.
    const after = await send(4);
    expected.push(`${after}/complete`);
    await waitFor(() => notified(payeeC).length >= expected.length, 5_000, 'the live notification after the replay');
    await new Promise((r) => setTimeout(r, 200));
    expect(notified(payeeC)).toEqual(expected);
    // The sender's own session got its transfers as answers only (its deposit as a notification).
    expect(notified(payerC)).toEqual([`${firstDeposit}/complete`]);
    // Each replayed message is the back office's signed message of that transaction, byte for byte.
    const replayed = payeeC.received.filter((m) => m.msg === 'transfer' && m.nonce === undefined && m.data.txid === lost[0])[0];
    const history = await payeeC.history();
    const row = history.transfers.find((m) => m.data.txid === lost[0])!;
    expect(replayed.signed).toBe(row.signed);
    expect(JSON.stringify(replayed.data)).toBe(JSON.stringify(row.data));
  });

  it('a gateway that connects for the first time is not sent what was committed before it', async () => {
    const bo = await startBackOffice({ dataDir: tempDir(), rules: testRules(), ...(await storeOptions(store)) });
    cleanups.push(() => bo.close());
    const secret = fs.readFileSync(path.join(bo.backOffice.dataDir, 'link-secret'), 'utf8').trim();
    const first = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
    cleanups.push(() => first.close());
    const { id: payee, client: payeeC } = await newCustomer(first.gateway.url, { currency: 'EUR' });
    cleanups.push(() => payeeC.close());
    expect((await bo.backOffice.admin({ command: 'deposit', to: payee.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '5.00' })).ok).toBe(true);
    await waitFor(() => notified(payeeC).length === 1, 5_000, 'the deposit notification');
    const head = first.link.lastNotificationSeq!;
    expect(head).toBeGreaterThan(0);
    // A second gateway starts after that: it begins at the head, and gets only what follows.
    const second = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
    cleanups.push(() => second.close());
    await waitFor(() => second.link.isAvailable(), 10_000, 'the second link');
    expect(second.link.lastNotificationSeq).toBe(head);
    const again = await TestClient.connect(second.gateway.url);
    expect((await again.login(payee)).msg).toBe('auth');
    cleanups.push(() => again.close());
    expect((await bo.backOffice.admin({ command: 'deposit', to: payee.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '7.00' })).ok).toBe(true);
    await waitFor(() => notified(again).length === 1, 5_000, 'the new deposit at the second gateway');
    await new Promise((r) => setTimeout(r, 200));
    expect(notified(again)).toHaveLength(1);
    expect(second.link.lastNotificationSeq).toBeGreaterThan(head);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('notifications after the ledger was restored from a backup', () => {
  it('a gateway ahead of the restored ledger starts over from it, and loses nothing new', async () => {
    const dataDir = tempDir();
    const linkPort = await freePort();
    let bo = await startBackOffice({ dataDir, rules: testRules(), linkPort });
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
    cleanups.push(() => gw.close());
    const { id: payee, client: payeeC } = await newCustomer(gw.gateway.url, { currency: 'EUR' });
    cleanups.push(() => payeeC.close());
    const deposit = async (amount: string) => {
      const r = await bo.backOffice.admin({ command: 'deposit', to: payee.address, from: 'DE89370400440532013000', currency: 'EUR', amount });
      expect(r.ok).toBe(true);
      return (r as { result: { txid: number } }).result.txid;
    };
    await deposit('1.00');
    const backup = path.join(tempDir(), 'ledger-backup.sqlite');
    await backupLedger(dataDir, backup);
    for (const amount of ['2.00', '3.00', '4.00']) await deposit(amount);
    await waitFor(() => notified(payeeC).length === 4, 5_000, 'four deposits notified');
    const ahead = gw.link.lastNotificationSeq!;
    // The back office is stopped, its ledger restored from the backup (the last three deposits are gone), restarted.
    await bo.close();
    for (const f of ['ledger.sqlite-wal', 'ledger.sqlite-shm']) fs.rmSync(path.join(dataDir, f), { force: true });
    fs.copyFileSync(backup, path.join(dataDir, 'ledger.sqlite'));
    bo = await startBackOffice({ dataDir, rules: testRules(), linkPort });
    cleanups.push(() => bo.close());
    await waitFor(() => gw.link.isAvailable(), 15_000, 'the gateway back on the restored back office');
    expect(gw.link.lastNotificationSeq).toBeLessThan(ahead);
    // A new deposit takes a number the gateway had seen before the restore: it still reaches the session.
    const after = await deposit('5.00');
    await waitFor(() => notified(payeeC).length === 5, 5_000, 'the deposit after the restore');
    expect(notified(payeeC)[4]).toBe(`${after}/complete`);
  });
});
