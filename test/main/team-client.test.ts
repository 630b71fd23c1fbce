// The app's session as a member of a team account (docs/team-treasury.md), against the real server:
// after act() every answer must be bound to the company account, its transfers concern it, a transfer
// above the policy's threshold comes back as an approval that another member's key releases, and a
// reconnection acts for the account again — until the member is removed.
import { afterEach, describe, expect, it } from 'vitest';
import { newCustomer, newIdentity, startTestServer, testRules, type Identity } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { CccClient } from '../../src/main/session/ccc-client';
import { confirmationText } from '../../src/shared/confirmation';
import { memberText, teamPolicyText } from '../../src/shared/team';
import type { ApprovalData, SignedRecord, TransferData } from '../../src/shared/protocol';
import type { ServerProcess } from '../../src/server/serve';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('CccClient acting for a team account', () => {
  it('binds answers to the company account, gets approvals, follows a release, acts again after a reconnection, and stops when removed', async () => {
    const server: ServerProcess = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    const bo = server.backofficeAddress;
    const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR', name: 'Client Test GmbH' });
    cleanups.push(() => ownerC.close());
    await server.backOffice.admin({ command: 'verify', address: owner.address });
    await server.backOffice.admin({ command: 'deposit', to: owner.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '10000.00' });
    const { id: payee } = await newCustomer(server.url, { currency: 'EUR' });
    const initiator = newIdentity('p2wpkh');
    const approver = newIdentity();
    let n = 0;
    const rid = () => `client-team-${++n}`;
    for (const [m, role] of [[initiator, 'initiator'], [approver, 'approver']] as const) {
      const id = rid();
      expect((await ownerC.op('setmember', { member: m.address, role, requestId: id, confirmation: owner.sign(memberText({ account: owner.address, member: m.address, role, requestId: id, server: bo })) })).msg).toBe('members');
    }
    const policy = { approvals: 1, above: { EUR: '1000.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false };
    const pid = rid();
    expect((await ownerC.op('teampolicy', { policy, requestId: pid, confirmation: owner.sign(teamPolicyText({ account: owner.address, policy, requestId: pid, server: bo })) })).msg).toBe('approvals');

    const session = (id: Identity) => {
      const c = new CccClient({ endpoint: server.url, trustedAddress: bo, address: id.address, signChallenge: async (text) => id.sign(text), backoff: { initialMs: 50, maxMs: 200 } });
      cleanups.push(() => c.close());
      return c;
    };
    const ini = session(initiator);
    const app = session(approver);
    await Promise.all([ini.connect(), app.connect()]);
    expect(await ini.act(owner.address)).toEqual({ account: owner.address, member: initiator.address, role: 'initiator' });
    await app.act(owner.address);
    // Answers are checked against the company account's binding: they pass.
    expect(await ini.balance()).toEqual({ EUR: '10000.00' });
    expect((await ini.getinfo()).name).toBe('Client Test GmbH');

    const transfer = (amount: string) => {
      const requestId = rid();
      const text = confirmationText({ amount, currency: 'EUR', destination: payee.address, requestId, server: bo, account: owner.address });
      return { destination: payee.address, currency: 'EUR', amount, requestId, confirmation: initiator.sign(text) };
    };
    // Below the threshold: an ordinary transfer of the company account.
    const small = await ini.sendTransfer(transfer('100.00'));
    expect(small.data).toMatchObject({ sender: owner.address, amount: '100.00' });

    // Above it: an approval, which the approver's session hears of and releases; the release arrives as a verified transfer.
    const news: ApprovalData[] = [];
    app.on('team', (e) => e.msg === 'approval' && news.push(e.data as ApprovalData));
    const released: SignedRecord<TransferData>[] = [];
    app.on('transfer', (t) => released.push(t));
    const waiting = await ini.sendTransferOrApproval(transfer('2500.00'));
    expect('approval' in waiting).toBe(true);
    const a = (waiting as { approval: ApprovalData }).approval;
    expect(a).toMatchObject({ status: 'awaiting', required: 1, initiator: initiator.address });
    await expect(ini.sendTransfer(transfer('3000.00'))).rejects.toMatchObject({ code: 'AWAITING_APPROVAL' });
    await waitFor(() => news.some((x) => x.requestId === a.requestId));
    const answer = await app.team('approve', { requestId: a.requestId, confirmation: approver.sign(a.text) });
    expect(answer.msg).toBe('approval');
    expect(answer.data).toMatchObject({ status: 'released' });
    await waitFor(() => released.some((t) => t.data.amount === '2500.00'));

    // A dropped connection: the session logs in again and acts for the company account again.
    ini['ws']!.terminate();
    await waitFor(() => ini.state === 'reconnecting');
    await waitFor(() => ini.state === 'online');
    expect(ini.account).toBe(owner.address);
    expect(await ini.balance()).toEqual({ EUR: '4400.00' }); // 10,000 − 100 − 2,500, and 3,000 held for the one awaiting approval

    // Removed: its session is closed; the next login acts for its own key again, and says so.
    const removed: unknown[] = [];
    ini.on('team', (e) => e.msg === 'acting' && removed.push(e.data));
    const id = rid();
    await ownerC.op('setmember', { member: initiator.address, role: 'none', requestId: id, confirmation: owner.sign(memberText({ account: owner.address, member: initiator.address, role: 'none', requestId: id, server: bo })) });
    await waitFor(() => removed.length === 1, 15_000, 'the removal to be noticed');
    expect(removed[0]).toMatchObject({ removedFrom: owner.address });
    expect(ini.account).toBe(initiator.address);
    await expect(ini.balance()).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
  });
});
