// Every flow of the desktop app, as a person would use it: Debian's Chromium runs the real
// renderer against the real main-process core (dev bridge), a real ccc-server and the simulated
// Ledger. Nothing here is mocked.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { secp256k1 } from '@noble/curves/secp256k1';
import { loginAndRegister, loginVerifiedAndFunded as verifiedAndFunded, go, browserAppPerTest, TEST_IBAN } from '../helpers/ui';
import type { Page } from 'playwright-core';
import type { AppEvent } from '../../src/shared/app-api';

/** Clicks a screen in the sidebar. */
import { newCustomer, testRules } from '../helpers/server';
import { signData } from '../../src/shared/node/message-signature';

const IBAN = TEST_IBAN;
const browserApp = browserAppPerTest();


/** An account with `deposits` deposits (and its funding), History open and scrolled to row `at` (newest first); reads the txid of the row at the top. */
async function historyScrolledTo(ui: Parameters<typeof verifiedAndFunded>[0], deposits: number, at: number) {
  const { page, server } = ui;
  const address = await verifiedAndFunded(ui, '1.00');
  await Promise.all(Array.from({ length: deposits }, (_, i) => server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: `${i + 2}.00` })));
  await go(page, 'History');
  // Deposits sent at once reach a busy machine's app over seconds (the poll's default is 1 s).
  await expect.poll(() => page.getByTestId('history-count').textContent(), { timeout: 30_000 }).toBe(`${deposits + 1} of ${deposits + 1} transactions`);
  await page.locator('.vbody').evaluate((el, top) => (el.scrollTop = top), at * 50);
  await page.waitForTimeout(200);
  const topRow = () =>
    page.locator('.vbody').evaluate((el) => {
      const box = el.getBoundingClientRect();
      return document.elementFromPoint(box.left + 40, box.top + 22)?.closest('[data-txid]')?.getAttribute('data-txid') ?? null;
    });
  return { address, topRow };
}

describe('the app in Chromium', () => {
  it('log in (after a locked device), register with validation, and see a deposit arrive live', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    // The device is locked: the step fails in plain words, nothing else happens.
    app.device.configure({ behaviour: 'locked' });
    await page.getByTestId('connect').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/Your Ledger is locked\. Enter your PIN/);
    await expect(page.locator('.step.failed').textContent()).resolves.toMatch(/Unlock it/);
    // The virtual device panel of the sandbox can unlock it.
    await page.getByRole('radio', { name: 'Approves' }).click();
    await page.getByTestId('connect').click();
    await page.getByTestId('register-form').waitFor();
    // Field validation as typed.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel(/Phone/).fill('12');
    await page.getByLabel('Full legal name').click();
    await expect.poll(() => page.getByTestId('register-form').textContent()).toMatch(/a valid email address/);
    await expect(page.getByTestId('register-form').textContent()).resolves.toMatch(/international format/);
    await page.getByLabel(/Phone/).fill('+49 30 1234 5678');
    await page.getByLabel('Full legal name').fill('Müller & Søn Trading GmbH');
    await page.getByLabel('Email').fill('treasury@mueller.example');
    await page.getByLabel('Country of residence').selectOption('DE');
    await page.getByLabel('Preferred currency').selectOption('EUR');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByTestId('kyc-pending').waitFor();
    const address = (await app.core.getSnapshot()).address!;
    expect((await server.backOffice.admin({ command: 'verify', address })).ok).toBe(true);
    await go(page, 'Account');
    await expect.poll(() => page.locator('.summary').first().textContent()).toMatch(/verified/);
    await go(page, 'Dashboard');
    await page.getByTestId('iban').waitFor();
    // A deposit arrives live: balance, toast and activity update without a reload.
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '12500.75', reference: 'Seed funding' });
    await page.getByTestId('balances').getByText('12,500.75').waitFor();
    await page.getByText('Deposit received').waitFor();
    await expect(page.getByTestId('latest-activity').textContent()).resolves.toMatch(/Seed funding/);
  });

  it('transfer approved on the device: the review shows exactly what the device shows', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    await verifiedAndFunded(ui);
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill(bob.address);
    await expect.poll(() => page.getByTestId('transfer-form').textContent()).toMatch(/A CCC account/);
    await page.locator('input[name=amount]').fill('1250.5');
    await page.locator('input[name=reference]').fill('Invoice 42');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('transfer-review').waitFor();
    const shown = await page.getByTestId('device-screens').textContent();
    expect(shown).toMatch(new RegExp(`CCC transfer 1250\\.50 EUR to ${bob.address} ref "Invoice 42" id [0-9a-f]{24} server ${server.backofficeAddress}`));
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor();
    // What the device displayed is what the app showed.
    const onDevice = app.device.displayLog.at(-1)!.screens.join('');
    expect(shown!.replace(/\s/g, '')).toBe(onDevice.replace(/\s/g, ''));
    expect((await bobClient.next((m) => m.msg === 'transfer')).data).toMatchObject({ amount: '1250.50', reference: 'Invoice 42' });
    await go(page, 'Dashboard');
    await page.getByTestId('balances').getByText('3,749.50').waitFor();
    await bobClient.close();
  });

  it('transfer rejected on the device: a calm outcome and nothing sent', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    const address = await verifiedAndFunded(ui);
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill(bob.address);
    await page.locator('input[name=amount]').fill('10');
    await page.getByRole('button', { name: 'Review' }).click();
    app.device.configure({ behaviour: 'reject' });
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=rejected]').waitFor();
    await expect(page.getByTestId('transfer-result').textContent()).resolves.toMatch(/Nothing was sent/);
    const n = server.backOffice.ledger.db.prepare('SELECT COUNT(*) AS n FROM transfers WHERE sender = ?').get(address) as { n: bigint };
    expect(n.n).toBe(0n);
    expect(bobClient.unconsumed().filter((m) => m.msg === 'transfer')).toEqual([]);
    await bobClient.close();
  });

  it('an IBAN payout is tracked from pending to complete on the result page', async () => {
    const ui = await browserApp.start({ rules: testRules({ rails: { settleDelayMs: 800 } }) });
    const { page } = ui;
    await verifiedAndFunded(ui);
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill('FR76 3000 6000 0112 3456 7890 189');
    await expect.poll(() => page.getByTestId('transfer-form').textContent()).toMatch(/IBAN, FR/);
    await page.locator('input[name=amount]').fill('100');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=pending]').waitFor();
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('transfer-result').textContent()).resolves.toMatch(/The payout completed/);
  });

  it('invalid input is refused as typed and never reaches the device', async () => {
    const ui = await browserApp.start();
    const { page, app } = ui;
    await verifiedAndFunded(ui);
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill('DE89 3704 0044 0532 0130 01');
    await page.locator('input[name=amount]').fill('1.001');
    await expect.poll(() => page.getByTestId('transfer-form').textContent()).toMatch(/probably mistyped/);
    await expect(page.getByTestId('transfer-form').textContent()).resolves.toMatch(/at most 2 decimals/);
    await expect(page.getByRole('button', { name: 'Review' }).isDisabled()).resolves.toBe(true);
    expect(app.device.displayLog.filter((d) => d.screens.some((s) => s.startsWith('CCC transfer')))).toEqual([]);
  });

  it('exports a statement and the file has the right rows', async () => {
    const ui = await browserApp.start();
    const { page } = ui;
    await verifiedAndFunded(ui, '777.00');
    await go(page, 'Statements');
    await page.getByTestId('export').click();
    await page.getByTestId('statement-result').waitFor();
    const file = (await page.getByTestId('statement-result').locator('code').textContent())!;
    const text = fs.readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records = parse(text.slice(1)) as string[][];
    const rows = records.slice(records.findIndex((r) => r[0] === 'Date (UTC)'));
    expect(rows).toHaveLength(2);
    expect(rows[1].slice(3, 12)).toEqual(['credit', IBAN, '', 'EUR', '777.00', '', '777.00', '777.00', 'complete']);
  });

  it('a forged notification raises a prominent alert and never changes a balance', async () => {
    const ui = await browserApp.start();
    const { page, proxy } = ui;
    const address = await verifiedAndFunded(ui, '100.00');
    const { canonical, signed } = signData({ txid: 4242, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'EUR', amount: '900000.00' }, secp256k1.utils.randomPrivateKey());
    proxy.inject(`{"msg":"transfer","data":${canonical},"signed":"${signed}"}`);
    await page.getByTestId('security-alerts').waitFor();
    await expect(page.getByTestId('security-alerts').textContent()).resolves.toMatch(/Forged signature.*900,000\.00 EUR/);
    await expect(page.getByTestId('balances').textContent()).resolves.toMatch(/100\.00/);
    await expect(page.getByTestId('balances').textContent()).resolves.not.toMatch(/900,000/);
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('1 of 1 transactions');
  });

  it('history: live rows, filters, sorting and the verified mark', async () => {
    const ui = await browserApp.start();
    const { page, server } = ui;
    const address = await verifiedAndFunded(ui, '1.00');
    for (const [amount, ref] of [
      ['20.00', 'Alpha'],
      ['300.00', 'Bravo'],
    ]) {
      await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount, reference: ref });
    }
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'USD', amount: '5.00', reference: 'Charlie' });
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('4 of 4 transactions');
    await expect(page.locator('.vbody .verified-mark').count()).resolves.toBe(4);
    await page.getByPlaceholder(/Counterparty, IBAN, reference/).fill('bravo');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('1 of 4 transactions');
    await page.getByPlaceholder(/Counterparty, IBAN, reference/).fill('');
    await page.getByLabel('Currency').selectOption('USD');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('1 of 4 transactions');
    await page.getByLabel('Currency').selectOption('');
    // Sort by amount, ascending: the smallest EUR amount first among EUR rows.
    await page.getByRole('button', { name: /^Amount/ }).click();
    const firstTxid = await page.locator('.vbody .vtr').first().getAttribute('data-txid');
    expect(firstTxid).not.toBeNull();
    // A live deposit appears without reloading.
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '4.00', reference: 'Delta' });
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('5 of 5 transactions');
  });

  it('a returning user sees the whole history after logging in again (replayed and verified)', async () => {
    const ui = await browserApp.start();
    const { page, server } = ui;
    const address = await verifiedAndFunded(ui, '1.00');
    await page.getByRole('button', { name: 'Log out' }).click();
    // Enough history that its replay (each message verified) takes a while: the list must not be fetched too early.
    await Promise.all(Array.from({ length: 300 }, (_, i) => server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '1.00', reference: `Batch ${i}` })));
    ui.proxy.serverFrameDelayMs = 3; // the replay trickles in over about a second, as over a real network
    await page.getByTestId('connect').click();
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('history-count').textContent(), { timeout: 30_000 }).toBe('301 of 301 transactions');
    await go(page, 'Dashboard');
    await page.getByTestId('balances').getByText('301.00').waitFor();
  });

  it('a first login on this computer shows the newest page at once and says the rest is loading', async () => {
    const ui = await browserApp.start();
    const { page, server, app, proxy } = ui;
    const address = await verifiedAndFunded(ui, '1.00');
    await page.getByRole('button', { name: 'Log out' }).click();
    await Promise.all(Array.from({ length: 300 }, (_, i) => server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '1.00', reference: `Batch ${i}` })));
    fs.rmSync(path.join(app.dataDir, 'history'), { recursive: true, force: true }); // no local copy: as on a new computer
    // Hold the full replay back (it follows the newest page) until the page has been looked at.
    let fullNonce: number | null = null;
    let released = false;
    const held: (() => void)[] = [];
    proxy.onClientFrame = (text) => {
      const f = JSON.parse(text);
      if (f.op === 'history' && !f.params) fullNonce = f.nonce;
    };
    proxy.onServerFrame = (text, link) => {
      if (!released && fullNonce !== null && JSON.parse(text).nonce === fullNonce) {
        held.push(() => link.client.send(text));
        return null;
      }
      return undefined;
    };
    await page.getByTestId('connect').click();
    await page.getByTestId('latest-activity').getByText('Batch 299').waitFor();
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('Newest 200 shown · loading and verifying the rest of your history (200 so far)…');
    await page.locator('.vtr[data-txid="301"]').waitFor();
    await expect(page.getByTestId('export-these').count()).resolves.toBe(0); // not a statement of part of the history
    released = true;
    held.forEach((send) => send());
    await expect.poll(() => page.getByTestId('history-count').textContent(), { timeout: 30_000 }).toBe('301 of 301 transactions');
  });

  it('history keeps the row you are looking at in place when live rows arrive', async () => {
    const ui = await browserApp.start();
    const { page, server } = ui;
    const { address, topRow } = await historyScrolledTo(ui, 200, 44);
    const before = await topRow();
    expect(before).not.toBeNull();
    // Three live deposits land above it.
    for (let i = 0; i < 3; i++) await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '9.99' });
    await expect.poll(() => page.getByTestId('history-count').textContent(), { timeout: 10_000 }).toBe('204 of 204 transactions'); // (default poll timeout is 1 s; this machine may be busy)
    // The list re-anchors in the frame after the rows arrive; on a busy machine that frame may come late.
    await expect.poll(topRow, { timeout: 5_000 }).toBe(before);
  });

  it('history keeps the row in place when a row lands between the count and the page it shows', async () => {
    // Deterministic: the core answers History's anchored count, then a deposit is applied before the page
    // is asked — the page comes from another version of the index than the count — and the news of it
    // reaches the window only later. (Under load this happened by itself: the anchor slipped to the row
    // below and stayed there.)
    const ui = await browserApp.start();
    const { page, server } = ui;
    const core = ui.app.core;
    const { address, topRow } = await historyScrolledTo(ui, 150, 30);
    const before = await topRow();
    expect(before).toBe('121');
    const hooks = core as unknown as { emit: (e: AppEvent) => void };
    const emit = hooks.emit.bind(core);
    const query = core.queryTransactions.bind(core);
    let raced = 0;
    const late: AppEvent[] = [];
    hooks.emit = (e) => (raced === 1 && e.type === 'transaction' ? late.push(e) : emit(e));
    core.queryTransactions = async (q) => {
      const answer = await query(q);
      if (raced === 0 && q.anchorTxid !== undefined && q.limit === 0) {
        raced = 1;
        const size = (await query({ limit: 0 })).all;
        await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '7.77' });
        await expect.poll(async () => (await query({ limit: 0 })).all, { timeout: 10_000 }).toBe(size + 1);
        raced = 2;
        setTimeout(() => late.splice(0).forEach(emit), 500); // the news, late
      }
      return answer;
    };
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '9.99' });
    await expect.poll(() => page.getByTestId('history-count').textContent(), { timeout: 10_000 }).toBe('153 of 153 transactions');
    await expect.poll(() => late.length === 0 && raced === 2, { timeout: 5_000 }).toBe(true);
    await page.waitForTimeout(300); // the late news's own answer
    await expect.poll(topRow, { timeout: 5_000 }).toBe(before);
  });

  it('account: a country change warns about re-verification and clears it on save', async () => {
    const ui = await browserApp.start();
    const { page } = ui;
    await verifiedAndFunded(ui, '1.00');
    await go(page, 'Account');
    await page.getByLabel('Country of residence').selectOption('PA');
    await page.getByTestId('reverify-warning').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('.summary').first().textContent()).toMatch(/pending/);
    expect((await ui.app.core.getSnapshot()).account).toMatchObject({ country: 'PA', isVerified: false });
  });
});
