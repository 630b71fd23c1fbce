// The app's side of truthful answers: a transfer answered OUTCOME_UNKNOWN (the server could not
// learn in time what became of it) is resent with the same requestId, so the user sees the real
// result, and the money moves once. The gateway↔back-office link is cut through a proxy.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newCustomer, newIdentity, tempDir, TestClient, testRules } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import { startBackOffice, startRemoteGateway } from '../../src/server/serve';
import { CccClient } from '../../src/main/session/ccc-client';
import { confirmationText } from '../../src/shared/confirmation';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('CccClient and OUTCOME_UNKNOWN', () => {
  it('resends with the same requestId until it learns the real result; one transfer is booked', async () => {
    const dataDir = tempDir();
    const bo = await startBackOffice({ dataDir, rules: testRules() });
    const proxy = await WsProxy.start(bo.link.url);
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: proxy.url, secret, port: 0, outcomeRecoveryMs: 200 });
    cleanups.push(() => bo.close(), () => proxy.close(), () => gw.close());

    const me = newIdentity();
    const client = new CccClient({ endpoint: gw.gateway.url, trustedAddress: bo.backOffice.address, address: me.address, signChallenge: async (c) => me.sign(c) });
    cleanups.push(() => client.close());
    const setup = await TestClient.connect(gw.gateway.url);
    await setup.login(me);
    expect((await setup.op('register', { name: 'Treasury Ltd', email: 't@example.com', country: 'PA', currency: 'USD' })).msg).toBe('register');
    await setup.close();
    await client.connect();
    await bo.backOffice.admin({ command: 'verify', address: me.address });
    await bo.backOffice.admin({ command: 'deposit', to: me.address, from: 'DE89370400440532013000', currency: 'USD', amount: '50' });
    const payee = await newCustomer(gw.gateway.url);
    cleanups.push(() => payee.client.close());

    // Cut the link right after the transfer reaches the back office, and keep it down past the bound.
    let cut = false;
    proxy.onClientFrame = (text) => {
      if (cut || !text.includes('"op":"transfer"')) return;
      cut = true;
      proxy.refuseConnections = true;
      setTimeout(() => (proxy.refuseConnections = false), 1200);
      return 'drop-connection';
    };
    const t = { destination: payee.id.address, currency: 'USD', amount: '20.00', requestId: 'app-outcome-0001' };
    const result = (await client.sendTransfer({ ...t, confirmation: me.sign(confirmationText({ ...t, currency: 'USD', server: bo.backOffice.address })) })).data;
    expect(cut).toBe(true);
    expect(result).toMatchObject({ amount: '20.00', destination: payee.id.address });
    const rows = bo.backOffice.ledger.db.prepare("SELECT txid FROM transfers WHERE sender = ? AND status = 'complete'").all(me.address) as { txid: bigint }[];
    expect(rows.map((r) => Number(r.txid))).toEqual([result.txid]);
  });
});
