// The team treasury's screens (docs/team-treasury.md) for `npm run screenshots`, light and dark, English
// and German: an owner's Team tabs (approval queue, members, policy, beneficiaries, audit trail), a transfer
// awaiting approval, and a second Ledger's dashboard and queue. Run alone: `npx tsx scripts/screenshots-team.ts`
// (writes screenshots/30-*.png … with its own server).
import fs from 'node:fs';
import path from 'node:path';
import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type ServerProcess } from '../src/server/serve';
import { runAppInBrowser, type BrowserApp } from '../src/devbridge/run-app-in-browser';
import { SimulatedLedger } from '../src/main/device/simulated-device';
import { SANDBOX_PROFILE_ID } from '../src/main/core/app-core';
import { tempDir, testRules } from '../test/helpers/server';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/ui';

type Shot = (page: Page, name: string, theme: 'light' | 'dark') => Promise<void>;

/**
 * `owner` is logged in on `page`, verified and funded in EUR; the rest is made here through the owner's core
 * (members, policy, a beneficiary) and a second Ledger's app on `endpoint`.
 */
export async function teamShots(o: { server: ServerProcess; endpoint: string; owner: BrowserApp; page: Page; browser: Browser; shot: Shot }): Promise<void> {
  const { server, owner, page, browser, shot } = o;
  const both = async (p: Page, name: string) => (await shot(p, name, 'light'), await shot(p, name, 'dark'));
  const company = (await owner.core.getSnapshot()).address!;
  const member = await runAppInBrowser({ endpoint: o.endpoint, trustedAddress: server.backofficeAddress, dataDir: tempDir('ccc-shots-member-'), exportDir: tempDir('ccc-shots-member-export-'), device: new SimulatedLedger({ mnemonic: generateMnemonic(wordlist) }) });
  const viewerDevice = new SimulatedLedger({ mnemonic: generateMnemonic(wordlist) });
  const mpage = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
  mpage.on('pageerror', (e) => console.error('member page error:', e.message));
  try {
    const approver = (await member.core.login(SANDBOX_PROFILE_ID)).address!;
    await owner.core.setTeamMember({ member: approver, role: 'approver' });
    await owner.core.setTeamMember({ member: viewerDevice.addressAt("84'/0'/0'/0/0", 'p2wpkh', 'mainnet'), role: 'viewer' });
    await owner.core.setTeamPolicy({ approvals: 1, above: { EUR: '10000.00', USD: '10000.00' }, newBeneficiaryNeedsApproval: true, adminChangesNeedSecondAdmin: false });
    await owner.core.addBeneficiary({ name: 'Lieferant SARL', destination: 'FR7630006000011234567890189' });
    await owner.core.addBeneficiary({ name: 'Müller Logistik GmbH', destination: 'DE89370400440532013000' });

    // The owner's transfer above the threshold: chosen from the book, reviewed with the name, waiting.
    await page.getByRole('button', { name: /^Dashboard/ }).click();
    await page.getByRole('button', { name: /^Transfer/ }).click();
    await page.getByTestId('transfer-form').or(page.getByTestId('transfer-result')).waitFor();
    if (await page.getByTestId('transfer-result').isVisible()) await page.getByRole('button', { name: /Discard|New transfer/ }).first().click();
    await page.getByTestId('choose-beneficiary').selectOption('FR7630006000011234567890189');
    await page.getByLabel('Currency').selectOption('EUR');
    await page.locator('input[name=amount]').fill('25000');
    await page.getByLabel(/Reference/).fill('Invoice 7781');
    await shot(page, '30-transfer-choose-beneficiary', 'light');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByTestId('transfer-review').waitFor();
    await both(page, '31-transfer-review-beneficiary');
    await page.getByTestId('confirm-on-ledger').click();
    await page.locator('[data-testid=transfer-result][data-status=approval-awaiting]').waitFor();
    await both(page, '32-transfer-awaiting-approval');

    await page.getByRole('button', { name: /^Team/ }).click();
    await page.getByTestId('approval-item').waitFor();
    await both(page, '33-team-queue-own');
    for (const [tab, id, name] of [
      ['Members', 'members', '34-team-members'],
      ['Policy', 'policy', '35-team-policy'],
      ['Beneficiaries', 'beneficiaries', '36-team-beneficiaries'],
      ['Audit trail', 'audit-trail', '37-team-audit'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByTestId(id).waitFor();
      await page.waitForTimeout(200);
      await both(page, name);
    }

    // The approver's Ledger: its dashboard says what awaits it; its queue shows what its device will show.
    await mpage.goto(member.bridge.url);
    await mpage.getByTestId('register-form').waitFor();
    await mpage.getByTestId('account-switcher').scrollIntoViewIfNeeded(); // (under the register form)
    await shot(mpage, '38-member-act-for-company', 'light');
    await mpage.getByTestId('company-address').fill(company);
    await mpage.getByTestId('account-switcher').getByRole('button', { name: 'Switch' }).click();
    await mpage.getByTestId('awaiting-my-approval').waitFor();
    await mpage.waitForTimeout(300);
    await both(mpage, '39-member-dashboard-awaiting');
    await mpage.getByRole('button', { name: 'Open the approval queue' }).click();
    await mpage.getByTestId('approval-item').getByTestId('approve').waitFor();
    await both(mpage, '40-member-approval-queue');

    // German.
    await mpage.evaluate(() => localStorage.setItem('ccc-locale', 'de-DE'));
    await mpage.reload();
    await mpage.getByTestId('awaiting-my-approval').waitFor();
    await shot(mpage, '41-member-dashboard-awaiting-de', 'light');
    await mpage.getByRole('button', { name: 'Freigaben öffnen' }).click();
    await mpage.getByTestId('approval-item').getByTestId('approve').waitFor();
    await both(mpage, '42-member-approval-queue-de');
    await mpage.evaluate(() => localStorage.removeItem('ccc-locale'));
    await page.evaluate(() => localStorage.setItem('ccc-locale', 'de-DE'));
    await page.reload();
    await page.getByRole('button', { name: /^Team/ }).click();
    for (const [tab, id, name] of [
      ['Mitglieder', 'members', '43-team-members-de'],
      ['Richtlinie', 'policy', '44-team-policy-de'],
      ['Prüfprotokoll', 'audit-trail', '45-team-audit-de'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByTestId(id).waitFor();
      await page.waitForTimeout(200);
      await shot(page, name, 'light');
    }
    await page.evaluate(() => localStorage.removeItem('ccc-locale'));
    await page.reload();
  } finally {
    await mpage.close();
    await member.close();
  }
}

// Standalone: a server, an owner verified and funded, then the team's screens.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const outDir = path.join(root, 'screenshots');
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startServer({ port: 0, dataDir: tempDir('ccc-shots-'), rules: testRules({ rails: { settleDelayMs: 0 } }) });
  const owner = await runAppInBrowser({ endpoint: server.url, trustedAddress: server.backofficeAddress, dataDir: tempDir('ccc-shots-app-'), exportDir: tempDir('ccc-shots-export-') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const shot: Shot = async (p, name, theme) => {
    await p.evaluate((t) => (localStorage.setItem('ccc-theme', t), window.dispatchEvent(new CustomEvent('ccc-set-theme', { detail: t }))), theme);
    await p.waitForTimeout(150);
    const file = path.join(outDir, `${name}-${theme}.png`);
    await p.screenshot({ path: file });
    console.log(`  ${path.relative(root, file)}`);
  };
  try {
    await page.goto(owner.bridge.url);
    await page.getByTestId('connect').click();
    await page.getByTestId('register-form').waitFor();
    await owner.core.register({ name: 'Helvetia Digital Exchange AG', email: 'treasury@helvetia-dx.example', country: 'CH', currency: 'EUR' });
    const address = (await owner.core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address });
    await server.backOffice.admin({ command: 'deposit', to: address, from: 'DE89370400440532013000', currency: 'EUR', amount: '1250000.00', reference: 'Initial funding' });
    await owner.core.refreshAccount();
    await page.getByTestId('balances').waitFor();
    await teamShots({ server, endpoint: server.url, owner, page, browser, shot });
  } finally {
    await browser.close();
    await owner.close();
    await server.close();
  }
}
