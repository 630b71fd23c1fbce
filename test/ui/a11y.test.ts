// Accessibility, checked by axe-core (Deque's engine) inside Chromium on every screen and state a
// user can reach — login and its errors, register with errors, dashboard, history with and without
// filters, a transaction's detail, the transfer form / review / waiting / result, account,
// statements, a security alert and the lock screen — in the light and the dark theme. Critical and
// serious violations fail the test; moderate ones are listed in docs/app.md.
import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1';
import { go, browserAppPerTest, verifyAndFund, TEST_IBAN } from '../helpers/ui';
import { newCustomer } from '../helpers/server';
import { signData } from '../../src/shared/node/message-signature';
import { audit, type Finding } from '../helpers/axe';

const IBAN = TEST_IBAN;

const browserApp = browserAppPerTest();

describe('accessibility (axe-core) on every screen, light and dark', () => {
  it('has no critical or serious violations anywhere', async () => {
    const ui = await browserApp.start();
    const { page, app, server, proxy } = ui;
    const all: Finding[] = [];
    const check = async (state: string) => all.push(...(await audit(page, state)));

    await page.getByTestId('connect').waitFor();
    await check('login');
    app.device.configure({ behaviour: 'locked' });
    await page.getByTestId('connect').click();
    await page.getByTestId('login-error').waitFor();
    await check('login error');
    app.device.configure({ behaviour: 'approve' });
    await page.getByTestId('connect').click();

    await page.getByTestId('register-form').waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel(/Phone/).fill('12');
    await page.getByLabel('Full legal name').click();
    await expect.poll(() => page.getByTestId('register-form').textContent()).toMatch(/a valid email address/);
    await check('register with errors');
    await page.getByLabel(/Phone/).fill('');
    await page.getByLabel('Full legal name').fill('Müller & Søn Trading GmbH');
    await page.getByLabel('Email').fill('treasury@mueller.example');
    await page.getByLabel('Country of residence').selectOption('DE');
    await page.getByLabel('Preferred currency').selectOption('EUR');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByTestId('kyc-pending').waitFor();
    await check('dashboard unverified');

    const address = (await app.core.getSnapshot()).address!;
    await verifyAndFund(ui, address, [{ amount: '5000.00', reference: 'Seed' }]);
    await check('dashboard');

    await go(page, 'History');
    await page.locator('.vtr[data-txid]').first().waitFor();
    await check('history');
    await page.locator('.vtr[data-txid]').first().click();
    await page.getByTestId('tx-detail').waitFor();
    await check('transaction detail');
    await page.getByTestId('tx-detail').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('searchbox').fill('nothing matches this');
    await page.getByText('No transactions match these filters.').waitFor();
    await check('history filtered');

    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await go(page, 'Transfer');
    await page.getByTestId('transfer-form').waitFor();
    await page.locator('input[name=destination]').fill('DE89 3704 0044 0532 0130 01');
    await page.locator('input[name=amount]').fill('1250.555');
    await page.locator('input[name=reference]').click();
    await check('transfer form with errors');
    await page.locator('input[name=destination]').fill(bob.address);
    await page.locator('input[name=amount]').fill('12.50');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('transfer-review').waitFor();
    await check('transfer review');
    app.device.configure({ confirmDelayMs: 5_000 });
    await page.getByTestId('confirm-on-ledger').click();
    await page.getByTestId('cancel-on-ledger').waitFor();
    await check('transfer waiting for the device');
    app.device.configure({ confirmDelayMs: 0 });
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor({ timeout: 30_000 });
    await check('transfer result');
    await bobClient.close();

    await go(page, 'Account');
    await page.getByTestId('account-form').waitFor();
    await check('account');
    await go(page, 'Statements');
    await page.getByTestId('export').click();
    await page.getByTestId('statement-result').waitFor();
    await check('statements');

    const forger = secp256k1.utils.randomPrivateKey();
    const { canonical, signed } = signData({ txid: 999999, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'EUR', amount: '5000000.00' }, forger);
    proxy.inject(`{"msg":"transfer","data":${canonical},"signed":"${signed}"}`);
    await go(page, 'Dashboard');
    await page.getByTestId('security-alerts').waitFor();
    // Announced assertively, in the banner and in a toast that stays until dismissed.
    await expect(page.getByTestId('security-alerts').getAttribute('role')).resolves.toBe('alert');
    await expect(page.getByTestId('toasts-assertive').textContent()).resolves.toMatch(/Security alert/);
    await check('security alert');
    await page.getByTestId('toasts-assertive').getByRole('button', { name: /^Dismiss: Security alert/ }).click();
    await expect(page.getByTestId('toasts-assertive').textContent()).resolves.toBe('');

    // At 200 % zoom of 1280×800 (640×400 CSS px): the collapsed sidebar, closed and open.
    await page.setViewportSize({ width: 640, height: 400 });
    await check('dashboard at 200 % zoom');
    await page.getByRole('button', { name: 'Menu' }).click();
    await check('menu open at 200 % zoom');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1360, height: 860 });

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByTestId('lock-screen').waitFor();
    await check('lock screen');

    const blocking = all.filter((f) => f.impact === 'critical' || f.impact === 'serious');
    const rest = all.filter((f) => !blocking.includes(f));
    if (rest.length) console.log('axe, moderate/minor:', JSON.stringify([...new Set(rest.map((f) => `${f.id} (${f.impact}): ${f.targets.join(', ')}`))], null, 1));
    expect([...new Set(blocking.map((f) => `${f.id} (${f.impact}, ${f.theme}) in ${f.state}: ${f.targets.join(', ')}`))]).toEqual([]);
  }, 180_000);
});
