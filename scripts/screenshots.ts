// `npm run screenshots`: every screen of the app, light and dark, plus the history with 100,000
// rows, rendered by Debian's Chromium against a real sandbox server, the real core and the virtual
// Ledger. Output: screenshots/*.png. Set SCREENSHOT_ROWS to change the size of the big history.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../src/server/serve';
import { runAppInBrowser } from '../src/devbridge/run-app-in-browser';
import { newCustomer, tempDir, testRules } from '../test/helpers/server';
import { WsProxy } from '../test/helpers/ws-proxy';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/ui';
import { signData } from '../src/shared/node/message-signature';
import { secp256k1 } from '@noble/curves/secp256k1';
import { teamShots } from './screenshots-team';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outDir = path.join(root, 'screenshots');
const only = process.argv.includes('--quick');
const BIG = Number(process.env.SCREENSHOT_ROWS ?? 100_000);
const IBAN = 'DE89370400440532013000';


async function shot(page: Page, name: string, theme: 'light' | 'dark') {
  await page.evaluate((t) => {
    localStorage.setItem('ccc-theme', t);
    window.dispatchEvent(new CustomEvent('ccc-set-theme', { detail: t }));
  }, theme);
  await page.waitForTimeout(150);
  const file = path.join(outDir, `${name}-${theme}.png`);
  await page.screenshot({ path: file });
  console.log(`  ${path.relative(root, file)}`);
}

async function both(page: Page, name: string) {
  await shot(page, name, 'light');
  await shot(page, name, 'dark');
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(root, 'vite.renderer.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  const proxy = await WsProxy.listen();
  const server = await startServer({ port: 0, dataDir: tempDir('ccc-shots-'), rules: testRules({ rails: { settleDelayMs: 0 } }), publicUrl: proxy.url });
  proxy.target = server.url;
  const app = await runAppInBrowser({ endpoint: proxy.url, trustedAddress: server.backofficeAddress, dataDir: tempDir('ccc-shots-app-'), exportDir: tempDir('ccc-shots-export-') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  try {
    await page.goto(app.bridge.url);
    await page.getByTestId('connect').waitFor();
    await both(page, '01-connect');

    // A failed login, in plain words.
    app.device.configure({ behaviour: 'locked' });
    await page.getByTestId('connect').click();
    await page.getByTestId('login-error').waitFor();
    await both(page, '02-connect-device-locked');
    app.device.configure({ behaviour: 'approve', confirmDelayMs: 2500 });

    // The login confirmation: the device shows the login text naming the host the user chose.
    await page.getByTestId('connect').click();
    await page.getByTestId('device-screens').getByText(/CCC login to/).waitFor();
    await shot(page, '02b-connect-confirm-login', 'light');
    await page.getByTestId('register-form').waitFor({ timeout: 15_000 });
    await page.getByLabel('Full legal name').fill('Helvetia Digital Exchange AG');
    await page.getByLabel('Email').fill('treasury@helvetia-dx.example');
    await page.getByLabel('Country of residence').selectOption('CH');
    await page.getByLabel('Preferred currency').selectOption('CHF');
    await page.getByLabel(/Phone/).fill('+41 44 668 18 00');
    await both(page, '03-register');
    await page.getByRole('button', { name: 'Register' }).click();
    // Once per account: the device confirms the policy that every transfer needs it.
    await page.getByTestId('protect-account').waitFor();
    await shot(page, '03b-register-protect-account', 'light');
    await page.getByTestId('kyc-pending').waitFor({ timeout: 15_000 });
    await page.getByTestId('protect-account').waitFor({ state: 'detached', timeout: 15_000 });
    app.device.configure({ confirmDelayMs: 0 });
    await both(page, '04-dashboard-unverified');

    const address = (await app.core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address });
    await app.core.refreshAccount();
    for (const [cur, amount, ref] of [
      ['CHF', '2500000.00', 'Initial funding'],
      ['EUR', '1250000.50', 'Wire from Frankfurt desk'],
      ['USD', '845210.75', 'USD settlement'],
      ['JPY', '15000000', 'JPY liquidity'],
    ] as const) {
      await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: cur, amount, reference: ref });
    }
    const { id: peer, client } = await newCustomer(server.url, { name: 'Panama Crypto Markets S.A.' });
    await page.waitForTimeout(500);
    // A few transfers for the activity list: internal, and IBAN payouts complete / failed / pending.
    for (const [dest, cur, amount, ref] of [
      [peer.address, 'CHF', '125000.00', 'OTC settlement 2026-118'],
      ['FR7630006000011234567890189', 'EUR', '48000.00', 'Supplier invoice 7781'],
      ['GB60BARC20000055779911', 'USD', '15000.00', 'Payroll'],
    ] as const) {
      const r = await app.core.prepareTransfer({ destination: dest, currency: cur, amount, reference: ref });
      const o = await app.core.confirmTransfer(r.requestId);
      if (o.status !== 'sent') throw new Error(`transfer ${ref}: ${JSON.stringify(o)}`);
    }
    const txs = await app.core.getTransactions();
    const eurPayout = txs.find((t) => t.currency === 'EUR' && t.direction === 'out')!;
    const usdPayout = txs.find((t) => t.currency === 'USD' && t.direction === 'out')!;
    await server.backOffice.admin({ command: 'settle', txid: eurPayout.txid, outcome: 'complete' });
    await server.backOffice.admin({ command: 'settle', txid: usdPayout.txid, outcome: 'failed', reason: 'Beneficiary account closed' });
    const pending = await app.core.prepareTransfer({ destination: 'NL91ABNA0417164300', currency: 'EUR', amount: '9999.99', reference: 'Office rent' });
    await app.core.confirmTransfer(pending.requestId);
    await app.core.dismissTransfer(); // made behind the screen's back: its result is not the user's to see
    await page.reload();
    await page.getByTestId('balances').waitFor();
    await page.waitForTimeout(400);
    await both(page, '05-dashboard');

    await page.getByRole('button', { name: /^History/ }).click();
    await page.getByTestId('history-table').waitFor();
    await both(page, '06-history');
    // A row's detail: its proof, the user's own note, the receipt; "export these" above the table.
    await page.getByTestId('history-table').getByText('Supplier invoice 7781').click();
    await page.getByTestId('tx-detail').waitFor();
    await page.getByTestId('tx-detail').getByLabel(/Your note/).fill('Matched with PO-7781, approved by Anna');
    await page.getByTestId('tx-detail').getByLabel('Labels').fill('#suppliers #q4');
    await page.getByTestId('tx-detail').getByRole('button', { name: 'Save note' }).click();
    await page.getByTestId('tx-detail').getByText('Saved.').waitFor();
    await both(page, '06b-history-detail-note');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: /^Transfer/ }).click();
    await page.getByTestId('transfer-form').waitFor();
    await page.locator('input[name=destination]').fill('DE89 3704 0044 0532 0130 01');
    await page.locator('input[name=amount]').fill('1250.555');
    await page.waitForTimeout(200);
    await both(page, '07-transfer-invalid');
    await page.locator('input[name=destination]').fill(peer.address);
    await page.locator('input[name=amount]').fill('25000');
    await page.getByLabel(/Reference/).fill('Liquidity rebalance');
    await both(page, '08-transfer-form');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('transfer-review').waitFor();
    await both(page, '09-transfer-review');
    app.device.configure({ confirmDelayMs: 2500 });
    await page.getByTestId('confirm-on-ledger').click();
    await page.getByText('Waiting for your approval').waitFor();
    await shot(page, '10-transfer-confirm-on-ledger', 'light');
    await page.getByTestId('transfer-result').waitFor({ timeout: 15_000 });
    app.device.configure({ confirmDelayMs: 0 });
    await both(page, '11-transfer-sent');
    await page.getByRole('button', { name: 'New transfer' }).click();
    await page.locator('input[name=destination]').fill(peer.address);
    await page.locator('input[name=amount]').fill('10');
    await page.getByRole('button', { name: 'Review' }).click();
    app.device.configure({ behaviour: 'reject' });
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=rejected]').waitFor();
    app.device.configure({ behaviour: 'approve' });
    await both(page, '12-transfer-rejected-on-device');

    await page.getByRole('button', { name: /^Account/ }).click();
    await page.getByTestId('account-form').waitFor();
    await page.getByLabel('Country of residence').selectOption('PA');
    await both(page, '13-account-reverify-warning');
    await page.getByLabel('Country of residence').selectOption('CH');

    await page.getByRole('button', { name: /^Statements/ }).click();
    await page.getByTestId('export').click();
    await page.getByTestId('statement-result').waitFor();
    await both(page, '14-statement-exported');

    // A forged deposit: refused, alerted, balances untouched.
    const forger = secp256k1.utils.randomPrivateKey();
    const { canonical, signed } = signData({ txid: 999999, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'CHF', amount: '5000000.00' }, forger);
    proxy.inject(`{"msg":"transfer","data":${canonical},"signed":"${signed}"}`);
    await page.getByRole('button', { name: /^Dashboard/ }).click();
    await page.getByTestId('security-alerts').waitFor();
    await page.waitForTimeout(300);
    await both(page, '15-security-alert');

    // A genuine, validly signed transfer of another account passed on by a hostile endpoint: refused too.
    await server.backOffice.admin({ command: 'verify', address: peer.address });
    await server.backOffice.admin({ command: 'deposit', to: peer.address, from: IBAN, currency: 'USD', amount: '777.00' });
    const foreign = await client.next((m) => m.msg === 'transfer' && m.data.amount === '777.00');
    proxy.inject(foreign.raw);
    await page.getByText('Not for this request').first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, '16-security-alert-misbound', 'light');

    // German (de-DE, as chosen in Account → Language and format): words, amounts and dates.
    await page.evaluate(() => localStorage.setItem('ccc-locale', 'de-DE'));
    await page.reload();
    await page.getByTestId('balances').waitFor();
    await page.waitForTimeout(400);
    await both(page, '18-dashboard-de');
    await page.getByRole('button', { name: /^Verlauf/ }).click();
    await page.getByTestId('history-table').waitFor();
    await shot(page, '19-history-de', 'light');
    await page.getByRole('button', { name: /^Kontoauszüge/ }).click();
    await page.getByTestId('export').click();
    await page.getByTestId('statement-result').waitFor();
    await both(page, '20-statements-de');
    // The Transfer wizard in German: details with a refusal, review, result.
    await page.getByRole('button', { name: /^Überweisung/ }).click();
    await page.getByTestId('transfer-form').or(page.getByTestId('transfer-result')).waitFor();
    if (await page.getByTestId('transfer-result').isVisible()) await page.getByRole('button', { name: 'Verwerfen' }).click();
    await page.getByTestId('transfer-form').waitFor();
    await page.locator('input[name=destination]').fill('DE89 3704 0044 0532 0130 01');
    await page.locator('input[name=amount]').fill('1.250,555');
    await page.waitForTimeout(200);
    await both(page, '20b-transfer-invalid-de');
    await page.locator('input[name=destination]').fill(peer.address);
    await page.locator('input[name=amount]').fill('1.250,00');
    await page.getByLabel(/Verwendungszweck/).fill('Liquiditaet Oktober');
    await page.getByRole('button', { name: 'Prüfen' }).click();
    await page.getByTestId('transfer-review').waitFor();
    await both(page, '20c-transfer-review-de');
    await page.getByTestId('confirm-on-ledger').click();
    await page.getByTestId('transfer-result').waitFor({ timeout: 15_000 });
    await both(page, '20d-transfer-sent-de');
    await page.getByRole('button', { name: 'Neue Überweisung' }).click();
    // Account → Sicherheit (the idle lock) and the sidebar's virtual Ledger, opened.
    await page.getByRole('button', { name: /^Konto Alt/ }).click();
    await page.getByTestId('idle-lock-setting').scrollIntoViewIfNeeded();
    await page.getByTestId('virtual-device').locator('summary').click();
    await both(page, '20e-account-security-de');
    await page.getByTestId('virtual-device').locator('summary').click();
    // The login screen in German, with the virtual Ledger panel and a refused login.
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByTestId('connect').waitFor();
    await both(page, '20f-connect-de');
    app.device.configure({ behaviour: 'locked' });
    await page.getByTestId('connect').click();
    await page.getByTestId('login-error').waitFor();
    await both(page, '20g-connect-device-locked-de');
    app.device.configure({ behaviour: 'approve' });
    await page.getByTestId('connect').click();
    await page.evaluate(() => localStorage.removeItem('ccc-locale'));
    await page.reload();
    await page.getByTestId('balances').waitFor();

    // 200 % zoom of 1280×800 (640×400 CSS px) and a 1024×700 window.
    await page.setViewportSize({ width: 640, height: 400 });
    await page.waitForTimeout(300);
    await both(page, '21-zoom200-dashboard');
    await page.getByRole('button', { name: 'Menu' }).click();
    await shot(page, '22-zoom200-menu', 'dark');
    await page.getByRole('button', { name: /^History/ }).click();
    await page.getByTestId('history-table').scrollIntoViewIfNeeded();
    await shot(page, '23-zoom200-history', 'light');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.getByRole('button', { name: /^Transfer/ }).click();
    await page.getByTestId('transfer-form').or(page.getByTestId('transfer-result')).waitFor();
    await both(page, '24-1024x700-transfer');
    await page.setViewportSize({ width: 1360, height: 860 });

    // A team's treasury: members with their own Ledgers, the approval queue, policy, beneficiaries, audit trail.
    await teamShots({ server, endpoint: proxy.url, owner: app, page, browser, shot });

    if (!only) {
      console.log(`seeding ${BIG.toLocaleString('en-US')} transactions for the big history…`);
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < BIG; i++) {
        batch.push(server.backOffice.admin({ command: 'deposit', to: address, from: i % 2 ? IBAN : 'GB33BUKB20201555555555', currency: i % 3 ? 'EUR' : 'USD', amount: `${(i % 9000) + 1}.${String(i % 100).padStart(2, '0')}`, reference: `Batch ${i}` }));
        if (batch.length === 2000) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
      await app.core.logout();
      await page.reload();
      await page.getByTestId('connect').click();
      await page.getByTestId('history-count').or(page.getByTestId('balances')).waitFor({ timeout: 300_000 });
      await page.getByRole('button', { name: /^History/ }).click();
      await page.getByTestId('history-count').getByText(/^\d[\d,]* of/).waitFor({ timeout: 300_000 });
      await page.waitForTimeout(500);
      await both(page, '16-history-100k');
      await page.locator('.vbody').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
      await page.waitForTimeout(300);
      await shot(page, '17-history-100k-scrolled', 'dark');
    }
    await client.close();
  } finally {
    await browser.close();
    await app.close();
    await proxy.close();
    await server.close();
  }
}

await main();
