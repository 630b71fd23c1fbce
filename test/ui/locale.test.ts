// The user's locale: a German user (chosen in Account) sees and types amounts, counts and dates the
// German way, while what is sent and what the Ledger shows stay the canonical ASCII decimal.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loginVerifiedAndFunded, go, browserAppPerTest } from '../helpers/ui';
import { newCustomer } from '../helpers/server';

/** The same, once the app speaks German. */
const geh = (page: Page, screen: string) => page.getByRole('navigation', { name: 'Bereiche' }).getByRole('button', { name: new RegExp(`^${screen}`) }).click();
const browserApp = browserAppPerTest();

describe('locale', () => {
  it('de-DE chosen in Account: amounts, counts and dates in German form; "1.234,56" typed, 1234.56 sent', async () => {
    const ui = await browserApp.start();
    const { page, app, server } = ui;
    // The browser's locale (en-US here) is the default: the helper waits for "1,234,567.89".
    const address = await loginVerifiedAndFunded(ui, '1234567.89');

    await go(page, 'Account');
    await page.getByTestId('locale-setting').getByLabel('Language and format').selectOption('de-DE');
    await expect.poll(() => page.getByTestId('locale-example').textContent()).toMatch(/^1\.234\.567,89 · \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} \(de-DE\)/);
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('de-DE');
    // The words follow (the shell, lock, register and these settings are translated so far).
    await expect(page.getByTestId('locale-setting').getByRole('heading').textContent()).resolves.toBe('Sprache, Zahlen und Datum');
    await expect(page.getByRole('button', { name: 'Abmelden' }).isVisible()).resolves.toBe(true);
    await geh(page, 'Übersicht');
    await page.getByTestId('balances').getByText('1.234.567,89').waitFor();
    await geh(page, 'Verlauf');
    // History and its detail panel speak German too (issue 15).
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('1 von 1 Transaktionen');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Verlauf');
    await expect(page.getByPlaceholder(/Gegenpartei, IBAN, Referenz/).isVisible()).resolves.toBe(true);
    // The longer German status words fit their column.
    await page.locator('.vtr[data-txid] .badge').first().waitFor();
    const cells = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.vbody .vtd, .vbody .vtd *')].filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline').map((el) => el.textContent),
    );
    expect(cells).toEqual([]);
    await expect(page.locator('.vtr[data-txid] .badge').first().textContent()).resolves.toBe('abgeschlossen');
    await expect(page.locator('.vtr[data-txid]').first().textContent()).resolves.toMatch(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}.*\+1\.234\.567,89/);
    // Search matches what is shown, in the locale's form.
    await page.getByRole('searchbox').fill('1.234.567,89');
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('1 von 1 Transaktionen');
    await page.getByRole('searchbox').fill('');
    await page.locator('.vtr[data-txid]').first().click();
    await expect(page.getByTestId('tx-detail').getByRole('heading', { level: 2 }).textContent()).resolves.toMatch(/^Transaktion #\d+$/);
    await expect.poll(() => page.getByTestId('tx-detail').textContent()).toMatch(/Eingang.*Bankkonto \(IBAN\).*✓ geprüft mit dem Back-Office-Schlüssel/);
    await page.getByTestId('tx-detail').getByRole('button', { name: 'Schließen' }).click();

    const { id: bob, client: bobClient } = await newCustomer(server.url);
    await geh(page, 'Überweisung');
    await page.locator('input[name=destination]').fill(bob.address);
    // The English form is refused rather than guessed…
    await page.locator('input[name=amount]').fill('1,234.56');
    await expect.poll(() => page.getByTestId('transfer-form').textContent()).toMatch(/Geben Sie den Betrag so ein, wie Sie ihn hier schreiben, z\. B\. 25\.000,00\./);
    // …the German one is read, and the canonical value it sends is shown.
    await page.locator('input[name=amount]').fill('1.234,56');
    await expect.poll(() => page.getByTestId('amount-canonical').textContent()).toBe('Gesendet als 1234.56 EUR');
    await page.getByRole('button', { name: 'Prüfen' }).click();
    // The review shows both: the German form, and exactly what the Ledger shows (canonical ASCII).
    await expect.poll(() => page.getByTestId('transfer-compare').textContent()).toMatch(/1\.234,56 EUR.*1234\.56 EUR/);
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=complete]').waitFor();
    await expect(page.getByTestId('transfer-result').getByRole('heading').textContent()).resolves.toBe('Überweisung gesendet');
    expect(app.device.displayLog.at(-1)!.screens.join(' ')).toMatch(/1234\.56 EUR/);
    expect((await bobClient.next((m) => m.msg === 'transfer')).data.amount).toBe('1234.56');
    await bobClient.close();

    // The choice is kept for this window; "As the system" goes back to the browser's locale.
    await page.reload();
    await page.getByTestId('balances').getByText('1.233.333,33').waitFor();
    await geh(page, 'Konto Alt');
    await page.getByTestId('locale-setting').getByLabel('Sprache und Format').selectOption('');
    await go(page, 'Dashboard');
    await page.getByTestId('balances').getByText('1,233,333.33').waitFor();
  }, 90_000);
});
