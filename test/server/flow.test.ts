// The full seed flow of the spec over real sockets and a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeOptions } from '../helpers/stores';
import { newCustomer, newIdentity, startTestServer, TestClient, testRules, type Msg } from '../helpers/server';
import { verifySignedData } from '../../src/shared/node/message-signature';
import { confirmationText } from '../../src/shared/confirmation';
import type { ServerProcess } from '../../src/server/serve';

describe.each(STORES)('seed flow and extensions (ledger in %s)', (store) => {
  let server: ServerProcess;
  const FROM_IBAN = 'DE89370400440532013000';

  beforeAll(async () => {
    server = await startTestServer({ ...(await storeOptions(store)), rules: testRules({ rails: { failIbans: ['GB60BARC20000055779911'] } }) });
  });
  afterAll(async () => server.close());

  const verified = (m: Msg) => verifySignedData(JSON.parse(m.raw).data, m.signed, server.backofficeAddress);
  const admin = (cmd: Parameters<ServerProcess['backOffice']['admin']>[0]) => server.backOffice.admin(cmd);

  describe('seed flow', () => {
    it('connect → challenge → auth → register → verify → deposit → internal transfer → IBAN pending → complete / failed', async () => {
      // Connect: a challenge arrives, unique per connection.
      const id = newIdentity('p2wpkh');
      const alice = await TestClient.connect(server.url);
      const other = await TestClient.connect(server.url);
      // A login text naming this server's host and a fresh nonce (issue 8): still an opaque string to a spec client.
      expect(alice.challenge).toMatch(new RegExp(`^CCC login to ${new URL(server.url).host.replace(/\./g, '\\.')} nonce [0-9a-f]{32} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
      expect(other.challenge).not.toBe(alice.challenge);
      await other.close();

      // Auth with a Bitcoin message signature of the challenge.
      const auth = await alice.login(id);
      expect(JSON.parse(auth.raw)).toEqual({ msg: 'auth', nonce: 1, data: 'User Authenticated' });

      // Not registered yet.
      expect((await alice.op('getinfo')).data.code).toBe('NOT_REGISTERED');
      const reg = await alice.op('register', { name: 'Alice Exchange S.A.', email: 'treasury@alice.example', country: 'pa', currency: 'usd', address: '123 Main Street, Panama City', phone: '+507 123-1234' });
      expect(reg.msg).toBe('register');
      expect(reg.data).toEqual({ name: 'Alice Exchange S.A.', email: 'treasury@alice.example', address: '123 Main Street, Panama City', phone: '+5071231234', country: 'PA', currency: 'USD', isVerified: false, iban: null, deviceConfirmation: { required: false, byAccount: false, byServer: false } });

      // Balance: preferred currency always, signed.
      const bal0 = await alice.op('balance');
      expect(bal0.data).toEqual({ USD: '0.00' });
      expect(verified(bal0)).toBe(true);

      // Operator verifies: IBAN assigned.
      const v = await admin({ command: 'verify', address: id.address });
      expect(v.ok).toBe(true);
      const info = await alice.op('getinfo');
      expect(info.data.isVerified).toBe(true);
      expect(info.data.iban).toMatch(/^GB\d{2}CCCT/);

      // Deposit from an IBAN: live, signed, sender = the IBAN.
      const dep = await admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '10000.00', reference: 'Wire 0001' });
      expect(dep.ok).toBe(true);
      const depMsg = await alice.next((m) => m.msg === 'transfer' && m.nonce === undefined);
      expect(depMsg.data).toMatchObject({ sender: FROM_IBAN, destination: id.address, currency: 'USD', amount: '10000.00', reference: 'Wire 0001' });
      expect(depMsg.data.status).toBeUndefined();
      expect(verified(depMsg)).toBe(true);
      expect((await alice.op('balance')).data).toEqual({ USD: '10000.00' });

      // Internal transfer: both sides get the identical signed message.
      const { id: bobId, client: bob } = await newCustomer(server.url, { kind: 'p2sh', currency: 'EUR' });
      const sent = await alice.op('transfer', { destination: bobId.address, currency: 'USD', amount: '1250.5', reference: 'Invoice 42' });
      expect(sent.msg).toBe('transfer');
      const got = await bob.next((m) => m.msg === 'transfer');
      expect(got.nonce).toBeUndefined();
      expect(got.data).toEqual(sent.data);
      expect(got.signed).toBe(sent.signed);
      expect(sent.data).toMatchObject({ sender: id.address, destination: bobId.address, currency: 'USD', amount: '1250.50', reference: 'Invoice 42' });
      expect(typeof sent.data.txid).toBe('number');
      expect(Math.abs(sent.data.timestamp - Date.now())).toBeLessThan(60_000);
      expect(verified(sent)).toBe(true);
      expect((await bob.op('balance')).data).toEqual({ EUR: '0.00', USD: '1250.50' });
      expect((await bob.op('balance', { currency: 'GBP' })).data).toEqual({ GBP: '0.00' });

      // IBAN payout: pending, funds reserved, then complete by the rail/operator.
      const payout = await alice.op('transfer', { destination: 'DE89 3704 0044 0532 0130 00', currency: 'USD', amount: '1000' });
      expect(payout.data).toMatchObject({ status: 'pending', destination: 'DE89370400440532013000', amount: '1000.00' });
      expect(verified(payout)).toBe(true);
      expect((await alice.op('balance')).data).toEqual({ USD: '7749.50' });
      expect((await admin({ command: 'settle', txid: payout.data.txid, outcome: 'complete' })).ok).toBe(true);
      const done = await alice.next((m) => m.msg === 'transfer' && m.data.txid === payout.data.txid && m.data.status === 'complete');
      expect(done.nonce).toBeUndefined();
      expect(verified(done)).toBe(true);
      expect((await alice.op('balance')).data).toEqual({ USD: '7749.50' });

      // Another payout fails: the hold is released and a reason given.
      const p2 = await alice.op('transfer', { destination: 'GB60BARC20000055779911', currency: 'USD', amount: '500.00' });
      expect(p2.data.status).toBe('pending');
      expect((await alice.op('balance')).data).toEqual({ USD: '7249.50' });
      await admin({ command: 'settle', txid: p2.data.txid, outcome: 'failed', reason: 'Account closed' });
      const failed = await alice.next((m) => m.msg === 'transfer' && m.data.txid === p2.data.txid && m.data.status === 'failed');
      expect(failed.data.message).toBe('Account closed');
      expect(verified(failed)).toBe(true);
      expect((await alice.op('balance')).data).toEqual({ USD: '7749.50' });

      // Settling twice is refused; unknown transactions too.
      expect(await admin({ command: 'settle', txid: p2.data.txid, outcome: 'complete' })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
      expect(await admin({ command: 'settle', txid: 999999, outcome: 'complete' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TRANSACTION' } });

      // History replays everything, signed, oldest first, with the closing message.
      const h = await alice.history();
      expect(h.transfers.map((m) => m.data.txid)).toEqual([depMsg.data.txid, sent.data.txid, payout.data.txid, p2.data.txid]);
      expect(h.transfers.every(verified)).toBe(true);
      expect(h.transfers[2].data.status).toBe('complete');
      expect(h.transfers[3].data).toMatchObject({ status: 'failed', message: 'Account closed' });
      expect(h.end.data).toEqual({ count: 4, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await server.backOffice.store.checkInvariants()).toEqual([]);
      await Promise.all([alice.close(), bob.close()]);
    });

    it('rails settle pending payouts by themselves after the configured delay, with failure rules', async () => {
      const fast = await startTestServer({ ...(await storeOptions(store)), rules: testRules({ rails: { settleDelayMs: 200, failCountries: ['FR'], failReason: 'Rejected by beneficiary bank' } }) });
      try {
        const { id, client } = await newCustomer(fast.url);
        await fast.backOffice.admin({ command: 'verify', address: id.address });
        await fast.backOffice.admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '100' });
        const a = await client.op('transfer', { destination: FROM_IBAN, currency: 'USD', amount: '10' });
        const b = await client.op('transfer', { destination: 'FR7630006000011234567890189', currency: 'USD', amount: '20' });
        const doneA = await client.next((m) => m.data?.txid === a.data.txid && m.data.status !== 'pending');
        const doneB = await client.next((m) => m.data?.txid === b.data.txid && m.data.status !== 'pending');
        expect(doneA.data.status).toBe('complete');
        expect(doneB.data).toMatchObject({ status: 'failed', message: 'Rejected by beneficiary bank' });
        expect((await client.op('balance')).data).toEqual({ USD: '90.00' });
        expect(await fast.backOffice.store.checkInvariants()).toEqual([]);
        await client.close();
      } finally {
        await fast.close();
      }
    });

    it('notifies every session of an account; the sender session gets its answer exactly once', async () => {
      const { id, client: a1 } = await newCustomer(server.url);
      const a2 = await TestClient.connect(server.url);
      await a2.login(id);
      await admin({ command: 'verify', address: id.address });
      await admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '50' });
      await a1.next((m) => m.msg === 'transfer');
      await a2.next((m) => m.msg === 'transfer');
      const { id: bId, client: b } = await newCustomer(server.url);
      const sent = await a1.op('transfer', { destination: bId.address, currency: 'USD', amount: '5' });
      const onA2 = await a2.next((m) => m.msg === 'transfer' && m.data.txid === sent.data.txid);
      expect(onA2.data).toEqual(sent.data);
      await new Promise((r) => setTimeout(r, 200));
      expect(a1.received.filter((m) => m.data?.txid === sent.data.txid)).toHaveLength(1);
      await Promise.all([a1.close(), a2.close(), b.close()]);
    });
  });

  describe('history filters', () => {
    it('limit, sinceTransaction and sinceTime', async () => {
      const { id, client } = await newCustomer(server.url);
      await admin({ command: 'verify', address: id.address });
      const txids: number[] = [];
      const times: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const r = await admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: `${i}.00` });
        if (!r.ok) throw new Error('deposit failed');
        txids.push((r.result as { txid: number }).txid);
        times.push((r.result as { timestamp: number }).timestamp);
        await new Promise((res) => setTimeout(res, 5));
      }
      const ids = (h: { transfers: Msg[] }) => h.transfers.map((m) => m.data.txid);
      expect(ids(await client.history())).toEqual(txids);
      const last2 = await client.history({ limit: 2 });
      expect(ids(last2)).toEqual(txids.slice(3));
      expect(last2.end.data).toEqual({ count: 2, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(ids(await client.history({ sinceTransaction: txids[2] }))).toEqual(txids.slice(2));
      expect(ids(await client.history({ sinceTime: times[3] }))).toEqual(txids.slice(3));
      expect(ids(await client.history({ sinceTransaction: txids[4] + 1000 }))).toEqual([]);
      expect((await client.history({ limit: 1, sinceTime: 0 })).end.data.code).toBe('INVALID_PARAMS');
      expect((await client.history({ limit: 0 })).end.data.code).toBe('INVALID_PARAMS');
      expect((await client.history({ limit: 1.5 })).end.data.code).toBe('INVALID_PARAMS');
      await client.close();
    });
  });

  describe('extensions', () => {
    it('requestId: a retry returns the original result and never moves money twice; other params conflict', async () => {
      const { id, client } = await newCustomer(server.url);
      const { id: dest, client: d } = await newCustomer(server.url);
      await admin({ command: 'verify', address: id.address });
      await admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '100' });
      const params = { destination: dest.address, currency: 'USD', amount: '30.00', requestId: 'req-0001-abcdef' };
      const first = await client.op('transfer', params);
      const again = await client.op('transfer', { ...params, amount: 30 });
      expect(again.msg).toBe('transfer');
      expect(again.data).toEqual(first.data);
      expect((await client.op('balance')).data).toEqual({ USD: '70.00' });
      const conflict = await client.op('transfer', { ...params, amount: '31.00' });
      expect(conflict.data.code).toBe('IDEMPOTENCY_CONFLICT');
      expect((await client.op('balance')).data).toEqual({ USD: '70.00' });
      // Concurrent duplicates (a client retrying on two connections) still move money once.
      const c2 = await TestClient.connect(server.url);
      await c2.login(id);
      const p2 = { ...params, requestId: 'req-0002-abcdef', amount: '7' };
      const [x, y] = await Promise.all([client.op('transfer', p2), c2.op('transfer', p2)]);
      expect(x.data.txid).toBe(y.data.txid);
      expect((await client.op('balance')).data).toEqual({ USD: '63.00' });
      // A rejected request replays its rejection.
      const big = { destination: dest.address, currency: 'USD', amount: '1000', requestId: 'req-0003-abcdef' };
      expect((await client.op('transfer', big)).data.code).toBe('INSUFFICIENT_FUNDS');
      await Promise.all([client.close(), c2.close(), d.close()]);
    });

    it('confirmation: a device signature over the canonical text is verified; a mismatch is rejected', async () => {
      const { id, client } = await newCustomer(server.url, { kind: 'p2wpkh' });
      const { id: dest, client: d } = await newCustomer(server.url);
      await admin({ command: 'verify', address: id.address });
      await admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '100' });
      const requestId = 'confirm-0001';
      const text = confirmationText({ amount: '12.00', currency: 'USD', destination: dest.address, requestId, server: server.backofficeAddress });
      const good = await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '12', requestId, confirmation: id.sign(text) });
      expect(good.msg).toBe('transfer');
      // Signed text for 12.00, but the request asks for 99.00: refused, nothing moves.
      const requestId2 = 'confirm-0002';
      const text2 = confirmationText({ amount: '12.00', currency: 'USD', destination: dest.address, requestId: requestId2, server: server.backofficeAddress });
      const bad = await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '99', requestId: requestId2, confirmation: id.sign(text2) });
      expect(bad.data.code).toBe('CONFIRMATION_INVALID');
      // Signed by someone else.
      const bad2 = await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '12', requestId: 'confirm-0003', confirmation: newIdentity().sign(confirmationText({ amount: '12.00', currency: 'USD', destination: dest.address, requestId: 'confirm-0003', server: server.backofficeAddress })) });
      expect(bad2.data.code).toBe('CONFIRMATION_INVALID');
      const noId = await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '12', confirmation: id.sign(text) });
      expect(noId.data.code).toBe('INVALID_PARAMS');
      expect((await client.op('balance')).data).toEqual({ USD: '88.00' });
      await Promise.all([client.close(), d.close()]);
    });

    it('confirmation can be made mandatory by the operator', async () => {
      const strict = await startTestServer({ ...(await storeOptions(store)), rules: testRules({ requireConfirmation: true }) });
      try {
        const { id, client } = await newCustomer(strict.url);
        const { id: dest } = await newCustomer(strict.url);
        await strict.backOffice.admin({ command: 'verify', address: id.address });
        await strict.backOffice.admin({ command: 'deposit', to: id.address, from: FROM_IBAN, currency: 'USD', amount: '10' });
        expect((await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '1' })).data.code).toBe('CONFIRMATION_REQUIRED');
        const text = confirmationText({ amount: '1.00', currency: 'USD', destination: dest.address, requestId: 'strict-0001', server: strict.backofficeAddress });
        expect((await client.op('transfer', { destination: dest.address, currency: 'USD', amount: '1', requestId: 'strict-0001', confirmation: id.sign(text) })).msg).toBe('transfer');
        await client.close();
      } finally {
        await strict.close();
      }
    });
  });

  describe('auth', () => {
    it.each(['p2pkh', 'p2sh', 'p2wpkh'] as const)('accepts %s addresses, including BIP137 segwit headers', async (kind) => {
      const id = newIdentity(kind);
      const c = await TestClient.connect(server.url);
      let sig = id.sign(c.challenge);
      if (kind !== 'p2pkh') {
        const raw = Buffer.from(sig, 'base64');
        raw[0] = (kind === 'p2sh' ? 35 : 39) + (raw[0] - 31);
        sig = raw.toString('base64');
      }
      expect((await c.op('auth', { key: id.address, signature: sig })).msg).toBe('auth');
      await c.close();
    });
  });
});
