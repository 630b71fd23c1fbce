// The app's core for team accounts (docs/team-treasury.md), three simulated Ledgers of different seeds
// against the real server: the owner adds members and sets the policy (each signed on its device), an
// initiator's transfer above the limit waits (never "sent"), its own approval is refused, another member's
// device approval releases it, a removed member's session loses the account at once, and every step is in
// the signed audit trail, exported as CSV with the back office's signatures.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import { AppCore, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { newCustomer, startTestServer, tempDir, testRules } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';
import type { ServerProcess } from '../../src/server/serve';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

function member(server: ServerProcess) {
  const device = new SimulatedLedger({ mnemonic: generateMnemonic(wordlist) });
  const exportDir = tempDir('ccc-team-export-');
  const notifications: string[] = [];
  const core = new AppCore({
    dataDir: tempDir('ccc-team-app-'),
    sandbox: { endpoint: server.url, trustedAddress: server.backofficeAddress },
    simulatedDevice: device,
    chooseSavePath: async (name) => path.join(exportDir, name),
    notify: (title, body) => notifications.push(`${title}: ${body}`),
    client: { backoff: { initialMs: 50, maxMs: 200 } },
  });
  cleanups.push(() => core.close());
  return { device, core, exportDir, notifications };
}

describe('AppCore for a team account', () => {
  it('members, policy and beneficiaries signed on the device; a waiting transfer released by another approver; removal; the audit trail', async () => {
    const server = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    const { id: payee, client: payeeC } = await newCustomer(server.url, { currency: 'EUR' });
    cleanups.push(() => payeeC.close());
    const owner = member(server);
    const approver = member(server);
    const initiator = member(server);

    await owner.core.login(SANDBOX_PROFILE_ID);
    await owner.core.register({ name: 'Acme Treasury GmbH', email: 't@acme.example', country: 'DE', currency: 'EUR' });
    const company = (await owner.core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address: company });
    await server.backOffice.admin({ command: 'deposit', to: company, from: IBAN, currency: 'EUR', amount: '10000.00' });
    await owner.core.refreshAccount();
    let snap = await owner.core.getSnapshot();
    expect(snap.team).toMatchObject({ account: company, member: company, role: 'administrator', acting: false, teamAccount: false });

    const [aSnap, iSnap] = [await approver.core.login(SANDBOX_PROFILE_ID), await initiator.core.login(SANDBOX_PROFILE_ID)];
    const [aAddr, iAddr] = [aSnap.address!, iSnap.address!];
    expect(new Set([company, aAddr, iAddr]).size).toBe(3);
    expect(iSnap.account).toBeNull(); // a member needs no account of its own

    // Not a member yet: the server says so.
    await expect(initiator.core.actFor(company)).rejects.toMatchObject({ code: 'NOT_A_MEMBER' });

    // Each change is signed on the owner's device over the exact text.
    expect(await owner.core.setTeamMember({ member: aAddr, role: 'approver' })).toEqual({ status: 'done' });
    expect(owner.device.displayLog.at(-1)!.screens[3]).toMatch(new RegExp(`^CCC member ${aAddr} role approver for ${company} id \\w+ server ${server.backofficeAddress}$`));
    // The one who initiates may approve others' transfers, never their own.
    expect(await owner.core.setTeamMember({ member: iAddr, role: 'approver' })).toEqual({ status: 'done' });
    owner.device.configure({ behaviour: 'reject' });
    expect(await owner.core.setTeamMember({ member: iAddr, role: 'administrator' })).toEqual({ status: 'rejected-on-device' });
    owner.device.configure({ behaviour: 'approve' });
    await expect(owner.core.setTeamMember({ member: 'not-an-address', role: 'viewer' })).rejects.toMatchObject({ code: 'INVALID_ADDRESS' });
    expect((await owner.core.getTeamMembers()).map((m) => [m.member, m.role])).toEqual([
      [company, 'administrator'],
      [aAddr, 'approver'],
      [iAddr, 'approver'],
    ]);
    expect(await owner.core.setTeamPolicy({ approvals: 1, above: { EUR: '1000.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false })).toEqual({ status: 'done' });
    expect(await owner.core.addBeneficiary({ name: 'Payee Müller AG', destination: payee.address })).toEqual({ status: 'done' });
    expect(owner.device.displayLog.at(-1)!.screens[3]).toContain('"Payee M\\u00fcller AG"');
    expect((await owner.core.getSnapshot()).team).toMatchObject({ teamAccount: true });

    // The initiator acts for the company: its balance, its role; a transfer above the limit waits.
    snap = await initiator.core.actFor(company);
    expect(snap.team).toMatchObject({ account: company, member: iAddr, role: 'approver', acting: true, recentAccounts: [company] });
    expect(snap.address).toBe(company);
    await waitFor(async () => (await initiator.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === '10000.00');
    const review = await initiator.core.prepareTransfer({ destination: payee.address, currency: 'EUR', amount: '2500.00', reference: 'Invoice 7' });
    expect(review.confirmationText).toContain(` from ${company} to ${payee.address}`);
    expect(review.beneficiary).toBe('Payee Müller AG');
    const outcome = await initiator.core.confirmTransfer(review.requestId);
    expect(outcome.status).toBe('awaiting-approval');
    expect((await initiator.core.getSnapshot()).transfer).toMatchObject({ phase: 'awaiting-approval', tx: null });
    // Its own approval is not offered, and refused if asked for.
    const own = (await initiator.core.getApprovalQueue()).items[0];
    expect(own).toMatchObject({ requestId: review.requestId, mine: true, canApprove: false, canCancel: true, approveRefusal: 'OWN_APPROVAL', textMatches: true, text: review.confirmationText });
    await expect(initiator.core.decideApproval({ requestId: review.requestId, decision: 'approve' })).rejects.toMatchObject({ code: 'OWN_APPROVAL' });

    // The approver sees it with exactly the device's text and screens, and approves on its own device.
    await approver.core.actFor(company);
    await waitFor(async () => (await approver.core.getSnapshot()).team?.awaitingMyApproval === 1);
    // The initiator is never notified of its own transfer.
    expect(initiator.notifications.filter((n) => n.startsWith('Approval requested'))).toEqual([]);
    const queue = await approver.core.getApprovalQueue();
    expect(queue.policy.above).toEqual({ EUR: '1000.00' });
    expect(queue.items[0]).toMatchObject({ canApprove: true, canReject: true, canCancel: false, text: review.confirmationText, beneficiary: 'Payee Müller AG', amount: '2500.00' });
    expect(queue.items[0].deviceScreens.length).toBeGreaterThan(0);
    expect(await approver.core.decideApproval({ requestId: review.requestId, decision: 'approve' })).toEqual({ status: 'done' });
    expect(approver.device.displayLog.at(-1)!.screens[3]).toBe(review.confirmationText);
    // The initiator's transfer is now sent, and the money moved.
    await waitFor(async () => (await initiator.core.getSnapshot()).transfer?.phase === 'sent', 15_000, 'the release to reach the initiator');
    await waitFor(async () => (await owner.core.getSnapshot()).balances.find((b) => b.currency === 'EUR')?.amount === '7500.00');

    // A viewer's transfer is refused by the server (the app does not second-guess it).
    await owner.core.setTeamMember({ member: iAddr, role: 'viewer' });
    await initiator.core.dismissTransfer();
    await initiator.core.actFor(company);
    expect((await initiator.core.getSnapshot()).team?.role).toBe('viewer');
    const refused = await initiator.core.prepareTransfer({ destination: payee.address, currency: 'EUR', amount: '10.00' });
    expect(await initiator.core.confirmTransfer(refused.requestId)).toMatchObject({ status: 'failed', code: 'ROLE_FORBIDS' });

    // Removed: the member's session loses the company account at once.
    await owner.core.setTeamMember({ member: iAddr, role: 'none' });
    await waitFor(async () => ((s) => s.team?.removedFrom === company && s.account === null)(await initiator.core.getSnapshot()), 15_000, 'the removal to reach the member');
    snap = await initiator.core.getSnapshot();
    expect(snap.address).toBe(iAddr);
    expect(snap.account).toBeNull();
    expect(snap.balances).toEqual([]);
    expect(snap.team?.recentAccounts).toEqual([]);

    // The viewer role and others cannot read the audit trail; the owner can, every event verified.
    await expect(approver.core.getAuditTrail()).rejects.toMatchObject({ code: 'ROLE_FORBIDS' });
    const trail = await owner.core.getAuditTrail();
    const kinds = trail.map((e) => e.kind);
    for (const k of ['member-changed', 'policy-changed', 'beneficiary-added', 'act', 'transfer-initiated', 'transfer-approved', 'transfer-released', 'refused'] as const) expect(kinds).toContain(k);
    const refusals = trail.filter((e) => e.kind === 'refused' && e.actor === iAddr).map((e) => e.details);
    expect(refusals).toContainEqual(expect.objectContaining({ op: 'act', code: 'NOT_A_MEMBER' }));
    expect(refusals).toContainEqual(expect.objectContaining({ op: 'transfer', code: 'ROLE_FORBIDS' }));
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
    const exported = await owner.core.exportAuditTrail();
    expect(exported).toMatchObject({ saved: true, rows: trail.length });
    const csv = fs.readFileSync((exported as { path: string }).path, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('Seq,Date (UTC),Event,Actor,Gateway,Details,Signed data,Back-office signature');
    const { parse } = await import('csv-parse/sync');
    const rows = parse(csv.slice(1), { relax_column_count: false }) as string[][];
    const events = rows.slice(rows.findIndex((r) => r[0] === 'Seq') + 1);
    expect(events).toHaveLength(trail.length);
    for (const r of events) expect(verifyMessageSignature(r[6], server.backofficeAddress, r[7])).toBe(true);

    // ccc-verify-statement (the real bin) checks it; a row that says something else, or a missing row, is found.
    const file = (exported as { path: string }).path;
    const verify = (f: string) => spawnSync(process.execPath, [path.resolve('tools/ccc-verify-statement-bin/ccc-verify-statement.mjs'), f, '--key', server.backofficeAddress], { encoding: 'utf8', timeout: 60_000 });
    const ok = verify(file);
    expect(ok.stdout).toMatch(/VERIFIED: every event is signed/);
    expect(ok.status).toBe(0);
    const lines = csv.split('\r\n');
    const approvedAt = lines.findIndex((l) => l.includes(',transfer-approved,'));
    const forged = path.join(owner.exportDir, 'forged.csv');
    fs.writeFileSync(forged, lines.map((l, i) => (i === approvedAt ? l.replace(',transfer-approved,', ',transfer-rejected,') : l)).join('\r\n'));
    const bad = verify(forged);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/problem: row \d+: event says "transfer-rejected", the signed event "transfer-approved"/);
    const gap = path.join(owner.exportDir, 'gap.csv');
    fs.writeFileSync(gap, lines.filter((_, i) => i !== approvedAt).join('\r\n'));
    expect(verify(gap).stdout).toMatch(/problem: row \d+: event \d+ is missing/);
  }, 120_000);

  it('a change waits for a second administrator, who sees and signs its exact text; a text that does not match its fields is never signed; unsigned news cannot end a waiting transfer', async () => {
    const server = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    const owner = member(server);
    const second = member(server);
    await owner.core.login(SANDBOX_PROFILE_ID);
    await owner.core.register({ name: 'Acme Treasury GmbH', email: 't@acme.example', country: 'DE', currency: 'EUR' });
    const company = (await owner.core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address: company });
    await server.backOffice.admin({ command: 'deposit', to: company, from: IBAN, currency: 'EUR', amount: '5000.00' });
    const admin2 = (await second.core.login(SANDBOX_PROFILE_ID)).address!;
    await owner.core.setTeamMember({ member: admin2, role: 'administrator' });
    expect(await owner.core.setTeamPolicy({ approvals: 1, above: { EUR: '100.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: true })).toEqual({ status: 'done' });

    // Now a change is proposed, not applied.
    const proposed = await owner.core.addBeneficiary({ name: 'Lieferant SARL', destination: 'FR76 3000 6000 0112 3456 7890 189' });
    expect(proposed.status).toBe('awaiting-second-admin');
    expect(await owner.core.getBeneficiaries()).toEqual([]);
    const own = (await owner.core.getApprovalQueue()).changes[0];
    expect(own).toMatchObject({ op: 'setbeneficiary', mine: true, canApprove: false, canCancel: true, textMatches: true });
    expect((await owner.core.getSnapshot()).team).toMatchObject({ myWaiting: 1, awaitingMyApproval: 0 });

    await second.core.actFor(company);
    const change = (await second.core.getApprovalQueue()).changes[0];
    expect(change).toMatchObject({ op: 'setbeneficiary', mine: false, canApprove: true, canReject: true, textMatches: true });
    expect(change.text).toBe(own.text);
    expect(change.text).toMatch(/^CCC beneficiary "Lieferant SARL" FR7630006000011234567890189 for /);
    expect(await second.core.decideApproval({ requestId: change.requestId, decision: 'approve' })).toEqual({ status: 'done' });
    expect(second.device.displayLog.at(-1)!.screens[3]).toBe(change.text);
    await waitFor(async () => (await owner.core.getBeneficiaries()).length === 1);

    // A transfer waiting for approval, whose listed text the back office "changed": the approver is told, and nothing is signed.
    const review = await owner.core.prepareTransfer({ destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '500.00' });
    expect((await owner.core.confirmTransfer(review.requestId)).status).toBe('awaiting-approval');
    await waitFor(() => second.notifications.includes('Approval requested: 500.00 EUR to Lieferant SARL'), 10_000, 'the approver to be notified');
    expect(owner.notifications.filter((n) => n.startsWith('Approval requested'))).toEqual([]);
    const item = (await second.core.getApprovalQueue()).items[0];
    expect(item).toMatchObject({ textMatches: true, canApprove: true });
    // Unsigned news that it was rejected (a hostile endpoint's): the bound queue still lists it as waiting, so it waits.
    const forgedNews = { ...(await owner.core.getSnapshot()).transfer!.approval!, account: company, status: 'rejected', reason: 'forged' };
    await (owner.core as unknown as { onTeamNews(e: unknown): Promise<void> }).onTeamNews({ msg: 'approval', data: forgedNews });
    expect((await owner.core.getSnapshot()).transfer).toMatchObject({ phase: 'awaiting-approval', approval: { status: 'awaiting' } });
    const session = (second.core as unknown as { team: { approvalItem(a: unknown): Promise<{ textMatches: boolean; canApprove: boolean; approveRefusal?: string }> } }).team;
    const lie = { account: company, requestId: item.requestId, initiator: item.initiator, destination: item.destination, currency: item.currency, amount: '50.00', text: item.text, required: 1, approvals: [], status: 'awaiting', createdAt: item.createdAt, expiresAt: item.expiresAt };
    expect(await session.approvalItem(lie)).toMatchObject({ textMatches: false, canApprove: false, approveRefusal: 'TEXT_MISMATCH' });
    expect(await session.approvalItem({ ...lie, amount: '500.00', text: item.text.replace('500.00 EUR', '5.00 EUR') })).toMatchObject({ textMatches: false, canApprove: false });
    expect(await session.approvalItem({ ...lie, amount: '500.00' })).toMatchObject({ textMatches: true, canApprove: true });
  }, 120_000);
});
