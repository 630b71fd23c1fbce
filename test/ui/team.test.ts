// A team's treasury in Chromium (docs/team-treasury.md), with two and three simulated Ledgers of
// different seeds, each its own app core and page, against the real server: the owner adds members,
// sets the policy and a beneficiary on its device; an initiator's transfer above the limit waits ("awaiting
// approval", not "sent"); the initiator's own approval is not offered; another approver's device approval
// releases it; a member made viewer is refused by the server; a removed member's session loses the account
// at once; and every step is in the audit trail and its CSV export with the back office's signatures.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserAppPerTest, go, loginVerifiedAndFunded } from '../helpers/ui';
import { actFor, expectOutcome, memberApp, teamTab, type Member } from '../helpers/ui-team';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';

const browserApp = browserAppPerTest();
const PAYEE_IBAN = 'FR7630006000011234567890189';

describe('team treasury in the browser', () => {
  it('three Ledgers: members, policy and a beneficiary; a transfer waits, another approver releases it; a viewer is refused by the server; a removed member loses access; the audit trail has every step', async () => {
    const ui = await browserApp.start();
    const members: Member[] = [];
    try {
      const { page: owner, server } = ui;
      const company = await loginVerifiedAndFunded(ui, '10000.00');
      const approver = await memberApp(ui);
      const initiator = await memberApp(ui);
      members.push(approver, initiator);
      expect(new Set([company, approver.address, initiator.address]).size).toBe(3);

      // The owner adds both members, each change signed on the owner's Ledger.
      await teamTab(owner, 'Members');
      for (const [m, role] of [
        [approver, 'approver'],
        [initiator, 'approver'],
      ] as const) {
        await owner.getByTestId('member-address').fill(m.address);
        await owner.getByTestId('member-role').selectOption(role);
        await owner.getByTestId('add-member').click();
        await expectOutcome(owner, /Done/);
        await owner.locator(`[data-testid=member-row][data-member="${m.address}"]`).waitFor();
      }
      // Dual control: one approval above 1,000 EUR.
      await owner.getByRole('tab', { name: 'Policy' }).click();
      await owner.getByTestId('policy-approvals').selectOption('1');
      await owner.getByTestId('threshold-EUR').fill('1000');
      await owner.getByTestId('save-policy').click();
      await expectOutcome(owner, /Done/);
      await expect.poll(() => owner.getByTestId('policy-summary').textContent()).toMatch(/need one approval by an approver other than/);
      // A beneficiary, named.
      await owner.getByRole('tab', { name: 'Beneficiaries' }).click();
      await owner.getByTestId('beneficiary-name').fill('Lieferant SARL');
      await owner.getByTestId('beneficiary-destination').fill('FR76 3000 6000 0112 3456 7890 189');
      await owner.getByTestId('add-beneficiary').click();
      await expectOutcome(owner, /Done/);
      await owner.getByTestId('beneficiary-row').waitFor();

      // The initiator acts for the company from its own (unregistered) key's screen.
      const ip = initiator.page;
      await actFor(ip, company);
      await expect.poll(() => ip.getByTestId('acting-for').textContent()).toMatch(/Company account.*Signing as Approver/);
      await ip.getByRole('button', { name: 'New transfer' }).click();
      await ip.getByTestId('choose-beneficiary').selectOption(PAYEE_IBAN);
      await expect.poll(() => ip.locator('input[name=destination]').inputValue()).toBe(PAYEE_IBAN);
      await ip.locator('input[name=amount]').fill('2500');
      await ip.locator('input[name=reference]').fill('Invoice 7');
      await ip.getByRole('button', { name: 'Review' }).click();
      await expect.poll(() => ip.getByTestId('review-beneficiary').textContent()).toMatch(/Lieferant SARL/);
      const shown = (await ip.getByTestId('device-screens').textContent())!;
      expect(shown).toContain(`CCC transfer 2500.00 EUR from ${company} to ${PAYEE_IBAN} ref "Invoice 7"`);
      await ip.getByTestId('confirm-on-ledger').click();
      // Waits, and says so: not "sent".
      await ip.locator('[data-testid=transfer-result][data-status=approval-awaiting]').waitFor();
      const waiting = (await ip.getByTestId('transfer-result').textContent())!;
      expect(waiting).toMatch(/Awaiting approval — not sent yet/);
      expect(waiting).not.toMatch(/Transfer sent|Payout submitted/);
      await expect.poll(() => ip.getByTestId('approvals-so-far').textContent()).toMatch(/0 of 1/);
      // Its own approval is not offered.
      await teamTab(ip, 'Approval queue');
      const own = ip.getByTestId('approval-item');
      await own.waitFor();
      await expect(own.textContent()).resolves.toMatch(/You started this; another approver must approve it/);
      expect(await own.getByTestId('approve').count()).toBe(0);
      expect(await own.getByTestId('cancel').count()).toBe(1);

      // The approver sees it on the dashboard, and in the queue exactly what its Ledger will show.
      const ap = approver.page;
      await actFor(ap, company);
      await go(ap, 'Dashboard');
      await expect.poll(() => ap.getByTestId('awaiting-my-approval').textContent()).toMatch(/1 awaiting your approval/);
      await ap.getByRole('button', { name: 'Open the approval queue' }).click();
      const item = ap.getByTestId('approval-item');
      await expect.poll(() => item.getByTestId('approval-text').textContent()).toContain(`CCC transfer 2500.00 EUR from ${company} to ${PAYEE_IBAN} ref "Invoice 7"`);
      await expect(item.getByTestId('approval-beneficiary').textContent()).resolves.toBe('Lieferant SARL');
      const shownScreens = await item.getByTestId('approval-text').locator('.device-screen').allTextContents();
      await item.getByTestId('approve').click();
      await expectOutcome(ap, /Done/);
      // Its Ledger showed and signed exactly the screens the queue drew, and the initiator's result now says the payout went out.
      expect(approver.device.displayLog.at(-1)!.screens).toEqual(shownScreens);
      await ip.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Transfer/ }).click();
      await ip.locator('[data-testid=transfer-result][data-status=complete], [data-testid=transfer-result][data-status=pending]').waitFor();

      // The owner makes the initiator a viewer: its app shows no Transfer, no New transfer, no team management.
      await teamTab(owner, 'Members');
      const row = owner.locator(`[data-testid=member-row][data-member="${initiator.address}"]`);
      await row.getByRole('combobox').selectOption('viewer');
      await row.getByRole('button', { name: 'Change on Ledger' }).click();
      await expectOutcome(owner, /Done/);
      await teamTab(ip, 'Approval queue');
      await ip.getByTestId('act-own').click();
      // Back on its own account before it types the company's address (the screen is redrawn for it).
      await ip.getByTestId('acting-for').waitFor({ state: 'detached' });
      await actFor(ip, company);
      await go(ip, 'Dashboard');
      await expect.poll(() => ip.getByTestId('acting-for').textContent()).toMatch(/Signing as Viewer/);
      expect(await ip.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Transfer/ }).count()).toBe(0);
      expect(await ip.getByRole('button', { name: 'New transfer' }).count()).toBe(0);
      await teamTab(ip, 'Members');
      await ip.getByTestId('member-row').first().waitFor();
      expect(await ip.getByTestId('add-member').count()).toBe(0);
      expect(await ip.getByTestId('remove-member').count()).toBe(0);
      expect(await ip.getByRole('tab', { name: 'Audit trail' }).count()).toBe(0);
      await go(ip, 'Account');
      await ip.getByTestId('idle-lock-setting').waitFor();
      expect(await ip.getByTestId('account-form').count()).toBe(0);
      // Not only hidden: the same app core, asked anyway, signs on its Ledger and the server refuses.
      const refused = await initiator.app.core.prepareTransfer({ destination: PAYEE_IBAN, currency: 'EUR', amount: '10.00' });
      expect(await initiator.app.core.confirmTransfer(refused.requestId)).toMatchObject({ status: 'failed', code: 'ROLE_FORBIDS' });
      await initiator.app.core.dismissTransfer();

      // Removed: the member's session loses the company account at once.
      await owner.locator(`[data-testid=member-row][data-member="${initiator.address}"]`).getByTestId('remove-member').click();
      await expectOutcome(owner, /Done/);
      await ip.getByTestId('removed-from-team').waitFor();
      await ip.getByTestId('register-form').waitFor();
      expect(await ip.getByTestId('acting-for').count()).toBe(0);

      // Every step is in the audit trail, and in its CSV with the back office's signatures.
      await owner.getByRole('tab', { name: 'Audit trail' }).click();
      await owner.getByTestId('audit-row').first().waitFor();
      const kinds = await owner.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
      for (const k of ['member-changed', 'policy-changed', 'beneficiary-added', 'act', 'transfer-initiated', 'transfer-approved', 'transfer-released', 'refused']) expect(kinds).toContain(k);
      await owner.getByTestId('export-audit').click();
      await expect.poll(() => owner.getByTestId('audit-saved').textContent()).toMatch(/Saved \d+ events/);
      const file = fs.readdirSync(ui.app.exportDir).find((f) => f.startsWith('ccc-audit-trail-'))!;
      const { parse } = await import('csv-parse/sync');
      const rows = parse(fs.readFileSync(`${ui.app.exportDir}/${file}`, 'utf8').replace(/^\uFEFF/, '')) as string[][];
      const events = rows.slice(rows.findIndex((r) => r[0] === 'Seq') + 1);
      expect(events.length).toBe(kinds.length);
      for (const r of events) expect(verifyMessageSignature(r[6], server.backofficeAddress, r[7])).toBe(true);
    } finally {
      for (const m of members) await m.close();
    }
  }, 180_000);

  it('two Ledgers: the owner’s own transfer above the limit waits, the approver rejects one and approves another, the owner withdraws a third', async () => {
    const ui = await browserApp.start();
    const members: Member[] = [];
    try {
      const { page: owner } = ui;
      const company = await loginVerifiedAndFunded(ui, '5000.00');
      const approver = await memberApp(ui);
      members.push(approver);
      await teamTab(owner, 'Members');
      await owner.getByTestId('member-address').fill(approver.address);
      await owner.getByTestId('member-role').selectOption('approver');
      await owner.getByTestId('add-member').click();
      await expectOutcome(owner, /Done/);
      await owner.getByRole('tab', { name: 'Policy' }).click();
      await owner.getByTestId('policy-approvals').selectOption('1');
      await owner.getByTestId('threshold-EUR').fill('100');
      await owner.getByTestId('save-policy').click();
      await expectOutcome(owner, /Done/);

      const send = async (amount: string) => {
        await go(owner, 'Transfer');
        await owner.locator('input[name=destination]').fill(PAYEE_IBAN);
        await owner.locator('input[name=amount]').fill(amount);
        await owner.getByRole('button', { name: 'Review' }).click();
        // The account has a member: its text names it.
        await expect.poll(() => owner.getByTestId('device-screens').textContent()).toContain(`from ${company} to`);
        await owner.getByTestId('confirm-on-ledger').click();
        await owner.locator('[data-testid=transfer-result][data-status=approval-awaiting]').waitFor();
      };
      await send('700');
      const ap = approver.page;
      await actFor(ap, company);
      await go(ap, 'Team');
      await ap.getByTestId('approval-item').getByTestId('reject').click();
      await expectOutcome(ap, /Done/);
      // The owner's result follows: not made, the hold released.
      await owner.locator('[data-testid=transfer-result][data-status=approval-rejected]').waitFor();
      await expect(owner.getByTestId('transfer-result').textContent()).resolves.toMatch(/not made: rejected/);
      await owner.getByRole('button', { name: 'New transfer' }).click();

      await send('800');
      await ap.getByTestId('approval-item').waitFor();
      await ap.getByTestId('approval-item').getByTestId('approve').click();
      await expectOutcome(ap, /Done/);
      await owner.locator('[data-testid=transfer-result][data-status=complete], [data-testid=transfer-result][data-status=pending]').waitFor();
      await expect.poll(() => ui.app.core.getSnapshot().then((s) => s.balances.find((b) => b.currency === 'EUR')?.amount)).toBe('4200.00');

      // Its initiator withdraws a third one from the result page (signed on its Ledger): the hold is released.
      await owner.getByRole('button', { name: 'New transfer' }).click();
      await send('900');
      await expect.poll(() => ui.app.core.getSnapshot().then((s) => s.balances.find((b) => b.currency === 'EUR')?.amount)).toBe('3300.00');
      await owner.getByTestId('cancel-waiting').click();
      await owner.locator('[data-testid=transfer-result][data-status=approval-cancelled]').waitFor();
      expect(ui.app.device.displayLog.at(-1)!.screens[3]).toMatch(new RegExp(`^CCC cancel transfer \\w+ for ${company} server `));
      await expect.poll(() => ui.app.core.getSnapshot().then((s) => s.balances.find((b) => b.currency === 'EUR')?.amount)).toBe('4200.00');
      await ap.getByTestId('queue-empty').waitFor();
    } finally {
      for (const m of members) await m.close();
    }
  }, 150_000);
});
