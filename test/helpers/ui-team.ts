// More Ledgers in the same browser test (docs/team-treasury.md): each member is its own app core with
// its own simulated Ledger (another seed) behind its own dev bridge, in a page of the same Chromium,
// against the same server. Page errors count as the main page's do.
import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { tempDir } from './server';
import type { Ui } from './ui';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { runAppInBrowser, type BrowserApp } from '../../src/devbridge/run-app-in-browser';

export interface Member {
  app: BrowserApp;
  page: Page;
  device: SimulatedLedger;
  address: string;
  close(): Promise<void>;
}

/** Another Ledger's app, logged in (its key has no account of its own: the register screen shows). */
export async function memberApp(ui: Ui): Promise<Member> {
  const device = new SimulatedLedger({ mnemonic: generateMnemonic(wordlist) });
  const app = await runAppInBrowser({ endpoint: ui.proxy.url, trustedAddress: ui.server.backofficeAddress, dataDir: tempDir('ccc-ui-member-'), exportDir: tempDir('ccc-ui-member-export-'), device });
  const page = await ui.browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('pageerror', (e) => ui.pageErrors.push(e.message));
  page.setDefaultTimeout(15_000);
  await page.goto(app.bridge.url);
  await page.getByTestId('connect').click();
  await page.getByTestId('register-form').waitFor();
  const address = (await app.core.getSnapshot()).address!;
  return {
    app,
    page,
    device,
    address,
    close: async () => {
      await page.close();
      await app.close();
    },
  };
}

/** Acts for the company account from the account switcher (on the register screen or the Team screen). */
export async function actFor(page: Page, company: string): Promise<void> {
  await page.getByTestId('company-address').fill(company);
  await page.getByTestId('account-switcher').getByRole('button', { name: 'Switch' }).click();
  await page.getByTestId('acting-for').waitFor();
}

/** Opens a tab of the Team screen. */
export async function teamTab(page: Page, tab: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Team/ }).click();
  await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
}

/** Waits for a device-signed team request's outcome and checks it. */
export async function expectOutcome(page: Page, text: RegExp): Promise<void> {
  await expect.poll(() => page.getByTestId('team-result').textContent(), { timeout: 15_000 }).toMatch(text);
}
