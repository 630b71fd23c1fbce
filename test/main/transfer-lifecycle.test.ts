// The transfer in progress lives in the core: against a REAL ccc-server and the simulated Ledger it
// is tracked draft → review → awaiting the device → sending → sent (or rejected / failed) whatever
// the renderer does; overspending and offline are refused before the device is asked; fields survive
// every failure; Cancel while the device is asked sends nothing even if the device approves later;
// a rejection can be retried. Also: the device status is truthful while a signature waits, a
// rejected login has its own words, the transaction detail carries verifiable proof, and the idle
// lock hides the account until the device signs again.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { newCustomer, startTestServer, tempDir } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import { verifySignedData } from '../../src/shared/node/message-signature';
import type { ServerProcess } from '../../src/server/serve';
import { waitFor } from '../helpers/wait';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function setup(opts: { idleLockMs?: number; viaProxy?: boolean } = {}) {
  let proxy: WsProxy | null = null;
  if (opts.viaProxy) {
    // The proxy is the server's public front (its host is named in the login text).
    proxy = await WsProxy.listen();
    cleanups.push(() => proxy!.close());
  }
  const server: ServerProcess = await startTestServer(proxy ? { publicUrl: proxy.url } : {});
  cleanups.push(() => server.close());
  if (proxy) proxy.target = server.url;
  const device = new SimulatedLedger();
  const notifications: string[] = [];
  const core = new AppCore({
    notify: (title, body) => notifications.push(`${title}: ${body}`),
    dataDir: tempDir('ccc-app-'),
    sandbox: { endpoint: proxy?.url ?? server.url, trustedAddress: server.backofficeAddress },
    simulatedDevice: device,
    chooseSavePath: async (name) => path.join(tempDir('ccc-export-'), name),
    client: { backoff: { initialMs: 50, maxMs: 200 } },
    idleLockMs: opts.idleLockMs ?? 0,
  });
  cleanups.push(() => core.close());
  return { server, proxy, device, core, notifications };
}

async function funded(s: Awaited<ReturnType<typeof setup>>, amount = '250000.01') {
  await s.core.login(SANDBOX_PROFILE_ID);
  await s.core.register({ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR' });
  const address = (await s.core.getSnapshot()).address!;
  await s.server.backOffice.admin({ command: 'verify', address });
  await s.core.refreshAccount();
  await s.server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount });
  await waitFor(async () => (await s.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === amount);
  return address;
}


const transferScreens = (d: SimulatedLedger) => d.displayLog.filter((x) => x.screens.some((t) => t.startsWith('CCC transfer')));
const sentBy = (s: Awaited<ReturnType<typeof setup>>, address: string) => Number((s.server.backOffice.ledger.db.prepare('SELECT COUNT(*) AS n FROM transfers WHERE sender = ?').get(address) as { n: bigint }).n);

describe('the transfer in progress lives in the core', () => {
  it('overspending is refused before the device is asked, with grouped figures, and the fields are kept', async () => {
    const s = await setup();
    const address = await funded(s);
    const draft = { destination: 'FR76 3000 6000 0112 3456 7890 189', currency: 'EUR', amount: '300,000.00', reference: 'Q3 payout' };
    await expect(s.core.prepareTransfer(draft)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: expect.stringContaining('250,000.01 EUR, less than 300,000.00 EUR') });
    const snap = await s.core.getSnapshot();
    expect(snap.transfer).toMatchObject({ phase: 'draft', draft, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(transferScreens(s.device)).toEqual([]);
    expect(sentBy(s, address)).toBe(0);
    // Exactly the available balance passes, typed with grouping.
    const review = await s.core.prepareTransfer({ ...draft, amount: '250,000.01' });
    expect(review.amount).toBe('250000.01');
    expect((await s.core.getSnapshot()).transfer).toMatchObject({ phase: 'review', review: { requestId: review.requestId } });
  });

  it('offline: Review is refused and the device is never asked', async () => {
    const s = await setup({ viaProxy: true });
    await funded(s, '100.00');
    await s.proxy!.close(); // the network is gone; the client keeps reconnecting
    await waitFor(async () => (await s.core.getSnapshot()).connection !== 'online');
    await expect(s.core.prepareTransfer({ destination: IBAN, currency: 'EUR', amount: '10' })).rejects.toMatchObject({ code: 'OFFLINE' });
    expect((await s.core.getSnapshot()).transfer).toMatchObject({ phase: 'draft', draft: { amount: '10' }, error: { code: 'OFFLINE' } });
    expect(transferScreens(s.device)).toEqual([]);
  });

  it('a slow device: the snapshot says "awaiting the device" (sidebar too), then "sent" until dismissed', async () => {
    const s = await setup();
    const address = await funded(s);
    const { id: bob, client: bobClient } = await newCustomer(s.server.url);
    const review = await s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '777' });
    s.device.configure({ confirmDelayMs: 400 });
    const outcome = s.core.confirmTransfer(review.requestId);
    await waitFor(async () => (await s.core.getSnapshot()).transfer?.phase === 'awaiting-device');
    // A status probe while the device waits must not turn the device "ready".
    await waitFor(async () => (await s.core.getSnapshot()).device.state === 'awaiting-confirmation');
    await s.core.getDeviceStatus();
    expect((await s.core.getSnapshot()).device).toMatchObject({ state: 'awaiting-confirmation', action: 'transfer' });
    // Starting another transfer or logging out the transfer is refused while it is on the device.
    await expect(s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    await expect(s.core.dismissTransfer()).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    expect(await outcome).toMatchObject({ status: 'sent' });
    const snap = await s.core.getSnapshot();
    expect(snap.transfer).toMatchObject({ phase: 'sent', tx: { amount: '777.00', direction: 'out' }, review: { requestId: review.requestId } });
    expect(snap.device.state).toBe('ready');
    expect(sentBy(s, address)).toBe(1);
    await s.core.dismissTransfer();
    expect((await s.core.getSnapshot()).transfer).toBeNull();
    await bobClient.close();
  });

  it('Cancel while the device is asked: a later approval sends nothing; the fields are kept', async () => {
    const s = await setup();
    const address = await funded(s);
    const { id: bob, client: bobClient } = await newCustomer(s.server.url);
    const draft = { destination: bob.address, currency: 'EUR', amount: '50', reference: 'Invoice 9' };
    const review = await s.core.prepareTransfer(draft);
    s.device.configure({ confirmDelayMs: 300 });
    const outcome = s.core.confirmTransfer(review.requestId);
    await waitFor(async () => (await s.core.getSnapshot()).transfer?.phase === 'awaiting-device');
    await s.core.cancelTransfer(review.requestId);
    expect((await s.core.getSnapshot()).transfer).toMatchObject({ phase: 'draft', draft, error: { code: 'CANCELLED' } });
    expect(await outcome).toMatchObject({ status: 'failed', code: 'CANCELLED' });
    expect(s.device.displayLog.at(-1)!.outcome).toBe('approved'); // the device did approve…
    await new Promise((r) => setTimeout(r, 150));
    expect(sentBy(s, address)).toBe(0); // …and nothing was sent
    expect(bobClient.unconsumed().filter((m) => m.msg === 'transfer')).toEqual([]);
    await bobClient.close();
  });

  it('a rejection on the device offers Retry, which asks again and sends exactly once', async () => {
    const s = await setup();
    const address = await funded(s);
    const { id: bob, client: bobClient } = await newCustomer(s.server.url);
    const review = await s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '12.5' });
    s.device.configure({ behaviour: 'reject' });
    expect(await s.core.confirmTransfer(review.requestId)).toEqual({ status: 'rejected-on-device' });
    expect((await s.core.getSnapshot()).transfer).toMatchObject({ phase: 'rejected', canRetry: true, draft: { amount: '12.5' } });
    s.device.configure({ behaviour: 'approve' });
    expect(await s.core.retryTransfer()).toMatchObject({ status: 'sent', tx: { amount: '12.50' } });
    expect(transferScreens(s.device).map((d) => d.outcome)).toEqual(['rejected', 'approved']);
    expect(sentBy(s, address)).toBe(1);
    await expect(s.core.retryTransfer()).rejects.toMatchObject({ code: 'TRANSFER_STATE' });
    // Edit after a rejection keeps the fields.
    const r2 = await s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '3', reference: 'again' });
    s.device.configure({ behaviour: 'reject' });
    await s.core.confirmTransfer(r2.requestId);
    await s.core.editTransfer();
    expect((await s.core.getSnapshot()).transfer).toMatchObject({ phase: 'draft', draft: { amount: '3', reference: 'again' }, review: null });
    await bobClient.close();
  });

  it('a payout sent and then failed at the bank stays on the tracked transfer with its final state', async () => {
    const s = await setup();
    await funded(s, '1000.00');
    const review = await s.core.prepareTransfer({ destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '100' });
    const outcome = await s.core.confirmTransfer(review.requestId);
    expect(outcome).toMatchObject({ status: 'sent', tx: { status: 'pending' } });
    const txid = (outcome as { tx: { txid: number } }).tx.txid;
    await s.server.backOffice.admin({ command: 'settle', txid, outcome: 'failed', reason: 'Account closed' });
    await waitFor(async () => (await s.core.getSnapshot()).transfer?.tx?.status === 'failed');
  });
});

describe('device words, detail and idle lock', () => {
  it('a rejected login says so, without "Nothing was sent"', async () => {
    const s = await setup();
    s.device.configure({ behaviour: 'reject' });
    const err = await s.core.login(SANDBOX_PROFILE_ID).catch((e) => e);
    expect(err).toMatchObject({ code: 'USER_REJECTED', message: expect.stringMatching(/rejected the login/) });
    expect(err.message).not.toMatch(/sent/);
  });

  it('the detail of a row carries the signed message and the key it verifies against', async () => {
    const s = await setup();
    await funded(s, '42.00');
    const [row] = await s.core.getTransactions();
    const detail = await s.core.getTransactionDetail(row.txid);
    expect(detail.tx).toEqual(row);
    expect(detail.verifiedBy).toBe(s.server.backofficeAddress);
    expect(verifySignedData(JSON.parse(detail.signedData), detail.signature, detail.verifiedBy)).toBe(true);
    await expect(s.core.getTransactionDetail(999_999)).rejects.toMatchObject({ code: 'UNKNOWN_TRANSACTION' });
  });

  it('the idle-lock time is a saved preference; values not offered are refused', async () => {
    const s = await setup();
    expect(await s.core.getPreferences()).toEqual({ idleLockMinutes: 10 });
    await expect(s.core.setPreferences({ idleLockMinutes: 7 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(s.core.setPreferences({ idleLockMinutes: -1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await s.core.setPreferences({ idleLockMinutes: 30 })).toEqual({ idleLockMinutes: 30 });
    expect(await s.core.setPreferences({})).toEqual({ idleLockMinutes: 30 });
    expect(await s.core.getPreferences()).toEqual({ idleLockMinutes: 30 });
  });

  it('locks after inactivity, shows nothing of the account, and unlocks only with the device', async () => {
    const s = await setup({ idleLockMs: 300 });
    await funded(s, '42.00');
    await waitFor(async () => (await s.core.getSnapshot()).locked, 5_000);
    const locked = await s.core.getSnapshot();
    expect(locked).toMatchObject({ locked: true, balances: [], account: undefined, transfer: null });
    expect(await s.core.getTransactions()).toEqual([]);
    await expect(s.core.prepareTransfer({ destination: IBAN, currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'LOCKED_APP' });
    // A deposit while locked: the desktop is told that something arrived, never what or from whom.
    const address = (await s.server.backOffice.ledger.db.prepare('SELECT address FROM accounts').get()) as { address: string };
    await s.server.backOffice.admin({ command: 'deposit', to: address.address, from: IBAN, currency: 'EUR', amount: '13.37' });
    await waitFor(async () => s.notifications.some((n) => n.startsWith('Deposit received: Unlock')), 5_000);
    expect(s.notifications.join('\n')).not.toContain('13.37');
    s.device.configure({ behaviour: 'reject' });
    await expect(s.core.unlock()).rejects.toMatchObject({ code: 'USER_REJECTED' });
    expect((await s.core.getSnapshot()).locked).toBe(true);
    s.device.configure({ behaviour: 'approve' });
    await s.core.unlock();
    const open = await s.core.getSnapshot();
    expect(open.locked).toBe(false);
    // The deposit that arrived while locked is there (its balance refresh may still be on its way).
    await waitFor(async () => (await s.core.getSnapshot()).balances[0]?.amount === '55.37', 5_000);
    expect(s.device.displayLog.at(-1)!.screens.join(' ')).toMatch(/Unlock CCC Treasury/);
  });
});
