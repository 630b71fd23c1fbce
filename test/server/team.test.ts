// Team accounts over real sockets (docs/team-treasury.md): members with their own keys act for a
// company account within their role; the server — not the app — refuses what a role does not allow;
// a removed member loses access at once; every step is in the account's signed audit trail.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, newIdentity, startTestServer, tempDir, TestClient, testRules, type Identity } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { STORES, storeOptions } from '../helpers/stores';
import { verifySignedData } from '../../src/shared/node/message-signature';
import { beneficiaryText, decisionText, memberText, teamPolicyText } from '../../src/shared/team';
import { confirmationText } from '../../src/shared/confirmation';
import type { ApprovalData, AuditEventData, TeamPolicy } from '../../src/shared/protocol';
import { startBackOffice, startRemoteGateway, type ServerProcess } from '../../src/server/serve';

describe.each(STORES)('team accounts (ledger in %s)', (store) => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startTestServer({ ...(await storeOptions(store)), rules: testRules() });
  });
  afterAll(async () => server.close());

  let n = 0;
  const requestId = () => `team-req-${(++n).toString().padStart(4, '0')}`;

  /** A member's own connection: logged in with its own key, not registered. */
  async function memberSession(id: Identity): Promise<TestClient> {
    const c = await TestClient.connect(server.url);
    expect((await c.login(id)).msg).toBe('auth');
    return c;
  }

  /** The administrator `signer` (logged in on `c`) sets `member`'s role, confirming on its device. */
  function setMember(c: TestClient, signer: Identity, account: string, member: string, role: string, id = requestId()) {
    const text = memberText({ account, member, role: role as never, requestId: id, server: server.backofficeAddress });
    return c.op('setmember', { member, role, requestId: id, confirmation: signer.sign(text) });
  }

  function setPolicy(c: TestClient, signer: Identity, account: string, policy: TeamPolicy, srv = server) {
    const id = requestId();
    return c.op('teampolicy', { policy, requestId: id, confirmation: signer.sign(teamPolicyText({ account, policy, requestId: id, server: srv.backofficeAddress })) });
  }

  /** A team transfer, confirmed on the initiator's device with the text that names the account. */
  function teamTransfer(c: TestClient, signer: Identity, account: string, destination: string, amount: string, srv = server) {
    const id = requestId();
    const text = confirmationText({ amount, currency: 'EUR', destination, requestId: id, server: srv.backofficeAddress, account });
    return c.op('transfer', { destination, currency: 'EUR', amount, requestId: id, confirmation: signer.sign(text) });
  }

  function decide(c: TestClient, signer: Identity, op: 'approve' | 'reject' | 'cancel', a: ApprovalData, srv = server) {
    const text = op === 'approve' ? a.text : decisionText({ decision: op, account: a.account, requestId: a.requestId, server: srv.backofficeAddress });
    return c.op(op, { requestId: a.requestId, confirmation: signer.sign(text) });
  }

  async function auditOf(c: TestClient): Promise<AuditEventData[]> {
    const page = await c.op('audit', { limit: 500 });
    expect(page.msg).toBe('audit');
    for (const e of page.data.events) expect(verifySignedData(JSON.parse(e.data), e.signed, server.backofficeAddress)).toBe(true);
    return page.data.events.map((e: { data: string }) => JSON.parse(e.data) as AuditEventData);
  }

  describe('team accounts', () => {
    it('members act for the account within their role; the server refuses the rest; removal ends access at once; all of it is audited', async () => {
      const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR', name: 'Acme Treasury GmbH' });
      await server.backOffice.admin({ command: 'verify', address: owner.address });
      await server.backOffice.admin({ command: 'deposit', to: owner.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '50000.00' });
      const { id: payee } = await newCustomer(server.url, { currency: 'EUR' });
      const approver = newIdentity('p2wpkh');
      const viewer = newIdentity();

      // Only the account's administrator adds members, each change confirmed on its device.
      const added = await setMember(ownerC, owner, owner.address, approver.address, 'approver');
      expect(added.msg).toBe('members');
      expect(added.data.members.map((m: { member: string; role: string }) => [m.member, m.role])).toEqual([
        [owner.address, 'administrator'],
        [approver.address, 'approver'],
      ]);
      expect((await setMember(ownerC, owner, owner.address, viewer.address, 'viewer')).msg).toBe('members');
      // A confirmation signed by another key, or for another text, changes nothing.
      const forged = await setMember(ownerC, approver, owner.address, viewer.address, 'administrator');
      expect(forged.data.code).toBe('CONFIRMATION_INVALID');

      // A member logs in with its own key, then acts for the company account.
      const apC = await memberSession(approver);
      const acting = await apC.op('act', { account: owner.address });
      expect(acting.data).toEqual({ account: owner.address, member: approver.address, role: 'approver' });
      expect((await apC.op('balance')).data).toEqual({ EUR: '50000.00' });
      expect((await apC.op('getinfo')).data.name).toBe('Acme Treasury GmbH');

      // A viewer sees, but cannot send or manage: refused by the server, not only hidden by the app.
      const viC = await memberSession(viewer);
      expect((await viC.op('act', { account: owner.address })).data.role).toBe('viewer');
      expect((await viC.op('balance')).data).toEqual({ EUR: '50000.00' });
      const rid = requestId();
      const text = confirmationText({ amount: '10.00', currency: 'EUR', destination: payee.address, requestId: rid, server: server.backofficeAddress, account: owner.address });
      const refused = await viC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '10.00', requestId: rid, confirmation: viewer.sign(text) });
      expect(refused.data.code).toBe('ROLE_FORBIDS');
      expect((await viC.op('setmember', { member: viewer.address, role: 'administrator', requestId: requestId(), confirmation: 'x' })).data.code).toBe('ROLE_FORBIDS');
      expect((await viC.op('audit')).data.code).toBe('ROLE_FORBIDS');
      expect((await ownerC.op('balance')).data).toEqual({ EUR: '50000.00' }); // nothing moved by the viewer

      // An approver may initiate: confirmed on its own device with the text that names the account.
      const rid2 = requestId();
      const single = confirmationText({ amount: '250.00', currency: 'EUR', destination: payee.address, requestId: rid2, server: server.backofficeAddress });
      const wrongText = await apC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '250.00', requestId: rid2, confirmation: approver.sign(single) });
      expect(wrongText.data.code).toBe('CONFIRMATION_INVALID');
      const teamText = confirmationText({ amount: '250.00', currency: 'EUR', destination: payee.address, requestId: rid2, server: server.backofficeAddress, account: owner.address });
      const byOwnerKey = await apC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '250.00', requestId: rid2, confirmation: owner.sign(teamText) });
      expect(byOwnerKey.data.code).toBe('CONFIRMATION_INVALID'); // the member acting must confirm it on its own device
      const sent = await apC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '250.00', requestId: rid2, confirmation: approver.sign(teamText) });
      expect(sent.msg).toBe('transfer');
      expect(sent.data).toMatchObject({ sender: owner.address, destination: payee.address, amount: '250.00' });
      // The account's other sessions are told, as for any transfer of theirs.
      const told = await ownerC.next((m) => m.msg === 'transfer' && m.nonce === undefined && m.data.txid === sent.data.txid);
      expect(told.data).toEqual(sent.data);
      expect((await ownerC.op('balance')).data).toEqual({ EUR: '49750.00' });

      // A stranger cannot act for the account.
      const stranger = newIdentity();
      const stC = await memberSession(stranger);
      expect((await stC.op('act', { account: owner.address })).data.code).toBe('NOT_A_MEMBER');
      expect((await stC.op('balance')).data.code).toBe('NOT_REGISTERED'); // still its own (unregistered) self

      // Removing a member ends its session's access at once.
      const closed = new Promise<number>((resolve) => viC.ws.once('close', (code) => resolve(code)));
      expect((await setMember(ownerC, owner, owner.address, viewer.address, 'none')).msg).toBe('members');
      expect(await closed).toBe(4011);
      const again = await memberSession(viewer);
      expect((await again.op('act', { account: owner.address })).data.code).toBe('NOT_A_MEMBER');

      // A failed login on a member's key shows in the account's trail (at most once a minute per key, with a count).
      for (let i = 0; i < 3; i++) {
        const bad = await TestClient.connect(server.url);
        expect((await bad.op('auth', { key: approver.address, signature: stranger.sign(bad.challenge) })).data.code).toBe('AUTH_FAILED');
        await bad.close();
      }

      // The audit trail: signed, gap-free, every step with who did it.
      await waitFor(async () => (await auditOf(ownerC)).some((e) => e.kind === 'login-failed'));
      const events = (await auditOf(ownerC)).filter((e) => e.kind !== 'login' || e.actor !== owner.address);
      expect((await auditOf(ownerC)).map((e) => e.seq)).toEqual((await auditOf(ownerC)).map((_, i) => i + 1));
      const summary = events.map((e) => [e.kind, e.actor, e.details.op ?? e.details.to ?? e.details.role ?? e.details.code ?? null]);
      expect(summary).toEqual([
        ['member-changed', owner.address, 'approver'],
        ['member-changed', owner.address, 'viewer'],
        ['act', approver.address, 'approver'],
        ['act', viewer.address, 'viewer'],
        ['refused', viewer.address, 'transfer'],
        ['refused', viewer.address, 'setmember'],
        ['refused', viewer.address, 'audit'],
        ['transfer-initiated', approver.address, null],
        ['refused', stranger.address, 'act'],
        ['member-changed', owner.address, 'none'],
        ['refused', viewer.address, 'act'],
        ['login-failed', approver.address, 'AUTH_FAILED'],
      ]);
      // The account key's own logins are in it too (a member's login to the account is its `act`).
      const ownerAgain = await memberSession(owner);
      await waitFor(async () => (await auditOf(ownerC)).some((e) => e.kind === 'login' && e.actor === owner.address));
      await ownerAgain.close();
      // An administrator member reads it too; it names the gateway each request came through.
      expect(events.every((e) => typeof e.gateway === 'string' && e.gateway.length > 0)).toBe(true);
      for (const c of [ownerC, apC, stC, again]) await c.close();
    });

    it('a retried membership change is answered, never applied twice; a reused requestId for another change is refused', async () => {
      const { id: owner, client: ownerC } = await newCustomer(server.url);
      const m = newIdentity();
      const id = requestId();
      expect((await setMember(ownerC, owner, owner.address, m.address, 'initiator', id)).msg).toBe('members');
      const retry = await setMember(ownerC, owner, owner.address, m.address, 'initiator', id);
      expect(retry.msg).toBe('members');
      expect(retry.data.members).toHaveLength(2);
      expect((await setMember(ownerC, owner, owner.address, m.address, 'administrator', id)).data.code).toBe('IDEMPOTENCY_CONFLICT');
      expect((await auditOf(ownerC)).filter((e) => e.kind === 'member-changed')).toHaveLength(1);
      await ownerC.close();
    });

    it('dual control: above the threshold a transfer waits with its funds held; only another approver’s device releases it; reject, cancel and expiry release the funds', async () => {
      const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR', name: 'Dual Control AG' });
      await server.backOffice.admin({ command: 'verify', address: owner.address });
      await server.backOffice.admin({ command: 'deposit', to: owner.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '50000.00' });
      const { id: payee, client: payeeC } = await newCustomer(server.url, { currency: 'EUR' });
      const initiator = newIdentity();
      const approver1 = newIdentity('p2wpkh');
      const approver2 = newIdentity();
      for (const [m, role] of [[initiator, 'initiator'], [approver1, 'approver'], [approver2, 'approver']] as const) {
        expect((await setMember(ownerC, owner, owner.address, m.address, role)).msg).toBe('members');
      }
      // More approvals than keys that can approve: refused.
      expect((await setPolicy(ownerC, owner, owner.address, { approvals: 4, above: { EUR: '1000.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false })).data.code).toBe('INVALID_PARAMS');
      const policy = await setPolicy(ownerC, owner, owner.address, { approvals: 1, above: { EUR: '1000.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false });
      expect(policy.msg).toBe('approvals');
      expect(policy.data.policy.above).toEqual({ EUR: '1000.00' });

      const [inC, a1C, a2C] = await Promise.all([initiator, approver1, approver2].map(memberSession));
      for (const c of [inC, a1C, a2C]) expect((await c.op('act', { account: owner.address })).msg).toBe('acting');

      // Below the threshold: an ordinary transfer at once.
      const small = await teamTransfer(inC, initiator, owner.address, payee.address, '500.00');
      expect(small.msg).toBe('transfer');

      // Above it: it waits; its funds are held, nothing is posted; the account's sessions see it.
      const waiting = await teamTransfer(inC, initiator, owner.address, payee.address, '5000.00');
      expect(waiting.msg).toBe('approval');
      const a = waiting.data as ApprovalData;
      expect(a).toMatchObject({ account: owner.address, initiator: initiator.address, amount: '5000.00', required: 1, approvals: [], status: 'awaiting' });
      expect(a.text).toBe(confirmationText({ amount: '5000.00', currency: 'EUR', destination: payee.address, requestId: a.requestId, server: server.backofficeAddress, account: owner.address }));
      expect((await a1C.next((m) => m.msg === 'approval' && m.data.requestId === a.requestId)).data.status).toBe('awaiting');
      expect((await ownerC.op('balance')).data).toEqual({ EUR: '44500.00' });
      expect((await payeeC.op('balance')).data).toEqual({ EUR: '500.00' });
      const queue = await a1C.op('approvals');
      expect(queue.data.items.map((i: ApprovalData) => i.requestId)).toEqual([a.requestId]);
      // A retry of the same request is answered with its state, never a second request.
      const retried = await inC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '5000.00', requestId: a.requestId, confirmation: initiator.sign(a.text) });
      expect(retried.msg).toBe('approval');
      expect((await a1C.op('approvals')).data.items).toHaveLength(1);

      // Who may not release it: the initiator (its role; and as an administrator, its own transfer), a forged approval.
      expect((await decide(inC, initiator, 'approve', a)).data.code).toBe('ROLE_FORBIDS');
      const ownersOwn = await teamTransfer(ownerC, owner, owner.address, payee.address, '1500.00');
      expect(ownersOwn.msg).toBe('approval');
      expect((await decide(ownerC, owner, 'approve', ownersOwn.data)).data.code).toBe('OWN_APPROVAL');
      const otherText = { ...a, text: a.text.replace('5000.00', '50.00') };
      expect((await decide(a1C, approver1, 'approve', otherText)).data.code).toBe('CONFIRMATION_INVALID');
      expect((await payeeC.op('balance')).data).toEqual({ EUR: '500.00' });

      // Another approver's device signature of the same text releases it.
      const released = await decide(a1C, approver1, 'approve', a);
      expect(released.msg).toBe('approval');
      expect(released.data).toMatchObject({ status: 'released', approvals: [approver1.address] });
      const transfer = await a1C.next((m) => m.msg === 'transfer' && m.data.txid === released.data.txid);
      expect(transfer.data).toMatchObject({ sender: owner.address, destination: payee.address, amount: '5000.00' });
      expect(verifySignedData(transfer.data, transfer.signed, server.backofficeAddress)).toBe(true);
      expect((await payeeC.op('balance')).data).toEqual({ EUR: '5500.00' });
      expect((await decide(a2C, approver2, 'approve', a)).data.code).toBe('ALREADY_DECIDED');
      expect((await a2C.op('approve', { requestId: 'no-such-request', confirmation: 'x' })).data.code).toBe('UNKNOWN_APPROVAL');

      // The owner's own transfer is released by an approver; another is rejected, another cancelled by its initiator.
      expect((await decide(a2C, approver2, 'approve', ownersOwn.data)).data.status).toBe('released');
      const toReject = (await teamTransfer(inC, initiator, owner.address, payee.address, '2000.00')).data as ApprovalData;
      expect((await decide(a2C, approver2, 'reject', toReject)).data.status).toBe('rejected');
      const toCancel = (await teamTransfer(inC, initiator, owner.address, payee.address, '3000.00')).data as ApprovalData;
      expect((await decide(a1C, approver1, 'cancel', toCancel)).data.code).toBe('ROLE_FORBIDS');
      expect((await decide(inC, initiator, 'cancel', toCancel)).data.status).toBe('cancelled');
      expect((await ownerC.op('balance')).data).toEqual({ EUR: '43000.00' }); // 50,000 − 500 − 5,000 − 1,500; nothing held
      expect((await a1C.op('approvals')).data.items).toEqual([]);
      expect(await server.backOffice.store.checkInvariants()).toEqual([]);

      const events = (await auditOf(ownerC)).filter((e) => e.kind.startsWith('transfer-') || e.details.code === 'OWN_APPROVAL');
      expect(events.map((e) => [e.kind, e.actor === null ? null : [owner, initiator, approver1, approver2].findIndex((x) => x.address === e.actor)])).toEqual([
        ['transfer-initiated', 1], // 500.00, at once
        ['transfer-initiated', 1], // 5,000.00, awaiting
        ['transfer-initiated', 0], // the owner's 1,500.00
        ['refused', 0], // its own approval
        ['transfer-approved', 2],
        ['transfer-released', null],
        ['transfer-approved', 3],
        ['transfer-released', null],
        ['transfer-initiated', 1],
        ['transfer-rejected', 3],
        ['transfer-initiated', 1],
        ['transfer-cancelled', 1],
      ]);
      for (const c of [ownerC, payeeC, inC, a1C, a2C]) await c.close();
    });

    it('a transfer not approved in time expires and its funds are released, also across a restart of the back office', async () => {
      const where = { ...(await storeOptions(store)), dataDir: tempDir() };
      const srv = await startTestServer({ ...where, rules: testRules(), approvalTtlMs: 1500 });
      let restarted: ServerProcess | null = null;
      try {
        const { id: owner, client: ownerC } = await newCustomer(srv.url, { currency: 'EUR' });
        await srv.backOffice.admin({ command: 'verify', address: owner.address });
        await srv.backOffice.admin({ command: 'deposit', to: owner.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '1000.00' });
        const { id: payee } = await newCustomer(srv.url, { currency: 'EUR' });
        const approver = newIdentity();
        const id0 = requestId();
        const text0 = memberText({ account: owner.address, member: approver.address, role: 'approver', requestId: id0, server: srv.backofficeAddress });
        expect((await ownerC.op('setmember', { member: approver.address, role: 'approver', requestId: id0, confirmation: owner.sign(text0) })).msg).toBe('members');
        expect((await setPolicy(ownerC, owner, owner.address, { approvals: 1, above: { EUR: '0.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false }, srv)).msg).toBe('approvals');

        // One expires while the back office runs: its session is told, the funds come back.
        const first = await teamTransfer(ownerC, owner, owner.address, payee.address, '600.00', srv);
        expect(first.data.status).toBe('awaiting');
        expect((await ownerC.op('balance')).data).toEqual({ EUR: '400.00' });
        const expired = await ownerC.next((m) => m.msg === 'approval' && m.data.status === 'expired', 10_000);
        expect(expired.data.reason).toBe('not approved in time');
        expect((await ownerC.op('balance')).data).toEqual({ EUR: '1000.00' });

        // Another waits when the back office stops; the next one re-arms its expiry from the ledger.
        expect((await teamTransfer(ownerC, owner, owner.address, payee.address, '700.00', srv)).data.status).toBe('awaiting');
        await ownerC.close();
        await srv.close();
        restarted = await startTestServer({ ...where, rules: testRules(), approvalTtlMs: 1500 });
        const c = await TestClient.connect(restarted.url);
        await c.login(owner);
        expect((await c.op('balance')).data).toEqual({ EUR: '300.00' });
        await waitFor(async () => (await c.op('balance')).data.EUR === '1000.00', 10_000, 'the expiry after the restart');
        expect((await c.op('approvals')).data.items).toEqual([]);
        expect(await restarted.backOffice.store.checkInvariants()).toEqual([]);
        await c.close();
      } finally {
        await srv.close();
        await restarted?.close();
      }
    });

    it('beneficiary book: saved by an administrator’s device; a new destination needs approval, a saved one does not; the approval shows its name', async () => {
      const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR', name: 'Book Keeping SA' });
      await server.backOffice.admin({ command: 'verify', address: owner.address });
      await server.backOffice.admin({ command: 'deposit', to: owner.address, from: 'DE89370400440532013000', currency: 'EUR', amount: '10000.00' });
      const initiator = newIdentity();
      const approver = newIdentity();
      await setMember(ownerC, owner, owner.address, initiator.address, 'initiator');
      await setMember(ownerC, owner, owner.address, approver.address, 'approver');
      expect((await setPolicy(ownerC, owner, owner.address, { approvals: 1, above: {}, newBeneficiaryNeedsApproval: true, adminChangesNeedSecondAdmin: false })).msg).toBe('approvals');
      const IBAN = 'FR7630006000011234567890189';
      const save = (c: TestClient, signer: Identity, name: string, destination = 'FR76 3000 6000 0112 3456 7890 189') => {
        const id = requestId();
        const text = beneficiaryText({ account: owner.address, requestId: id, server: server.backofficeAddress, destination: IBAN, name });
        return c.op('setbeneficiary', { name, destination, requestId: id, confirmation: signer.sign(text) });
      };

      // Not yet in the book: approval needed, even for a small amount.
      const inC = await memberSession(initiator);
      await inC.op('act', { account: owner.address });
      const first = await teamTransfer(inC, initiator, owner.address, IBAN, '10.00');
      expect(first.msg).toBe('approval');
      expect(first.data.beneficiary).toBeUndefined();
      // Only an administrator saves a beneficiary; the IBAN is stored in its electronic form; the name as given.
      expect((await save(inC, initiator, 'Société Générale Paris')).data.code).toBe('ROLE_FORBIDS');
      const saved = await save(ownerC, owner, 'Société Générale Paris');
      expect(saved.msg).toBe('beneficiaries');
      expect(saved.data.items).toEqual([expect.objectContaining({ name: 'Société Générale Paris', destination: IBAN, addedBy: owner.address })]);
      // The waiting approval now shows the name beside the IBAN.
      expect((await inC.op('approvals')).data.items[0]).toMatchObject({ destination: IBAN, beneficiary: 'Société Générale Paris' });
      // In the book: no approval needed.
      expect((await teamTransfer(inC, initiator, owner.address, IBAN, '20.00')).msg).toBe('transfer');
      // Removed: approvals again.
      const id = requestId();
      const removed = await ownerC.op('removebeneficiary', { destination: IBAN, requestId: id, confirmation: owner.sign(beneficiaryText({ account: owner.address, requestId: id, server: server.backofficeAddress, destination: IBAN, remove: true })) });
      expect(removed.data.items).toEqual([]);
      expect((await teamTransfer(inC, initiator, owner.address, IBAN, '30.00')).msg).toBe('approval');
      const kinds = (await auditOf(ownerC)).map((e) => e.kind).filter((k) => k.startsWith('beneficiary'));
      expect(kinds).toEqual(['beneficiary-added', 'beneficiary-removed']);
      expect(await server.backOffice.store.checkInvariants()).toEqual([]);
      await inC.close();
      await ownerC.close();
    });
  });

  it('with the policy’s second administrator, member, policy and beneficiary changes wait for another administrator’s device', async () => {
    const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR', name: 'Four Eyes Ltd' });
    const admin2 = newIdentity();
    const viewer = newIdentity();
    const strict = { approvals: 0, above: {}, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: true };
    // With only one administrator, the policy cannot ask for a second.
    expect((await setPolicy(ownerC, owner, owner.address, strict)).data.code).toBe('INVALID_PARAMS');
    await setMember(ownerC, owner, owner.address, admin2.address, 'administrator');
    expect((await setPolicy(ownerC, owner, owner.address, strict)).data.policy.adminChangesNeedSecondAdmin).toBe(true);
    const a2C = await memberSession(admin2);
    await a2C.op('act', { account: owner.address });

    // A new member now waits; the proposer's own approval does not count; the second administrator's does.
    const proposed = await setMember(ownerC, owner, owner.address, viewer.address, 'viewer');
    expect(proposed.msg).toBe('change');
    expect(proposed.data).toMatchObject({ op: 'setmember', proposer: owner.address, status: 'awaiting', params: { member: viewer.address, role: 'viewer' } });
    expect((await ownerC.op('members')).data.members).toHaveLength(2);
    expect((await a2C.op('approvals')).data.changes.map((c: { requestId: string }) => c.requestId)).toEqual([proposed.data.requestId]);
    const approve = (c: TestClient, signer: Identity, change: { requestId: string; text: string }) => c.op('approve', { requestId: change.requestId, confirmation: signer.sign(change.text) });
    expect((await approve(ownerC, owner, proposed.data)).data.code).toBe('OWN_APPROVAL');
    expect((await a2C.op('approve', { requestId: proposed.data.requestId, confirmation: admin2.sign('something else') })).data.code).toBe('CONFIRMATION_INVALID');
    const applied = await approve(a2C, admin2, proposed.data);
    expect(applied.msg).toBe('change');
    expect(applied.data).toMatchObject({ status: 'applied', decidedBy: admin2.address });
    expect((await ownerC.op('members')).data.members.map((m: { member: string }) => m.member)).toContain(viewer.address);
    expect((await approve(a2C, admin2, proposed.data)).data.code).toBe('ALREADY_DECIDED');

    // A beneficiary rejected by the other administrator; a removal cancelled by its proposer.
    const IBAN = 'DE89370400440532013000';
    const bid = requestId();
    const bText = beneficiaryText({ account: owner.address, requestId: bid, server: server.backofficeAddress, destination: IBAN, name: 'Supplier' });
    const bene = await ownerC.op('setbeneficiary', { name: 'Supplier', destination: IBAN, requestId: bid, confirmation: owner.sign(bText) });
    expect(bene.data.status).toBe('awaiting');
    const reject = decisionText({ decision: 'reject', subject: 'change', account: owner.address, requestId: bid, server: server.backofficeAddress });
    expect((await a2C.op('reject', { requestId: bid, confirmation: admin2.sign(reject) })).data.status).toBe('rejected');
    expect((await ownerC.op('beneficiaries')).data.items).toEqual([]);
    const removal = await setMember(a2C, admin2, owner.address, viewer.address, 'none');
    expect(removal.data.status).toBe('awaiting');
    const cancel = decisionText({ decision: 'cancel', subject: 'change', account: owner.address, requestId: removal.data.requestId, server: server.backofficeAddress });
    expect((await ownerC.op('cancel', { requestId: removal.data.requestId, confirmation: owner.sign(cancel) })).data.code).toBe('ROLE_FORBIDS');
    expect((await a2C.op('cancel', { requestId: removal.data.requestId, confirmation: admin2.sign(cancel) })).data.status).toBe('cancelled');

    // A change that can no longer be applied when approved fails, and says why: the last second administrator.
    const demote = await setMember(ownerC, owner, owner.address, admin2.address, 'viewer');
    const failed = await approve(a2C, admin2, demote.data);
    expect(failed.data).toMatchObject({ status: 'failed' });
    expect(failed.data.reason).toMatch(/second administrator/);
    expect((await ownerC.op('members')).data.members.find((m: { member: string }) => m.member === admin2.address).role).toBe('administrator');

    const kinds = (await auditOf(ownerC)).map((e) => e.kind).filter((k) => k.startsWith('change-'));
    expect(kinds).toEqual(['change-proposed', 'change-approved', 'change-proposed', 'change-rejected', 'change-proposed', 'change-cancelled', 'change-proposed', 'change-approved']);
    await a2C.close();
    await ownerC.close();
  });
});

describe('team accounts through a gateway linked to a separate back office', () => {
  it('the member, the revocation and the login reports cross the internal link', async () => {
    const dataDir = tempDir();
    const bo = await startBackOffice({ dataDir, rules: testRules() });
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: [bo.link.url], secret, port: 0 });
    try {
      await waitFor(() => gw.link.isAvailable(), 10_000, 'the link');
      const url = gw.gateway.url;
      const { id: owner, client: ownerC } = await newCustomer(url, { currency: 'EUR' });
      const viewer = newIdentity();
      let n = 0;
      const change = async (role: string) => {
        const id = `link-req-${++n}`.padEnd(8, '0');
        const text = memberText({ account: owner.address, member: viewer.address, role: role as never, requestId: id, server: bo.backOffice.address });
        return ownerC.op('setmember', { member: viewer.address, role, requestId: id, confirmation: owner.sign(text) });
      };
      expect((await change('viewer')).msg).toBe('members');
      const vc = await TestClient.connect(url);
      expect((await vc.login(viewer)).msg).toBe('auth');
      expect((await vc.op('act', { account: owner.address })).data.role).toBe('viewer');
      expect((await vc.op('getinfo')).data.currency).toBe('EUR');
      expect((await vc.op('setinfo', { email: 'x@y.co' })).data.code).toBe('ROLE_FORBIDS');
      const closed = new Promise<number>((resolve) => vc.ws.once('close', (code) => resolve(code)));
      expect((await change('none')).msg).toBe('members');
      expect(await closed).toBe(4011);
      const again = await TestClient.connect(url);
      await again.login(owner);
      const trail = async () => ((await ownerC.op('audit')).data.events as { data: string }[]).map((e) => JSON.parse(e.data) as AuditEventData);
      await waitFor(async () => (await trail()).some((e) => e.kind === 'login'), 10_000, 'the login report');
      const kinds = (await trail()).map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['member-changed', 'act', 'refused', 'login']));
      expect((await trail()).every((e) => typeof e.gateway === 'string' && e.gateway.startsWith('gw-'))).toBe(true);
      await Promise.all([ownerC.close(), again.close()]);
    } finally {
      await gw.close();
      await bo.close();
    }
  });
});
