// The app's core against a REAL ccc-server and the simulated Ledger through hw-app-btc:
// login, register, live deposit, approved and rejected transfers, IBAN payouts, forged
// notifications, a connection cut mid-transfer, and a server restart with a deposit made offline.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore, AppError, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { newCustomer, newIdentity, startTestServer, tempDir, TestClient, testRules } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import { signData } from '../../src/shared/node/message-signature';
import type { AppEvent } from '../../src/shared/app-api';
import type { ServerProcess } from '../../src/server/serve';
import { startServer } from '../../src/server/serve';
import { waitFor } from '../helpers/wait';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function setup(opts: { server?: ServerProcess; endpoint?: (s: ServerProcess) => string } = {}) {
  const server = opts.server ?? (await startTestServer());
  if (!opts.server) cleanups.push(() => server.close());
  const device = new SimulatedLedger();
  const notifications: string[] = [];
  const events: AppEvent[] = [];
  const exportDir = tempDir('ccc-export-');
  const core = new AppCore({
    dataDir: tempDir('ccc-app-'),
    sandbox: { endpoint: opts.endpoint ? opts.endpoint(server) : server.url, trustedAddress: server.backofficeAddress },
    simulatedDevice: device,
    chooseSavePath: async (name) => path.join(exportDir, name),
    notify: (title, body) => notifications.push(`${title}: ${body}`),
    client: { backoff: { initialMs: 50, maxMs: 200 } },
  });
  core.onEvent((e) => events.push(e));
  cleanups.push(() => core.close());
  return { server, device, core, notifications, events, exportDir };
}

async function registeredAndFunded(s: Awaited<ReturnType<typeof setup>>, amount = '5000.00') {
  await s.core.login(SANDBOX_PROFILE_ID);
  await s.core.register({ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR' });
  const address = (await s.core.getSnapshot()).address!;
  await s.server.backOffice.admin({ command: 'verify', address });
  await s.server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount });
  await waitFor(async () => (await s.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === amount);
  return address;
}


describe('AppCore session', () => {
  it('logs in with the device, registers, sees a deposit live, sends approved transfers and tracks a payout', async () => {
    const s = await setup();
    const snap = await s.core.login(SANDBOX_PROFILE_ID);
    expect(snap.connection).toBe('online');
    expect(snap.address).toBe(s.device.addressAt("84'/0'/0'/0/0", 'p2wpkh', 'mainnet'));
    expect(snap.account).toBeNull(); // not registered yet
    const steps = s.events.filter((e) => e.type === 'login-step').map((e) => (e as { step: string }).step);
    expect(steps).toEqual(['connect-device', 'unlock', 'open-app', 'get-address', 'connect-server', 'confirm-login', 'authenticated']);
    // The device showed the login challenge (printable ASCII: shown in full).
    expect(s.device.displayLog.at(-1)!.screens[2]).toBe('Message');

    await expect(s.core.register({ name: '', email: 'x', country: 'DE', currency: 'EUR' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    const account = await s.core.register({ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR', phone: '+49 30 1234567' });
    expect(account).toMatchObject({ isVerified: false, iban: null, currency: 'EUR', phone: '+49301234567' });
    const address = snap.address!;
    await s.server.backOffice.admin({ command: 'verify', address });
    expect((await s.core.refreshAccount()).iban).toMatch(/^GB/);

    await s.server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '5000.00', reference: 'Funding' });
    await waitFor(async () => (await s.core.getSnapshot()).balances[0]?.amount === '5000.00');
    const dep = s.events.find((e) => e.type === 'transaction') as Extract<AppEvent, { type: 'transaction' }>;
    expect(dep.live).toBe(true);
    expect(dep.tx).toMatchObject({ direction: 'in', counterparty: IBAN, counterpartyKind: 'iban', amount: '5000.00', signedAmount: '5000.00', reference: 'Funding', verified: true });
    expect(s.notifications).toEqual([`Deposit received: 5000.00 EUR from ${IBAN}`]);

    // Internal transfer, confirmed on the device with exactly the text the review showed.
    const { id: bob, client: bobClient } = await newCustomer(s.server.url);
    const review = await s.core.prepareTransfer({ destination: bob.address, currency: 'eur', amount: '1250.5', reference: 'Invoice 7' });
    expect(review).toMatchObject({ destination: bob.address, destinationKind: 'address', currency: 'EUR', amount: '1250.50', deviceShowsHash: false });
    expect(review.confirmationText).toBe(`CCC transfer 1250.50 EUR to ${bob.address} ref "Invoice 7" id ${review.requestId} server ${s.server.backofficeAddress}`);
    expect(review.deviceScreens).toContain(review.confirmationText);
    const outcome = await s.core.confirmTransfer(review.requestId);
    expect(outcome).toMatchObject({ status: 'sent', tx: { direction: 'out', amount: '1250.50', signedAmount: '-1250.50', counterparty: bob.address, reference: 'Invoice 7' } });
    expect(s.device.displayLog.at(-1)!.screens).toEqual(review.deviceScreens);
    expect((await bobClient.next((m) => m.msg === 'transfer')).data.amount).toBe('1250.50');
    await expect(s.core.confirmTransfer(review.requestId)).rejects.toMatchObject({ code: 'UNKNOWN_REVIEW' });

    // IBAN payout: pending, then complete, updated in place.
    const r2 = await s.core.prepareTransfer({ destination: 'FR76 3000 6000 0112 3456 7890 189', currency: 'EUR', amount: '100' });
    expect(r2.destination).toBe('FR7630006000011234567890189');
    const o2 = await s.core.confirmTransfer(r2.requestId);
    expect(o2).toMatchObject({ status: 'sent', tx: { status: 'pending' } });
    const txid = (o2 as { tx: { txid: number } }).tx.txid;
    await s.server.backOffice.admin({ command: 'settle', txid, outcome: 'complete' });
    await waitFor(async () => (await s.core.getTransactions()).find((t) => t.txid === txid)?.status === 'complete');
    expect((await s.core.getTransactions()).filter((t) => t.txid === txid)).toHaveLength(1);
    await waitFor(async () => (await s.core.getSnapshot()).balances[0]?.amount === '3649.50');
    expect(s.server.backOffice.ledger.checkInvariants()).toEqual([]);
    await bobClient.close();
  });

  it('a KYC approval the core has not heard of yet does not refuse a transfer (it asks the server first)', async () => {
    const s = await setup();
    await s.core.login(SANDBOX_PROFILE_ID);
    await s.core.register({ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR' });
    const address = (await s.core.getSnapshot()).address!;
    await s.server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '500.00' });
    await waitFor(async () => (await s.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === '500.00');
    expect((await s.core.getSnapshot()).account?.isVerified).toBe(false);
    const draft = { destination: 'FR7630006000011234567890189', currency: 'EUR' as const, amount: '10.00' };
    await expect(s.core.prepareTransfer(draft)).rejects.toMatchObject({ code: 'NOT_VERIFIED' });
    // Verified on the server; no news reaches the session (a KYC decision sends none).
    await s.server.backOffice.admin({ command: 'verify', address });
    const review = await s.core.prepareTransfer(draft);
    expect(review.requestId).toBeTruthy();
    expect((await s.core.getSnapshot()).account?.isVerified).toBe(true);
  });

  it('a transfer rejected on the device sends nothing', async () => {
    const s = await setup();
    const address = await registeredAndFunded(s);
    const { id: bob, client: bobClient } = await newCustomer(s.server.url);
    const review = await s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '10' });
    s.device.configure({ behaviour: 'reject' });
    expect(await s.core.confirmTransfer(review.requestId)).toEqual({ status: 'rejected-on-device' });
    // Nothing reached the server: no transfer from this account at all.
    const rows = s.server.backOffice.ledger.db.prepare('SELECT COUNT(*) AS n FROM transfers WHERE sender = ?').get(address) as { n: bigint };
    expect(rows.n).toBe(0n);
    expect(s.device.apduLog.some((a) => a.startsWith('e110'))).toBe(true); // the device was asked
    await new Promise((r) => setTimeout(r, 100));
    expect(bobClient.unconsumed().filter((m) => m.msg === 'transfer')).toHaveLength(0);
    expect((await s.core.getSnapshot()).balances[0].amount).toBe('5000.00');
    await bobClient.close();
  });

  it('validates transfer drafts before asking the device', async () => {
    const s = await setup();
    const address = await registeredAndFunded(s);
    const apdus = s.device.apduLog.length;
    await expect(s.core.prepareTransfer({ destination: address, currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'SELF_TRANSFER' });
    await expect(s.core.prepareTransfer({ destination: 'DE89370400440532013001', currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'INVALID_IBAN' });
    await expect(s.core.prepareTransfer({ destination: 'hello', currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'INVALID_DESTINATION' });
    await expect(s.core.prepareTransfer({ destination: IBAN, currency: 'EUR', amount: '1.001' })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(s.core.prepareTransfer({ destination: IBAN, currency: 'XXX', amount: '1' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(s.core.prepareTransfer({ destination: newIdentity('p2pkh', 'testnet').address, currency: 'EUR', amount: '1' })).rejects.toMatchObject({ code: 'INVALID_DESTINATION' });
    expect(s.device.displayLog.filter((d) => d.screens.some((x) => x.startsWith('CCC transfer')))).toHaveLength(0);
    expect(s.device.apduLog.length).toBeGreaterThanOrEqual(apdus);
  });

  it('device failures at login are typed and worded', async () => {
    const s = await setup();
    s.device.configure({ behaviour: 'locked' });
    await expect(s.core.login(SANDBOX_PROFILE_ID)).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringMatching(/PIN/) });
    expect((await s.core.getSnapshot()).lastError).toMatchObject({ code: 'LOCKED' });
    s.device.configure({ behaviour: 'approve', appName: 'BOLOS' });
    await expect(s.core.login(SANDBOX_PROFILE_ID)).rejects.toMatchObject({ code: 'WRONG_APP', message: expect.stringMatching(/dashboard/) });
    s.device.configure({ appName: 'Bitcoin', behaviour: 'reject' });
    await expect(s.core.login(SANDBOX_PROFILE_ID)).rejects.toMatchObject({ code: 'USER_REJECTED' });
    s.device.configure({ behaviour: 'approve' });
    expect((await s.core.login(SANDBOX_PROFILE_ID)).connection).toBe('online');
  });
});

describe('security and resilience', () => {
  it('a forged deposit (signed by another key) is refused, alerted, and changes nothing', async () => {
    const proxy = await WsProxy.listen();
    cleanups.push(() => proxy.close());
    const server = await startTestServer({ publicUrl: proxy.url });
    cleanups.push(() => server.close());
    proxy.target = server.url;
    const s = await setup({ server, endpoint: () => proxy.url });
    const address = await registeredAndFunded(s, '100.00');
    const before = await s.core.getTransactions();
    const forger = newIdentity();
    const data = { txid: 999, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'EUR', amount: '1000000.00' };
    const { canonical, signed } = signData(data, forger.privateKey);
    proxy.inject(`{"msg":"transfer","data":${canonical},"signed":"${signed}"}`);
    proxy.inject({ msg: 'transfer', data: { ...data, txid: 1000 } }); // unsigned
    proxy.inject({ msg: 'balance', data: { EUR: '1000000.00' }, signed }); // a balance signed by the forger
    await waitFor(async () => (await s.core.getSnapshot()).alerts.length === 3);
    const snap = await s.core.getSnapshot();
    expect(snap.alerts.map((a) => a.kind).sort()).toEqual(['bad-signature', 'bad-signature', 'missing-signature']);
    expect(snap.alerts.find((a) => a.raw.includes('"txid":999'))!.summary).toMatch(/1,000,000.00 EUR/);
    expect(snap.balances).toEqual([{ currency: 'EUR', amount: '100.00', preferred: true }]);
    expect(await s.core.getTransactions()).toEqual(before);
    expect(s.notifications.filter((n) => n.includes('1000000'))).toEqual([]);
    await s.core.dismissAlert(snap.alerts[0].id);
    expect((await s.core.getSnapshot()).alerts).toHaveLength(2);
  });

  it('a connection cut between sending a transfer and its answer still ends in exactly one transfer', async () => {
    const proxy = await WsProxy.listen();
    cleanups.push(() => proxy.close());
    const server = await startTestServer({ publicUrl: proxy.url });
    cleanups.push(() => server.close());
    proxy.target = server.url;
    const s = await setup({ server, endpoint: () => proxy.url });
    const address = await registeredAndFunded(s, '100.00');
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    let cut = false;
    proxy.onClientFrame = (text) => {
      if (!cut && JSON.parse(text).op === 'transfer') {
        cut = true;
        return 'drop-connection';
      }
    };
    const review = await s.core.prepareTransfer({ destination: bob.address, currency: 'EUR', amount: '30' });
    const outcome = await s.core.confirmTransfer(review.requestId);
    expect(cut).toBe(true);
    expect(outcome).toMatchObject({ status: 'sent', tx: { amount: '30.00' } });
    const n = server.backOffice.ledger.db.prepare('SELECT COUNT(*) AS n FROM transfers WHERE sender = ?').get(address) as { n: bigint };
    expect(n.n).toBe(1n);
    await waitFor(async () => (await s.core.getSnapshot()).balances[0]?.amount === '70.00');
    // The device was asked to sign a second login challenge (re-auth), but only one transfer confirmation.
    expect(s.device.displayLog.filter((d) => d.screens.some((x) => x.startsWith('CCC transfer')))).toHaveLength(1);
    const bobSees = await bobClient.history();
    expect(bobSees.transfers).toHaveLength(1);
    await bobClient.close();
  });

  it('a deposit made while the server (and the app) was down is filled in exactly once after reconnecting', async () => {
    const dataDir = tempDir();
    let server = await startServer({ port: 0, dataDir, rules: testRules() });
    const port = server.gateway.port;
    const s = await setup({ server });
    cleanups.push(() => server.close());
    const address = await registeredAndFunded(s, '100.00');
    await server.close();
    await waitFor(async () => (await s.core.getSnapshot()).connection === 'reconnecting');
    // The operator books a deposit while everything is down (the admin command opens the ledger directly).
    const { runAdmin } = await import('../../src/server/backoffice/admin');
    const dep = await runAdmin(dataDir, { command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '42.00' });
    expect(dep).toMatchObject({ ok: true, via: 'direct' });
    server = await startServer({ port, dataDir, rules: testRules() });
    await waitFor(async () => (await s.core.getSnapshot()).connection === 'online');
    await waitFor(async () => (await s.core.getTransactions()).some((t) => t.amount === '42.00'));
    await waitFor(async () => (await s.core.getSnapshot()).balances[0]?.amount === '142.00');
    const rows = await s.core.getTransactions();
    expect(rows.map((t) => t.amount)).toEqual(['100.00', '42.00']);
    const replayed = s.events.filter((e) => e.type === 'transaction' && e.tx.amount === '42.00');
    expect(replayed).toHaveLength(1);
  });
});

describe('a burst of deposits while logged in', () => {
  it('asks the balance one request at a time and coalesces snapshots: no request refused, no false alert, the final balance right', async () => {
    const s = await setup();
    const address = await registeredAndFunded(s, '1.00');
    // 1,000 deposits at once: each one's notification used to send its own `balance` (beyond the gateway's
    // rate limit of 200/s, burst 400; answers read concurrently came back out of order and were alerted as stale).
    const before = s.events.length;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 1000 }, () => s.server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '1.00' })));
    await waitFor(async () => (await s.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === '1001.00', 60_000);
    await new Promise((r) => setTimeout(r, 100)); // the last snapshot, sent at most 25 ms after the last change
    const elapsed = performance.now() - t0;
    const snapshots = s.events.slice(before).filter((e) => e.type === 'snapshot') as Extract<AppEvent, { type: 'snapshot' }>[];
    // The screens get the state at most once per 25 ms (a timer never fires early), the last one the newest.
    expect(snapshots.length).toBeLessThanOrEqual(Math.ceil(elapsed / 25) + 1);
    expect(snapshots.at(-1)!.snapshot.balances.find((b) => b.currency === 'EUR')?.amount).toBe('1001.00');
    expect(s.events.slice(before).filter((e) => e.type === 'transaction')).toHaveLength(1000);
    const snap = await s.core.getSnapshot();
    expect(snap.alerts).toEqual([]);
    expect(snap.connection).toBe('online');
    expect(snap.lastError).toBeNull();
    expect((await s.core.getTransactions())).toHaveLength(1001);
  });
});

describe('settings', () => {
  it('saves profiles, refuses invalid ones, and never overwrites an unreadable settings file', async () => {
    const dataDir = tempDir('ccc-settings-');
    const core = new AppCore({ dataDir, chooseSavePath: async () => null });
    cleanups.push(() => core.close());
    const trusted = newIdentity().address;
    const p = await core.saveProfile({ name: 'Production', endpoint: 'wss://api.cryptocapital.co:8080', trustedAddress: trusted, transport: 'usb', network: 'mainnet', addressKind: 'p2wpkh', derivationPath: "84'/0'/0'/0/0" });
    expect((await core.listProfiles()).profiles).toEqual([p]);
    await expect(core.saveProfile({ ...p, id: undefined, trustedAddress: 'nope' })).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
    await expect(core.saveProfile({ ...p, id: undefined, derivationPath: "44'/0'/45341'/0/0" })).rejects.toMatchObject({ code: 'PROFILE_INVALID', message: expect.stringMatching(/BitID/) });
    await expect(core.saveProfile({ ...p, id: undefined, endpoint: 'http://x' })).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
    // The virtual device is refused for a remote endpoint at login.
    const remote = await core.saveProfile({ ...p, id: undefined, name: 'Remote virtual', transport: 'virtual' });
    await expect(core.login(remote.id)).rejects.toMatchObject({ code: 'NO_DEVICE', message: expect.stringMatching(/this machine/) });

    const file = path.join(dataDir, 'settings.json');
    fs.writeFileSync(file, '{ "version": 1, "profiles": [ garbage');
    const fresh = new AppCore({ dataDir, chooseSavePath: async () => null });
    await expect(fresh.listProfiles()).rejects.toMatchObject({ code: 'SETTINGS_UNREADABLE', message: expect.stringMatching(/left untouched/) });
    await expect(fresh.saveProfile({ ...p, id: undefined })).rejects.toBeInstanceOf(AppError);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "version": 1, "profiles": [ garbage');
    fs.writeFileSync(file, JSON.stringify({ version: 1, profiles: [{ id: 'x' }], activeProfileId: null, lastSeen: {} }));
    const fresh2 = new AppCore({ dataDir, chooseSavePath: async () => null });
    await expect(fresh2.listProfiles()).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
  });
});

describe('statement export through the core', () => {
  it('writes the CSV where the user chose, and honours a cancelled dialog', async () => {
    const s = await setup();
    await registeredAndFunded(s, '250.00');
    const r = await s.core.exportStatement({ currency: 'EUR', status: 'all' });
    expect(r).toMatchObject({ saved: true, rows: 1, format: 'csv' });
    const text = fs.readFileSync((r as { path: string }).path, 'utf8');
    expect(text.startsWith('\uFEFFAccount statement,Zoë Exchange GmbH,')).toBe(true);
    expect(text).toContain(',250.00,,250.00,250.00,complete,');
    const cancelled = new AppCore({ dataDir: tempDir('ccc-app-'), chooseSavePath: async () => null });
    cleanups.push(() => cancelled.close());
    await expect(cancelled.exportStatement({})).rejects.toMatchObject({ code: 'NOT_LOGGED_IN' });
  });

  it('reconciles with the balance the server reports after failed and pending payouts, in every format, and verifies', async () => {
    const s = await setup();
    await registeredAndFunded(s, '1234567.89');
    const pay = async (amount: string) => {
      const review = await s.core.prepareTransfer({ destination: 'FR7630006000011234567890189', currency: 'EUR', amount });
      return ((await s.core.confirmTransfer(review.requestId)) as { tx: { txid: number } }).tx.txid;
    };
    const failed = await pay('15000.00');
    await s.server.backOffice.admin({ command: 'settle', txid: failed, outcome: 'failed', reason: 'Beneficiary account closed.' });
    await waitFor(async () => (await s.core.getTransactions()).find((t) => t.txid === failed)?.status === 'failed');
    const done = await pay('100.00');
    await s.server.backOffice.admin({ command: 'settle', txid: done, outcome: 'complete' });
    await waitFor(async () => (await s.core.getTransactions()).find((t) => t.txid === done)?.status === 'complete');
    await pay('49.50'); // stays pending: held
    await waitFor(async () => (await s.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === '1234418.39');

    const csv = (await s.core.exportStatement({ format: 'csv' })) as { path: string; signaturesPath: string };
    const balanceRow = fs.readFileSync(csv.path, 'utf8').split('\r\n').find((l) => l.startsWith('Balance,EUR,'))!;
    // opening 0, credits 1,234,567.89, debits −149.50 (the failed 15,000 counts 0), closing = the server's balance.
    expect(balanceRow.split(',').slice(2, 9)).toEqual(['0.00', '1234567.89', '-149.50', '1234418.39', '49.50', '1234467.89', '4']);
    expect(fs.existsSync(csv.signaturesPath)).toBe(true);
    const { verifyStatement } = await import('../../src/main/statements/verify-statement');
    const key = s.server.backofficeAddress;
    expect((await verifyStatement(csv.path, key)).problems).toEqual([]);
    for (const format of ['camt053', 'pdf'] as const) {
      const r = (await s.core.exportStatement({ format, currency: 'EUR' })) as { path: string; rows: number };
      expect(r.path.endsWith(format === 'pdf' ? '.pdf' : '.xml')).toBe(true);
      expect((await verifyStatement(r.path, key)).ok).toBe(true);
    }
    await expect(s.core.exportStatement({ format: 'docx' as never })).rejects.toMatchObject({ code: 'STATEMENT_INVALID' });
    await expect(s.core.exportStatement({ from: 10, to: 5 })).rejects.toMatchObject({ code: 'STATEMENT_INVALID', message: expect.stringMatching(/start date is after the end date/) });
    await expect(s.core.exportStatement({ currency: 'XXX' as never })).rejects.toMatchObject({ code: 'STATEMENT_INVALID' });

    const receipt = await s.core.exportReceipt(failed);
    expect(receipt).toMatchObject({ saved: true, verified: true });
    expect(fs.readFileSync((receipt as { path: string }).path).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(s.core.exportReceipt(999_999)).rejects.toMatchObject({ code: 'UNKNOWN_TRANSACTION' });
    await expect(s.core.exportReceipt(-1)).rejects.toMatchObject({ code: 'RECEIPT_INVALID' });
  });
});

// TestClient import kept for helpers used in other suites.
void TestClient;
