// The local history cache, against a REAL ccc-server and the simulated Ledger: a returning user's
// history comes from the cache (newest page verified first) plus only what is new (sinceTransaction);
// a cache with a forged row, a missing row, or a forged newest row is detected and rebuilt from the
// server — never shown; a cache of another account is ignored.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { startTestServer, tempDir } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import type { ServerProcess } from '../../src/server/serve';
import { waitFor } from '../helpers/wait';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});


/** A server with one registered, verified account that received `n` deposits (1.00, 2.00, … EUR) and made one IBAN payout. */
async function returningUser(n: number) {
  const proxy = await WsProxy.listen();
  cleanups.push(() => proxy.close());
  const server: ServerProcess = await startTestServer({ publicUrl: proxy.url });
  cleanups.push(() => server.close());
  proxy.target = server.url;
  const historyOps: unknown[] = [];
  proxy.onClientFrame = (text) => {
    const f = JSON.parse(text);
    if (f.op === 'history') historyOps.push(f.params ?? {});
  };
  const device = new SimulatedLedger();
  const dataDir = tempDir('ccc-app-');
  const newCore = () => {
    const core = new AppCore({
      dataDir,
      sandbox: { endpoint: proxy.url, trustedAddress: server.backofficeAddress },
      simulatedDevice: device,
      chooseSavePath: async () => null,
      client: { backoff: { initialMs: 50, maxMs: 200 } },
      idleLockMs: 0,
      historyFirstPage: 10,
    });
    cleanups.push(() => core.close());
    return core;
  };
  const core = newCore();
  await core.login(SANDBOX_PROFILE_ID);
  await core.register({ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR' });
  const address = (await core.getSnapshot()).address!;
  await server.backOffice.admin({ command: 'verify', address });
  await core.refreshAccount();
  for (let i = 1; i <= n; i++) await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: `${i}.00`, reference: `Batch ${i}` });
  const total = (n * (n + 1)) / 2;
  await waitFor(async () => (await core.getSnapshot()).balances[0]?.amount === `${total}.00`);
  const review = await core.prepareTransfer({ destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '5' });
  await core.confirmTransfer(review.requestId); // a pending payout stays in the cache as pending
  await waitFor(async () => (await core.getTransactions()).length === n + 1);
  await core.logout();
  const file = fs.readdirSync(path.join(dataDir, 'history')).map((f) => path.join(dataDir, 'history', f))[0];
  return { server, proxy, device, dataDir, newCore, address, historyOps, file, n, total };
}

async function loginAgain(u: Awaited<ReturnType<typeof returningUser>>) {
  u.historyOps.length = 0;
  const core = u.newCore();
  await core.login(SANDBOX_PROFILE_ID);
  await waitFor(async () => (await core.getSnapshot()).historyComplete);
  return core;
}

describe('the local history cache', () => {
  it('a returning user gets the cached history plus only what is new, and the payout settled meanwhile', async () => {
    const u = await returningUser(40);
    expect(fs.readFileSync(u.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1 + u.n + 1); // header + rows
    // While logged out: a deposit arrives and the pending payout completes.
    await u.server.backOffice.admin({ command: 'deposit', to: u.address, from: IBAN, currency: 'EUR', amount: '1000.00', reference: 'While away' });
    const payout = u.n + 1;
    await u.server.backOffice.admin({ command: 'settle', txid: payout, outcome: 'complete' });
    u.historyOps.length = 0;
    const core = u.newCore();
    await core.login(SANDBOX_PROFILE_ID);
    // While the saved history is still being checked, no statement can be made from part of it.
    if (!(await core.getSnapshot()).historyComplete) await expect(core.exportStatement({ format: 'csv' } as never)).rejects.toMatchObject({ code: 'HISTORY_LOADING' });
    await waitFor(async () => (await core.getSnapshot()).historyComplete);
    // Only what is new was asked for: from the oldest cached row still pending.
    expect(u.historyOps).toEqual([{ sinceTransaction: payout }]);
    const rows = await core.getTransactions();
    expect(rows).toHaveLength(u.n + 2);
    expect(rows.find((r) => r.txid === payout)!.status).toBe('complete');
    expect(rows.at(-1)).toMatchObject({ amount: '1000.00', reference: 'While away' });
    expect((await core.getSnapshot()).balances[0].amount).toBe(`${u.total + 1000 - 5}.00`);
  });

  it('live rows reach the cache file and the last-seen txid in batches, without a logout', async () => {
    const u = await returningUser(5);
    const core = await loginAgain(u);
    await Promise.all(Array.from({ length: 50 }, (_, i) => u.server.backOffice.admin({ command: 'deposit', to: u.address, from: IBAN, currency: 'EUR', amount: '1.00', reference: `Live ${i}` })));
    await waitFor(async () => (await core.getTransactions()).length === u.n + 1 + 50);
    const newest = Math.max(...(await core.getTransactions()).map((r) => r.txid));
    // No logout (as after a crash): the appended rows are written within a fraction of a second, the txid within a second.
    await waitFor(() => fs.readFileSync(u.file, 'utf8').split('\n').filter(Boolean).length === 1 + u.n + 1 + 50, 5_000, 'the live rows in the cache');
    await waitFor(() => Object.values(JSON.parse(fs.readFileSync(path.join(u.dataDir, 'settings.json'), 'utf8')).lastSeen).includes(newest), 5_000, 'the newest txid as last seen');
    const cached = fs.readFileSync(u.file, 'utf8').split('\n').filter(Boolean).slice(1).map((l) => JSON.parse(l).data.txid as number);
    expect(new Set(cached).size).toBe(cached.length); // each row once
    expect(Math.max(...cached)).toBe(newest);
  });

  it('a forged row deep in the cache is detected and the history rebuilt from the server', async () => {
    const u = await returningUser(30);
    const lines = fs.readFileSync(u.file, 'utf8').split('\n');
    // Row txid 2 (an old one, checked in the background) gets a larger amount; its signature no longer matches.
    lines[2] = lines[2].replace('"amount":"2.00"', '"amount":"2000.00"');
    expect(lines[2]).toContain('"amount":"2000.00"');
    fs.writeFileSync(u.file, lines.join('\n'));
    const core = await loginAgain(u);
    expect(u.historyOps).toEqual([{ sinceTransaction: u.n + 1 }, {}]); // new rows, then a full replay
    const rows = await core.getTransactions();
    expect(rows).toHaveLength(u.n + 1);
    expect(rows.find((r) => r.reference === 'Batch 2')!.amount).toBe('2.00');
    expect(fs.readFileSync(u.file, 'utf8')).not.toContain('"amount":"2000.00"'); // rewritten from verified rows
  });

  it('a row removed from the cache is caught by the signed balance and rebuilt', async () => {
    const u = await returningUser(30);
    const lines = fs.readFileSync(u.file, 'utf8').split('\n');
    lines.splice(5, 1); // every remaining row still carries a valid signature
    fs.writeFileSync(u.file, lines.join('\n'));
    const core = await loginAgain(u);
    expect(u.historyOps).toEqual([{ sinceTransaction: u.n + 1 }, {}]);
    expect(await core.getTransactions()).toHaveLength(u.n + 1);
  });

  it('a malformed line deep in the cache is caught by the background check and rebuilt', async () => {
    const u = await returningUser(30);
    const lines = fs.readFileSync(u.file, 'utf8').split('\n');
    lines[4] = '{"data":{"txid":"4"},"signed":1}';
    fs.writeFileSync(u.file, lines.join('\n'));
    const core = await loginAgain(u);
    expect(u.historyOps).toEqual([{ sinceTransaction: u.n + 1 }, {}]);
    expect(await core.getTransactions()).toHaveLength(u.n + 1);
  });

  it('a forged newest row is refused at once (nothing of the cache is shown) and the history replayed in full', async () => {
    const u = await returningUser(20);
    const lines = fs.readFileSync(u.file, 'utf8').split('\n').filter(Boolean);
    lines[lines.length - 2] = lines[lines.length - 2].replace('"amount":"20.00"', '"amount":"20000.00"');
    fs.writeFileSync(u.file, `${lines.join('\n')}\n`);
    const core = await loginAgain(u);
    expect(u.historyOps).toEqual([{ limit: 10 }, {}]); // as a first login: the newest page, then everything
    expect((await core.getTransactions()).find((r) => r.reference === 'Batch 20')!.amount).toBe('20.00');
  });

  it('a cache that belongs to another account or server is ignored', async () => {
    const u = await returningUser(5);
    const lines = fs.readFileSync(u.file, 'utf8').split('\n');
    lines[0] = lines[0].replace(u.server.backofficeAddress, '1BoatSLRHtKNngkdXEeobR76b53LETtpyT');
    fs.writeFileSync(u.file, lines.join('\n'));
    await loginAgain(u);
    expect(u.historyOps).toEqual([{ limit: 10 }]); // 6 rows: the newest page was the whole history
  });
});

describe('a first login on this computer (no local cache)', () => {
  it('shows the newest page at once, then replays the whole history in the background and writes the cache', async () => {
    const u = await returningUser(30);
    fs.rmSync(u.file);
    u.historyOps.length = 0;
    // Hold the full replay back until the newest page is on screen.
    let released = false;
    const heldFrames: (() => void)[] = [];
    const release = () => {
      released = true;
      heldFrames.forEach((send) => send());
    };
    let fullNonce: number | null = null;
    u.proxy.onClientFrame = (text) => {
      const f = JSON.parse(text);
      if (f.op === 'history') u.historyOps.push(f.params ?? {});
      if (f.op === 'history' && !f.params) fullNonce = f.nonce;
    };
    u.proxy.onServerFrame = (text, link) => {
      const f = JSON.parse(text);
      if (!released && fullNonce !== null && f.nonce === fullNonce) {
        heldFrames.push(() => link.client.send(text));
        return null;
      }
      return undefined;
    };
    const core = u.newCore();
    await core.login(SANDBOX_PROFILE_ID);
    const snap = await core.getSnapshot();
    expect(snap.historyLoaded).toBe(true);
    expect(snap.historyComplete).toBe(false);
    expect(snap.historyCheck).toMatchObject({ source: 'server', checked: 10, total: null });
    const newest = await core.getTransactions();
    expect(newest.map((r) => r.txid)).toEqual(Array.from({ length: 10 }, (_, i) => u.n + 1 - 9 + i)); // the 10 most recent
    await expect(core.exportStatement({ format: 'csv' } as never)).rejects.toMatchObject({ code: 'HISTORY_LOADING' });
    release();
    await waitFor(async () => (await core.getSnapshot()).historyComplete);
    expect(u.historyOps).toEqual([{ limit: 10 }, {}]);
    expect(await core.getTransactions()).toHaveLength(u.n + 1);
    expect((await core.getSnapshot()).historyCheck).toBeNull();
    await core.logout();
    expect(fs.readFileSync(u.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1 + u.n + 1); // the cache for the next start
  });

  it('a forged row in the background replay is refused: never applied, alerted, and the history stays marked incomplete', async () => {
    const u = await returningUser(30);
    fs.rmSync(u.file);
    u.proxy.onServerFrame = (text) => {
      const f = JSON.parse(text);
      // Row 3 (only in the full replay, not in the newest page) gets a larger amount: its signature no longer matches.
      if (f.msg === 'transfer' && f.nonce !== undefined && f.data.txid === 3) return text.replace('"amount":"3.00"', '"amount":"3000.00"');
      return undefined;
    };
    const core = u.newCore();
    await core.login(SANDBOX_PROFILE_ID);
    await waitFor(async () => (await core.getSnapshot()).lastError?.code === 'SECURITY');
    const snap = await core.getSnapshot();
    expect(snap.historyComplete).toBe(false);
    expect(snap.alerts.some((a) => a.kind === 'bad-signature' && a.raw.includes('3000.00'))).toBe(true);
    const rows = await core.getTransactions();
    expect(rows.find((r) => r.txid === 3)).toBeUndefined();
    expect(rows.some((r) => r.amount === '3000.00')).toBe(false);
    await core.logout();
    expect(fs.existsSync(u.file)).toBe(false); // nothing partial or forged is saved
  });
});
