// The desk a finance user trusts all day, in Chromium against the real core, server and simulated
// Ledger: a transfer waiting on a slow device survives navigation and stays visible until dismissed;
// overspending and offline are refused before the device; fields survive a rejection; loading is
// shown honestly; History fits at 1024×700, 1360×860 and 2560×1440 in both themes (no cell's text
// clipped, cells under their headers); search finds what the screen shows; a row opens its proof.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loginVerifiedAndFunded as verifiedAndFunded, go, browserAppPerTest, TEST_IBAN } from '../helpers/ui';
import { newCustomer, testRules } from '../helpers/server';

const IBAN = TEST_IBAN;
const FR = 'FR7630006000011234567890189';
/** Screenshots of this suite, to look at (kept out of the repository). */
const SHOTS = path.join(os.tmpdir(), 'ccc-desk-screenshots');

const browserApp = browserAppPerTest();

async function shoot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => window.dispatchEvent(new CustomEvent('ccc-set-theme', { detail: t })), theme);
    await page.waitForTimeout(80);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`) });
  }
}

describe('the desk', () => {
  it('a transfer waiting on a slow Ledger survives navigation and is shown until dismissed', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    await verifiedAndFunded(ui, '5000.00');
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill(bob.address);
    await page.locator('input[name=amount]').fill('777');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('transfer-compare').waitFor();
    // The friendly form beside the device's exact form.
    await expect(page.getByTestId('transfer-compare').textContent()).resolves.toMatch(/777\.00 EUR.*777\.00 EUR/);
    app.device.configure({ confirmDelayMs: 1_500 });
    await page.getByTestId('confirm-on-ledger').click();
    await page.getByTestId('cancel-on-ledger').waitFor();
    await expect.poll(() => page.getByTestId('device-status').textContent()).toMatch(/Approve the transfer on your Ledger/);
    await expect(page.getByRole('button', { name: 'Log out' }).isDisabled()).resolves.toBe(true);
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('transfer-bar').getAttribute('data-phase')).toBe('awaiting-device');
    await shoot(page, 'transfer-bar-waiting');
    await expect.poll(() => page.getByTestId('transfer-bar').getAttribute('data-phase'), { timeout: 10_000 }).toBe('sent');
    await expect(page.getByTestId('transfer-bar').textContent()).resolves.toMatch(/777\.00 EUR.*Transfer sent/);
    await go(page, 'Dashboard');
    await page.getByTestId('transfer-bar').waitFor();
    await go(page, 'Transfer');
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor();
    await page.getByRole('button', { name: 'New transfer' }).click();
    await expect(page.locator('input[name=amount]').inputValue()).resolves.toBe('');
    await go(page, 'Dashboard');
    await expect(page.getByTestId('transfer-bar').count()).resolves.toBe(0);
    expect((await bobClient.next((m) => m.msg === 'transfer')).data.amount).toBe('777.00');
    await bobClient.close();

    // Lock: nothing of the account stays on screen; the Ledger unlocks it.
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByTestId('lock-screen').waitFor();
    await expect(page.locator('body').textContent()).resolves.not.toMatch(/4,223\.00|Müller|777\.00/);
    await shoot(page, 'lock-screen');
    await page.getByTestId('unlock').click();
    await page.getByTestId('balances').getByText('4,223.00').waitFor();
  });

  it('a burst of 200 deposits: the balance follows, the newest three toasts show, no security alert', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    const address = await verifiedAndFunded(ui, '1.00');
    await Promise.all(Array.from({ length: 200 }, (_, i) => server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '1.00', reference: `Burst ${i}` })));
    await page.getByTestId('balances').getByText('201.00').waitFor();
    await expect.poll(() => page.locator('.toast').filter({ hasText: 'Deposit received' }).count()).toBeGreaterThan(0);
    expect(await page.locator('.toast').filter({ hasText: 'Deposit received' }).count()).toBeLessThanOrEqual(3);
    expect(await page.getByTestId('toasts-assertive').textContent()).toBe('');
    expect((await app.core.getSnapshot()).alerts).toEqual([]);
  });

  it('overspending is refused in the form; a rejection keeps the fields and offers Retry; offline disables Review', async () => {
    const ui = await browserApp.start();
    const { page, app } = ui;
    await verifiedAndFunded(ui, '250000.01');
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill('FR76 3000 6000 0112 3456 7890 189');
    await page.locator('input[name=amount]').fill('300,000.00');
    await page.locator('input[name=reference]').fill('Q3 settlement');
    await expect.poll(() => page.getByTestId('transfer-form').textContent()).toMatch(/available balance is 250,000\.01 EUR, less than 300,000\.00 EUR/);
    await expect(page.getByRole('button', { name: 'Review' }).isDisabled()).resolves.toBe(true);
    // Fields survive leaving the screen.
    await go(page, 'History');
    await go(page, 'Transfer');
    await expect(page.locator('input[name=reference]').inputValue()).resolves.toBe('Q3 settlement');
    await page.locator('input[name=amount]').fill('25,000');
    await page.getByRole('button', { name: 'Review' }).click();
    app.device.configure({ behaviour: 'reject' });
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=rejected]').waitFor();
    await page.getByTestId('retry-transfer').waitFor();
    // The sidebar tells the truth once the device has answered.
    await expect.poll(() => page.getByTestId('device-status').textContent()).toBe('Ledger ready');
    await expect(page.locator('.wizard li.failed').textContent()).resolves.toBe('Confirm on Ledger');
    await page.getByTestId('edit-transfer').click();
    // The draft holds the canonical amount that went to review, shown back the user's (en-US) way.
    await expect(page.locator('input[name=amount]').inputValue()).resolves.toBe('25,000.00');
    await expect(page.locator('input[name=destination]').inputValue()).resolves.toBe('FR76 3000 6000 0112 3456 7890 189');
    expect(app.device.displayLog.filter((d) => d.screens.some((s) => s.startsWith('CCC transfer'))).map((d) => d.outcome)).toEqual(['rejected']);
    // The network goes away: Review is not offered while reconnecting.
    await ui.proxy.close();
    await expect.poll(() => page.getByTestId('connection').textContent()).not.toBe('Online');
    await expect(page.getByRole('button', { name: 'Review' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('transfer-form').textContent()).resolves.toMatch(/You are offline/);
  });

  it('History fits from 1024×700 to 2560×1440, light and dark: nothing clipped, cells under headers; search finds what is shown; a row opens its proof', async () => {
    const ui = await browserApp.start({ rules: testRules({ rails: { settleDelayMs: 0 } }) });
    const { page, server, app } = ui;
    const address = await verifiedAndFunded(ui, '1234567.89');
    await server.backOffice.admin({ command: 'deposit', to: address, from: 'GB29NWBK60161331926819', currency: 'USD', amount: '1234567.89', reference: 'Quarterly settlement from the prime broker, batch 7' });
    await server.backOffice.admin({ command: 'deposit', to: address, from: FR, currency: 'EUR', amount: '12500.00', reference: 'Invoice 2026-118' });
    // An IBAN payout that the bank then refuses.
    const review = await app.core.prepareTransfer({ destination: FR, currency: 'EUR', amount: '15000', reference: 'Supplier run' });
    const sent = await app.core.confirmTransfer(review.requestId);
    const txid = (sent as { tx: { txid: number } }).tx.txid;
    await app.core.dismissTransfer();
    await server.backOffice.admin({ command: 'settle', txid, outcome: 'failed', reason: 'Beneficiary bank rejected the payment' });
    await go(page, 'History');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('4 of 4 transactions');
    await expect.poll(() => page.locator(`.vtr[data-txid="${txid}"] .badge`).textContent()).toBe('failed');

    for (const [w, h] of [
      [1024, 700],
      [1360, 860],
      [2560, 1440],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(150);
      const report = await page.evaluate(() => {
        const clipped: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('.vtd, .vtd *, .vth, .vth *, .balance-amount')) {
          if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') clipped.push(`${el.className}: ${el.textContent}`);
          if (el.scrollHeight > el.clientHeight + 1 && el.classList.contains('ref')) clipped.push(`(lines) ${el.textContent}`);
        }
        // Each cell starts where its header starts.
        const heads = [...document.querySelectorAll<HTMLElement>('.vtr.head .vth')].map((e) => e.getBoundingClientRect().left);
        const misaligned: string[] = [];
        for (const row of document.querySelectorAll<HTMLElement>('.vbody .vtr')) {
          [...row.querySelectorAll<HTMLElement>('.vtd')].forEach((c, i) => {
            const dx = c.getBoundingClientRect().left - heads[i];
            if (Math.abs(dx) > 1) misaligned.push(`column ${i}: ${dx.toFixed(1)} px`);
          });
        }
        const table = document.querySelector<HTMLElement>('[data-testid=history-table]')!;
        return { clipped, misaligned, columns: heads.length, tableOverflows: table.scrollWidth > table.clientWidth + 1 };
      });
      expect(report, `${w}×${h}`).toEqual({ clipped: [], misaligned: [], columns: w < 1300 ? 4 : 7, tableOverflows: false });
      // The spaced IBAN is on one line.
      const ibanCell = page.locator(`.vtr[data-txid="${txid}"] .cp`);
      await expect(ibanCell.textContent()).resolves.toBe('FR76 3000 6000 0112 3456 7890 189');
      const box = await ibanCell.boundingBox();
      expect(box!.height).toBeLessThan(24);
      await shoot(page, `history-${w}x${h}`);
    }
    await page.setViewportSize({ width: 1360, height: 860 });

    // Search as displayed.
    const search = page.getByPlaceholder(/Counterparty, IBAN, reference/);
    for (const [q, n] of [
      ['12,500', 1],
      ['FR76 3000', 2],
      ['1,234,567.89', 2],
      ['−15,000', 1],
      ['-15,000', 1],
      ['fr7630006000', 2],
      ['invoice 2026', 1],
    ] as const) {
      await search.fill(q);
      await expect.poll(() => page.getByTestId('history-count').textContent(), { message: q }).toBe(`${n} of 4 transactions`);
    }
    await search.fill('');

    // A row opens its detail: every field, the signed message and the key it verified against.
    await page.locator(`.vtr[data-txid="${txid}"]`).click();
    await page.getByTestId('tx-detail').waitFor();
    await expect(page.getByTestId('tx-signed-data').textContent()).resolves.toMatch(new RegExp(`"status":"failed".*"txid":${txid}`));
    await expect(page.getByTestId('tx-detail').textContent()).resolves.toContain(server.backofficeAddress);
    await expect(page.getByTestId('tx-detail').textContent()).resolves.toMatch(/Beneficiary bank rejected the payment/);
    await shoot(page, 'history-detail');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('tx-detail').count()).resolves.toBe(0);

    // The dashboard: large balances fit their cards, no card overflows, at every size.
    await go(page, 'Dashboard');
    await page.getByTestId('latest-activity').waitFor();
    for (const [w, h] of [
      [1024, 700],
      [1360, 860],
      [2560, 1440],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(150);
      const overflowing = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.card, .balance-card, .balance-amount, .table td')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => `${el.className}: ${el.textContent}`),
      );
      expect(overflowing, `${w}×${h}`).toEqual([]);
      await shoot(page, `dashboard-${w}x${h}`);
    }
  });
});
