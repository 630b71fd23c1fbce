// Team accounts over real sockets (docs/team-treasury.md): members with their own keys act for a
// company account within their role; the server — not the app — refuses what a role does not allow;
// a removed member loses access at once; every step is in the account's signed audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, newIdentity, startTestServer, TestClient, testRules, type Identity } from '../helpers/server';
import { verifySignedData } from '../../src/shared/node/message-signature';
import { memberText } from '../../src/shared/team';
import { confirmationText } from '../../src/shared/confirmation';
import type { AuditEventData } from '../../src/shared/protocol';
import type { ServerProcess } from '../../src/server/serve';

let server: ServerProcess;
beforeAll(async () => {
  server = await startTestServer({ rules: testRules() });
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

    // The audit trail: signed, gap-free, every step with who did it.
    const events = await auditOf(ownerC);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const summary = events.map((e) => [e.kind, e.actor, e.details.op ?? e.details.to ?? e.details.role ?? null]);
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
    ]);
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
});
