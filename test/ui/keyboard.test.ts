// The app by keyboard alone, as a user who cannot use a mouse or who works with a screen reader:
// log in, register (with a mistake), make a transfer and export a statement with Tab, Enter, arrows
// and Alt+N only, checking at each step where focus lands — never on <body>.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAppPerTest, verifyAndFund } from '../helpers/ui';
import { newCustomer } from '../helpers/server';

const browserApp = browserAppPerTest();

/** What has focus, described as a screen reader would find it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    const testid = el.getAttribute('data-testid');
    const name = el.getAttribute('name');
    return `${el.tagName.toLowerCase()}${testid ? `[${testid}]` : ''}${name ? `(${name})` : ''}: ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}`;
  });

/** Presses Tab until the focused element matches (at most 40 times); fails if it never does. */
async function tabTo(page: Page, match: RegExp, key = 'Tab') {
  for (let i = 0; i < 40; i++) {
    if (match.test(await focused(page))) return;
    await page.keyboard.press(key);
  }
  throw new Error(`focus never reached ${match}; it is on ${await focused(page)}`);
}

describe('keyboard only', () => {
  it('login → register → transfer → export, with focus on the new heading or result at each step', { timeout: 120_000 }, async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    await page.getByTestId('connect').waitFor();

    // The Virtual Ledger's behaviour is a radio group: one Tab stop, arrow keys choose.
    await tabTo(page, /^button: Approves/);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => focused(page)).toMatch(/^button: Rejects/);
    await expect.poll(async () => (await app.core.getVirtualDevice())?.behaviour).toBe('reject');
    // Keys faster than the core answers (a busy machine): each arrow moves from the radio that has focus.
    // (It moved from the last answer: Right, Right, Left from a stale "Approves" chose "Dashboard", and a
    // login then waited for the Bitcoin app until the test timed out — the flaky login of this test.)
    await page.evaluate(() => {
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft']) document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    });
    await expect.poll(() => focused(page)).toMatch(/^button: Locked/);
    await expect.poll(async () => app.core.getVirtualDevice()).toMatchObject({ behaviour: 'locked' });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => focused(page)).toMatch(/^button: Approves/);
    await expect.poll(async () => app.core.getVirtualDevice()).toMatchObject({ behaviour: 'approve', appName: 'Bitcoin' });
    await expect.poll(() => page.getByRole('radio', { name: 'Approves' }).getAttribute('aria-checked')).toBe('true');

    // Log in.
    await tabTo(page, /^button\[connect\]/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    // A login is slow on a busy machine; if it never ends, say what the core was doing.
    await page
      .getByTestId('register-form')
      .waitFor({ timeout: 30_000 })
      .catch(async (e: Error) => {
        const snap = await app.core.getSnapshot();
        throw new Error(`${e.message}\ncore: ${JSON.stringify({ connection: snap.connection, loginStep: snap.loginStep, lastError: snap.lastError, device: snap.device, alerts: snap.alerts.map((a) => a.summary) })}\npage: ${(await page.locator('main').innerText().catch(() => '?')).slice(0, 500)}`);
      });
    expect(await focused(page)).toMatch(/^input\(name\)/);

    // Register with a bad email: submitting marks the invalid fields and focuses the first one.
    await page.keyboard.type('Müller & Søn Trading GmbH');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-an-email');
    await tabTo(page, /^button: Register/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^input\(email\)/);
    await expect(page.locator('input[name=email]').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('select[name=country]').getAttribute('aria-invalid')).resolves.toBe('true');
    // The error is the field's description, so a screen reader reads it with the field.
    await expect(page.locator('#register-email-error').textContent()).resolves.toBe('a valid email address');
    await expect(page.locator('input[name=email]').getAttribute('aria-describedby')).resolves.toBe('register-email-error');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('treasury@mueller.example');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toMatch(/^select\(country\)/);
    await page.keyboard.type('Germany');
    await expect(page.locator('select[name=country]').inputValue()).resolves.toBe('DE');
    await page.keyboard.press('Tab');
    await page.keyboard.type('EUR');
    await expect(page.locator('select[name=currency]').inputValue()).resolves.toBe('EUR');
    await tabTo(page, /^button: Register/);
    await page.keyboard.press('Enter');
    await page.getByTestId('kyc-pending').waitFor();
    // Registered: focus is on the dashboard's heading, not left on <body>.
    await expect.poll(() => focused(page)).toMatch(/^h1: Müller & Søn Trading GmbH/);

    await verifyAndFund(ui, (await app.core.getSnapshot()).address!, [{ amount: '5000.00' }]);

    // A skip link is the first Tab stop of a fresh window and jumps over the sidebar to the heading.
    await page.reload();
    await page.getByTestId('balances').getByText('5,000.00').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^a: Skip to content/);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatch(/^h1: Müller/);

    // Transfer: Alt+3 goes to the screen and its heading.
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await page.keyboard.press('Alt+3');
    await expect.poll(() => focused(page)).toMatch(/^h1: New transfer/);
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toMatch(/^input\(destination\)/);
    await page.keyboard.type(bob.address);
    await tabTo(page, /^input\(amount\)/);
    await page.keyboard.type('12.50');
    await tabTo(page, /^input\(reference\)/);
    await page.keyboard.type('Keyboard only');
    await tabTo(page, /^button: Review/);
    await page.keyboard.press('Enter');
    // Review: focus on the review's heading (the Review button is gone).
    await page.getByTestId('transfer-review').waitFor();
    await expect.poll(() => focused(page)).toMatch(/^h2: Your Ledger will show/);
    app.device.configure({ confirmDelayMs: 1_500 });
    await tabTo(page, /^button\[confirm-on-ledger\]/);
    await page.keyboard.press('Enter');
    // Waiting: the heading says what to do now.
    await expect.poll(() => focused(page)).toMatch(/^h2: Approve on your Ledger/);
    // Result: focus on the result's heading, announced as a status.
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor();
    await expect.poll(() => focused(page)).toMatch(/^h2: Transfer sent/);
    await expect(page.getByTestId('transfer-result').getAttribute('role')).resolves.toBe('status');
    expect((await bobClient.next((m) => m.msg === 'transfer')).data.reference).toBe('Keyboard only');
    await bobClient.close();

    // Export: Alt+5, Tab to Export, Enter; focus lands on the result (a status).
    await page.keyboard.press('Alt+5');
    await expect.poll(() => focused(page)).toMatch(/^h1: Export statement/);
    await tabTo(page, /^button\[export\]/);
    await page.keyboard.press('Enter');
    await page.getByTestId('statement-result').waitFor();
    await expect.poll(() => focused(page)).toMatch(/^div\[statement-result\]: Saved 2 entries/);
    await expect(page.getByTestId('statement-result').getAttribute('role')).resolves.toBe('status');
  });
});
