// Every answer is the truth: when the link between a gateway and the back office drops with an
// operation in flight, the gateway learns what really became of it (by ref, from the back
// office's durable outcome log) instead of answering "not performed". The link runs through a
// proxy that cuts it at the chosen frame.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORES, storeOptions, type StoreKind } from '../helpers/stores';
import { newCustomer, tempDir, testRules } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import { startBackOffice, startRemoteGateway, type BackOfficeProcess } from '../../src/server/serve';
import { verifySignedData } from '../../src/shared/node/message-signature';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup(store: StoreKind, opts: { outcomeRecoveryMs?: number } = {}) {
  const dataDir = tempDir();
  const database = (await storeOptions(store)).database;
  let bo: BackOfficeProcess = await startBackOffice({ dataDir, database, rules: testRules() });
  const proxy = await WsProxy.start(bo.link.url);
  const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
  const gw = await startRemoteGateway({ backofficeUrl: proxy.url, secret, port: 0, outcomeRecoveryMs: opts.outcomeRecoveryMs });
  cleanups.push(() => gw.close(), () => proxy.close(), () => bo.close());
  const alice = await newCustomer(gw.gateway.url);
  const bob = await newCustomer(gw.gateway.url);
  cleanups.push(() => alice.client.close(), () => bob.client.close());
  await bo.backOffice.admin({ command: 'verify', address: alice.id.address });
  await bo.backOffice.admin({ command: 'deposit', to: alice.id.address, from: IBAN, currency: 'USD', amount: '100' });
  await alice.client.next((m) => m.msg === 'transfer');
  /** Cuts the link right after (or instead of) the next `transfer` op frame. */
  const cutOnTransfer = (how: 'drop-connection' | 'lose-and-drop') => {
    let done = false;
    proxy.onClientFrame = (text) => {
      if (done || !text.includes('"op":"transfer"')) return;
      done = true;
      return how;
    };
  };
  return {
    dataDir,
    proxy,
    gw,
    alice,
    bob,
    bo: () => bo,
    cutOnTransfer,
    /** Stops the back office and starts it again on the same data (nothing survives but the files). */
    restartBackOffice: async () => {
      await bo.close();
      bo = await startBackOffice({ dataDir, database, rules: testRules() });
      proxy.target = bo.link.url;
    },
    transfersOf: async (sender: string) => (await bo.backOffice.store.audit()).transfers.filter((t) => t.sender === sender && t.status !== 'rejected'),
  };
}

describe.each(STORES)('outcomes (ledger in %s)', (store) => {
  describe('truthful answers after the link to the back office drops', () => {
    it('a transfer committed as the link dropped is answered with its real signed message (no requestId)', async () => {
      const t = await setup(store);
      t.cutOnTransfer('drop-connection');
      const m = await t.alice.client.op('transfer', { destination: t.bob.id.address, currency: 'USD', amount: '30' });
      expect(m.msg).toBe('transfer');
      const rows = (await t.transfersOf(t.alice.id.address));
      expect(rows).toHaveLength(1);
      expect(m.data).toMatchObject({ txid: Number(rows[0].txid), amount: '30.00' });
      expect(verifySignedData(m.data, m.signed, t.bo().backOffice.address)).toBe(true);
      expect((await t.alice.client.op('balance')).data).toEqual({ USD: '70.00' });
    });

    it('a refusal decided as the link dropped is answered with the real refusal', async () => {
      const t = await setup(store);
      t.cutOnTransfer('drop-connection');
      const m = await t.alice.client.op('transfer', { destination: t.bob.id.address, currency: 'USD', amount: '500' });
      expect(m.data.code).toBe('INSUFFICIENT_FUNDS');
    });

    it('an operation lost before the back office got it is answered "not performed", confirmed by the back office', async () => {
      const t = await setup(store);
      t.cutOnTransfer('lose-and-drop');
      const m = await t.alice.client.op('transfer', { destination: t.bob.id.address, currency: 'USD', amount: '30' });
      expect(m.data.code).toBe('BACKEND_UNAVAILABLE');
      expect(m.data.message).toMatch(/confirms/);
      expect((await t.transfersOf(t.alice.id.address))).toHaveLength(0);
    });

    it('the outcome survives a back-office restart (it is committed with the operation)', async () => {
      const t = await setup(store);
      t.cutOnTransfer('drop-connection');
      t.proxy.refuseConnections = true;
      const answer = t.alice.client.op('transfer', { destination: t.bob.id.address, currency: 'USD', amount: '12.5' });
      for (let i = 0; i < 100 && (await t.transfersOf(t.alice.id.address)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await t.transfersOf(t.alice.id.address))).toHaveLength(1);
      await t.restartBackOffice();
      t.proxy.refuseConnections = false;
      const m = await answer;
      expect(m.msg).toBe('transfer');
      expect(m.data).toMatchObject({ amount: '12.50', txid: Number((await t.transfersOf(t.alice.id.address))[0].txid) });
    });

    it('OUTCOME_UNKNOWN only when the outcome cannot be learnt in time; a retry with the same requestId gives the real result', async () => {
      const t = await setup(store, { outcomeRecoveryMs: 300 });
      t.cutOnTransfer('drop-connection');
      t.proxy.refuseConnections = true;
      const params = { destination: t.bob.id.address, currency: 'USD', amount: '7', requestId: 'chaos-req-0001' };
      const m = await t.alice.client.op('transfer', params);
      expect(m.data.code).toBe('OUTCOME_UNKNOWN');
      expect(m.data.message).toMatch(/check/);
      t.proxy.refuseConnections = false;
      for (let i = 0; i < 100 && !t.gw.link.isAvailable(); i++) await new Promise((r) => setTimeout(r, 50));
      const retry = await t.alice.client.op('transfer', params);
      expect(retry.msg).toBe('transfer');
      expect((await t.transfersOf(t.alice.id.address))).toHaveLength(1);
      expect(retry.data.txid).toBe(Number((await t.transfersOf(t.alice.id.address))[0].txid));
    });
  });

  describe('the back office fences a ref it declared not performed', () => {
    it('an operation arriving after its gateway asked is refused and changes nothing', async () => {
      const process = await startBackOffice({ dataDir: tempDir(), ...(await storeOptions(store)), rules: testRules() });
      cleanups.push(() => process.close());
      const bo = process.backOffice;
      const account = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2';
      expect(await bo.recoverOutcomes(['gw.x:1'])).toEqual([{ ref: 'gw.x:1', state: 'not-performed' }]);
      const late = await bo.execute({ ref: 'gw.x:1', account, op: 'register', params: { name: 'Late Ltd', email: 'a@example.com', country: 'PA', currency: 'USD' } }, () => undefined);
      expect(late).toMatchObject({ ok: false, error: { code: 'BACKEND_UNAVAILABLE' } });
      expect(await bo.store.read((r) => r.account(account))).toBeUndefined();
      // A ref performed normally is remembered with its answer.
      const sent: string[] = [];
      await bo.execute({ ref: 'gw.x:2', account, op: 'register', params: { name: 'On Time Ltd', email: 'a@example.com', country: 'PA', currency: 'USD' } }, (m) => sent.push(m.data));
      const [r] = await bo.recoverOutcomes(['gw.x:2']);
      expect(r).toMatchObject({ state: 'done', outcome: { ok: true } });
      expect(r.state === 'done' && r.messages.map((m) => m.data)).toEqual(sent);
    });
  });
});
