// Zoom and small windows: every screen at 200 % zoom of a 1280×800 window (640×400 CSS pixels) and in
// a 1024×700 window: no visible text cut off (by an overflow, an ellipsis or the window's edge) unless
// it sits in something the user can scroll; the sidebar collapses behind a Menu button; History's
// header scrolls with its body. Screenshots go to $TMPDIR/ccc-zoom-screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1';
import type { Page } from 'playwright-core';
import { loginAndRegister, browserAppPerTest, verifyAndFund, TEST_IBAN, clippedText } from '../helpers/ui';
import { newCustomer } from '../helpers/server';
import { signData } from '../../src/shared/node/message-signature';

const IBAN = TEST_IBAN;
const SHOTS = path.join(os.tmpdir(), 'ccc-zoom-screenshots');
const browserApp = browserAppPerTest();

const go = async (page: Page, screen: string) => {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) {
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  }
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: new RegExp(`^${screen}`) }).click();
};

describe('zoom and small windows', () => {
  it('200 % zoom (640×400) and 1024×700: nothing cut off on any screen; collapsible sidebar; history scrolls as one', async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const ui = await browserApp.start();
    const { page, app, server, proxy } = ui;
    const address = await loginAndRegister(ui);
    await verifyAndFund(ui, address, [
      { amount: '1250000.50', reference: 'Wire from the Frankfurt desk, quarterly liquidity' },
      { amount: '845210.75', currency: 'USD' },
    ]);
    const { client } = await newCustomer(server.url);
    const r = await app.core.prepareTransfer({ destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '48000.00', reference: 'Supplier invoice 7781' });
    await app.core.confirmTransfer(r.requestId);
    await app.core.dismissTransfer();
    const forger = secp256k1.utils.randomPrivateKey();
    const { canonical, signed } = signData({ txid: 999999, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'EUR', amount: '5000000.00' }, forger);
    proxy.inject(`{"msg":"transfer","data":${canonical},"signed":"${signed}"}`);
    await page.getByTestId('security-alerts').waitFor();
    // Toasts cover a corner of the window until dismissed (a security alert stays until then): dismiss them as a user would.
    await page.getByTestId('toasts-assertive').getByRole('button', { name: /^Dismiss/ }).first().waitFor();
    for (let n = await page.locator('.toast-close').count(); n > 0; n = await page.locator('.toast-close').count()) await page.locator('.toast-close').first().click();

    const problems: string[] = [];
    for (const [w, h] of [
      [640, 400],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      const narrow = w < 900;
      // The sidebar collapses behind a Menu button in a narrow window.
      await expect(page.getByRole('button', { name: 'Menu' }).isVisible(), `${w}×${h} menu button`).resolves.toBe(narrow);
      const screens: [string, () => Promise<void>][] = [
        ['dashboard', async () => void (await page.getByTestId('balances').waitFor())],
        ['history', async () => void (await page.locator('.vtr[data-txid]').first().waitFor())],
        [
          'transfer',
          async () => {
            await page.locator('input[name=destination]').fill('FR76 3000 6000 0112 3456 7890 189');
            await page.locator('input[name=amount]').fill('1250.00');
          },
        ],
        ['account', async () => void (await page.getByTestId('account-form').waitFor())],
        ['statements', async () => void (await page.getByTestId('export').waitFor())],
      ];
      for (const [name, ready] of screens) {
        await go(page, name[0].toUpperCase() + name.slice(1));
        await ready();
        if (narrow) await expect(page.getByRole('navigation', { name: 'Screens' }).isVisible(), `${name}: menu closes after choosing`).resolves.toBe(false);
        await page.waitForTimeout(100);
        for (const p of await clippedText(page)) problems.push(`${w}×${h} ${name}: ${p}`);
        if (name === 'history') await page.getByTestId('history-table').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SHOTS, `${w}x${h}-${name}.png`) });
        if (name === 'transfer') {
          await page.getByRole('button', { name: 'Review' }).click();
          await page.getByTestId('transfer-review').waitFor();
          for (const p of await clippedText(page)) problems.push(`${w}×${h} review: ${p}`);
          await page.screenshot({ path: path.join(SHOTS, `${w}x${h}-review.png`) });
          await page.getByRole('button', { name: 'Back' }).click();
          await page.getByTestId('transfer-form').waitFor();
        }
        if (name === 'history') {
          // Header and body scroll together sideways (one scroller), so headers stay over their columns.
          const aligned = await page.evaluate(() => {
            const sc = document.querySelector<HTMLElement>('[data-testid=history-table] .vscroll')!;
            sc.scrollLeft = sc.scrollWidth;
            const head = document.querySelector('.vtr.head .vth')!.getBoundingClientRect().left;
            const cell = document.querySelector('.vbody .vtr[data-txid] .vtd')!.getBoundingClientRect().left;
            return Math.abs(head - cell);
          });
          expect(aligned, `${w}×${h}: first header over first column after scrolling`).toBeLessThanOrEqual(1);
          await page.screenshot({ path: path.join(SHOTS, `${w}x${h}-history-scrolled-sideways.png`) });
        }
      }
      if (narrow) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.waitForTimeout(100);
        for (const p of await clippedText(page)) problems.push(`${w}×${h} menu open: ${p}`);
        await page.screenshot({ path: path.join(SHOTS, `${w}x${h}-menu.png`) });
        await expect(page.getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);
        await page.keyboard.press('Escape');
        await expect(page.getByRole('navigation', { name: 'Screens' }).isVisible()).resolves.toBe(false);
      }
    }
    await client.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
