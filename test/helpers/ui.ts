// A real app in a real browser: a ccc-server, a WebSocket proxy in front of it (to inject forged
// frames), the app core with the virtual Ledger behind the dev bridge, and Debian's Chromium.
import { afterEach, expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, tempDir, testRules } from './server';
import { WsProxy } from './ws-proxy';
import { runAppInBrowser, type BrowserApp } from '../../src/devbridge/run-app-in-browser';
import type { ServerProcess } from '../../src/server/serve';
import type { Rules } from '../../src/server/backoffice/config';
import { formatAmount, parseWireAmount } from '../../src/shared/money';
import { localizeDecimal } from '../../src/renderer/src/locale';
import type { CurrencyCode } from '../../src/shared/currencies';

/** The IBAN deposits come from in the UI tests. */
export const TEST_IBAN = 'DE89370400440532013000';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'];

export interface Ui {
  server: ServerProcess;
  proxy: WsProxy;
  app: BrowserApp;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startUi(opts: { rules?: Rules } = {}): Promise<Ui> {
  // The proxy is the server's public front (its host is named in the login text), so it can inject frames.
  const proxy = await WsProxy.listen();
  const server = await startTestServer({ rules: opts.rules ?? testRules(), publicUrl: proxy.url });
  proxy.target = server.url;
  const app = await runAppInBrowser({ endpoint: proxy.url, trustedAddress: server.backofficeAddress, dataDir: tempDir('ccc-ui-app-'), exportDir: tempDir('ccc-ui-export-') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultTimeout(15_000);
  await page.goto(app.bridge.url);
  return {
    server,
    proxy,
    app,
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close();
      await app.close();
      await proxy.close();
      await server.close();
    },
  };
}

/** Logs in through the UI and registers the account; returns the signing address. */
export async function loginAndRegister(ui: Ui, currency = 'EUR'): Promise<string> {
  const { page } = ui;
  await page.getByTestId('connect').click();
  await page.getByTestId('register-form').waitFor();
  await page.getByLabel('Full legal name').fill('Müller & Søn Trading GmbH');
  await page.getByLabel('Email').fill('treasury@mueller.example');
  await page.getByLabel('Country of residence').selectOption('DE');
  await page.getByLabel('Preferred currency').selectOption(currency);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByTestId('kyc-pending').waitFor();
  return (await ui.app.core.getSnapshot()).address!;
}

export interface TestDeposit {
  amount: string;
  currency?: CurrencyCode;
  reference?: string;
  from?: string;
}

/**
 * KYC-verifies the account and makes these deposits (EUR from TEST_IBAN unless said), then waits until
 * the dashboard shows the IBAN and each currency's new balance (written in the page's locale).
 */
export async function verifyAndFund(ui: Ui, address: string, deposits: TestDeposit[]): Promise<void> {
  const { server, app, page } = ui;
  await server.backOffice.admin({ command: 'verify', address });
  const totals = new Map<CurrencyCode, bigint>();
  for (const d of deposits) {
    const currency = d.currency ?? 'EUR';
    await server.backOffice.admin({ command: 'deposit', to: address, from: d.from ?? TEST_IBAN, currency, amount: d.amount, ...(d.reference ? { reference: d.reference } : {}) });
    totals.set(currency, (totals.get(currency) ?? 0n) + parseWireAmount(d.amount, currency));
  }
  await app.core.refreshAccount();
  await page.getByTestId('iban').waitFor();
  const locale = await page.evaluate(() => document.documentElement.lang || 'en-US');
  for (const [currency, minor] of totals) {
    const shown = page.getByTestId('balances').locator(`[data-currency="${currency}"] .balance-amount`);
    await expect.poll(() => shown.textContent(), { timeout: 15_000 }).toBe(localizeDecimal(formatAmount(minor, currency), locale));
  }
}

/** Logs in, registers, verifies and funds the account with one EUR deposit; returns the signing address. */
export async function loginVerifiedAndFunded(ui: Ui, amount = '5000.00', reference?: string): Promise<string> {
  const address = await loginAndRegister(ui);
  await verifyAndFund(ui, address, [{ amount, reference }]);
  return address;
}

/** Visible text that is cut off: by its own overflow or ellipsis, or by a non-scrolling ancestor / the window. */
export function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const scrollsX = (e: Element) => {
      const s = getComputedStyle(e);
      return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest('.visually-hidden, .skip-link, option, select, script, style, details:not([open]) > :not(summary)')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      const label = `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent!.trim().slice(0, 50)}`;
      const s = getComputedStyle(el);
      if (s.display !== 'inline' && s.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && !scrollsX(el)) {
        out.push(`overflows ${label}`);
        continue;
      }
      // Cut by an ancestor that hides its overflow, or by the window, unless a scroller in between lets the user reach it.
      for (let a = el.parentElement; a; a = a.parentElement) {
        if (scrollsX(a)) break;
        const as = getComputedStyle(a);
        const ar = a === document.body ? { left: 0, right: innerWidth } : a.getBoundingClientRect();
        if ((as.overflowX !== 'visible' || a === document.body) && (r.right > ar.right + 1 || r.left < ar.left - 1)) {
          out.push(`cut by ${a.tagName.toLowerCase()}.${a.className} ${label}`);
          break;
        }
      }
    }
    if (document.documentElement.scrollWidth > innerWidth + 1) {
      const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      out.push(`window scrolls sideways (${document.documentElement.scrollWidth} > ${innerWidth}): ${wide.slice(0, 5).join(', ')}`);
    }
    return out;
  });
}

/** Opens a screen from the sidebar, by its visible name. */
export const go = (page: Page, screen: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: new RegExp(`^${screen}`) }).click();

/**
 * One browser app per test: `start()` opens it; after each test it is closed, and the test fails if
 * the page threw an error.
 */
export function browserAppPerTest(): { start(opts?: Parameters<typeof startUi>[0]): Promise<Ui> } {
  let ui: Ui | null = null;
  afterEach(async () => {
    const u = ui;
    ui = null;
    if (!u) return;
    const errors = [...u.pageErrors];
    await u.close();
    expect(errors).toEqual([]);
  });
  return { start: async (opts) => (ui = await startUi(opts)) };
}
