// The server under failure and load: a back office killed mid-session, the admin CLI as a real
// child process, split gateway/back-office processes, and invariants after a randomised
// concurrent workload.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { newCustomer, runCli, spawnCli, startTestServer, tempDir, TestClient, testRules } from '../helpers/server';
import { startBackOffice, startRemoteGateway } from '../../src/server/serve';
import { verifySignedData } from '../../src/shared/node/message-signature';
import { Ledger } from '../../src/server/backoffice/ledger';
import pg from 'pg';
import { STORES, storeOptions } from '../helpers/stores';

const IBAN = 'DE89370400440532013000';

describe.each(STORES)('a killed back office (ledger in %s)', (store) => {
  it('a killed back office makes operations fail fast; the gateway reconnects by itself', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'compliance.json'), JSON.stringify(testRules()));
    const { database } = await storeOptions(store);
    const db = database ? ['--database', database] : [];
    let bo = await spawnCli(['backoffice', '--data', dataDir, '--link-port', '0', ...db]);
    const linkUrl = bo.lines.link;
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: linkUrl, secret, port: 0 });
    try {
      expect(gw.link.isAvailable()).toBe(true);
      const { id, client } = await newCustomer(gw.gateway.url);
      expect((await runCli(['admin', '--data', dataDir, 'verify', id.address])).code).toBe(0);
      const dep = await runCli(['admin', '--data', dataDir, 'deposit', '--to', id.address, '--from', IBAN, '--currency', 'USD', '--amount', '25.00']);
      expect(dep.stdout).toContain('amount: 25.00');
      const live = await client.next((m) => m.msg === 'transfer');
      expect(verifySignedData(live.data, live.signed, bo.lines['backoffice-address'])).toBe(true);

      // Kill -9: no goodbye. Operations fail at once, the session stays open.
      await bo.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const down = await client.op('balance');
      expect(down.data.code).toBe('BACKEND_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(client.closed).toBe(false);

      // Restart on the same port: the gateway finds it again without help.
      const port = new URL(linkUrl).port;
      fs.rmSync(path.join(dataDir, 'backoffice.json'), { force: true });
      bo = await spawnCli(['backoffice', '--data', dataDir, '--link-port', port, ...db]);
      for (let i = 0; i < 100 && !gw.link.isAvailable(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(gw.link.isAvailable()).toBe(true);
      const bal = await client.op('balance');
      expect(bal.data).toEqual({ USD: '25.00' });
      await client.close();
    } finally {
      await gw.close();
      await bo.stop();
    }
  });
});

describe('split processes', () => {
  it('admin commands work through a running `serve` (live notification) and when it is stopped', async () => {
    const dataDir = tempDir();
    const srv = await spawnCli(['serve', '--port', '0', '--data', dataDir, '--sandbox']);
    let address = '';
    try {
      const { id, client } = await newCustomer(srv.lines.ws);
      address = id.address;
      const v = await runCli(['admin', '--data', dataDir, 'verify', id.address]);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/isVerified: true/);
      await runCli(['admin', '--data', dataDir, 'deposit', '--to', id.address, '--from', IBAN, '--currency', 'eur', '--amount', '10']);
      expect((await client.next((m) => m.msg === 'transfer')).data).toMatchObject({ amount: '10.00', currency: 'EUR', sender: IBAN });
      const bad = await runCli(['admin', '--data', dataDir, 'deposit', '--to', id.address, '--from', IBAN, '--currency', 'EUR', '--amount', '-1']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/INVALID_AMOUNT/);
      await client.close();
    } finally {
      await srv.stop();
    }
    // Stopped: the command opens the ledger directly.
    const dep = await runCli(['admin', '--data', dataDir, '--json', 'deposit', '--to', address, '--from', IBAN, '--currency', 'EUR', '--amount', '5']);
    expect(dep.code).toBe(0);
    expect(JSON.parse(dep.stdout)).toMatchObject({ amount: '5.00' });
    const key = await runCli(['admin', '--data', dataDir, 'key']);
    expect(key.stdout).toMatch(/^backoffice-address: 1/);
    const ledger = new Ledger(path.join(dataDir, 'ledger.sqlite'));
    expect(ledger.balance(address, 'EUR').balance).toBe(1500n);
    ledger.close();
  });
});

describe.each(STORES)('the back office under load and restarts (ledger in %s)', (store) => {
  describe('several gateways, one back office', () => {
    it('routes a transfer between customers on different gateways to both sides', async () => {
      const dataDir = tempDir();
      const bo = await startBackOffice({ dataDir, ...(await storeOptions(store)), rules: testRules() });
      const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
      const gw1 = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
      const gw2 = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
      try {
        const a = await newCustomer(gw1.gateway.url);
        const b = await newCustomer(gw2.gateway.url);
        const a2 = await TestClient.connect(gw2.gateway.url); // the sender, also logged in on the other gateway
        await a2.login(a.id);
        await bo.backOffice.admin({ command: 'verify', address: a.id.address });
        await bo.backOffice.admin({ command: 'deposit', to: a.id.address, from: IBAN, currency: 'USD', amount: '10' });
        await a.client.next((m) => m.msg === 'transfer');
        await a2.next((m) => m.msg === 'transfer');
        const sent = await a.client.op('transfer', { destination: b.id.address, currency: 'USD', amount: '4' });
        // Identical data and signature for both sides (the sender's answer also carries its binding, an extension).
        const toB = await b.client.next((m) => m.msg === 'transfer');
        expect(toB.raw).toBe(sent.raw.replace(/,"nonce":\d+/, '').replace(/,"bind":.*$/, '}'));
        expect(sent.raw).toContain('"bind":{');
        expect((await a2.next((m) => m.msg === 'transfer' && m.data.txid === sent.data.txid)).data).toEqual(sent.data);
        await Promise.all([a.client.close(), b.client.close(), a2.close()]);
      } finally {
        await gw1.close();
        await gw2.close();
        await bo.close();
      }
    });
  });

  describe('randomised concurrent workload', () => {
    it('keeps every invariant and answers every operation exactly once', async () => {
      const database = (await storeOptions(store)).database;
      const server = await startTestServer({ database });
      try {
        const currencies = ['USD', 'EUR', 'JPY'] as const;
        const customers = await Promise.all(Array.from({ length: 8 }, () => newCustomer(server.url)));
        for (const { id } of customers) {
          await server.backOffice.admin({ command: 'verify', address: id.address });
          for (const cur of currencies) await server.backOffice.admin({ command: 'deposit', to: id.address, from: IBAN, currency: cur, amount: '500' });
        }
        // Deterministic pseudo-random sequence so a failure can be replayed.
        let seed = 42;
        const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        const sent = new Map<TestClient, Set<number>>();
        const ops: Promise<unknown>[] = [];
        for (let i = 0; i < 400; i++) {
          const from = customers[rand(customers.length)];
          const to = customers[rand(customers.length)];
          const cur = currencies[rand(3)];
          const amount = cur === 'JPY' ? String(1 + rand(300)) : `${rand(200)}.${String(rand(100)).padStart(2, '0')}`;
          const params = rand(10) === 0 ? { destination: IBAN, currency: cur, amount } : { destination: to.id.address, currency: cur, amount };
          const nonces = sent.get(from.client) ?? new Set();
          sent.set(from.client, nonces);
          ops.push(
            from.client.op('transfer', params).then((m) => {
              expect(['transfer', 'error']).toContain(m.msg);
              if (m.msg === 'error') expect(['INSUFFICIENT_FUNDS', 'SELF_TRANSFER', 'INVALID_AMOUNT']).toContain(m.data.code);
              nonces.add(m.nonce as number);
            }),
          );
        }
        await Promise.all(ops);
        // Settle the payouts, half failed.
        for (const row of await server.backOffice.store.pendingPayouts()) {
          await server.backOffice.admin({ command: 'settle', txid: Number(row.txid), outcome: rand(2) ? 'complete' : 'failed' });
        }
        await new Promise((r) => setTimeout(r, 200));
        // Exactly one answer per op: no nonce answered twice.
        for (const c of customers.map((x) => x.client)) {
          const answers = c.received.filter((m) => m.nonce !== undefined).map((m) => m.nonce);
          expect(new Set(answers).size).toBe(answers.length);
        }
        expect(await server.backOffice.store.checkInvariants()).toEqual([]);
        // An independent check straight on the database, with its own connection.
        const sums = 'SELECT currency, SUM(amount)::TEXT s FROM postings p JOIN ledger_accounts a ON a.id = p.ledger_account GROUP BY currency';
        const negative = "SELECT COUNT(*)::TEXT n FROM ledger_accounts WHERE kind = 'customer' AND balance < 0";
        if (database) {
          const c = new pg.Client({ connectionString: database });
          await c.connect();
          for (const r of (await c.query<{ s: string }>(sums)).rows) expect(r.s).toBe('0');
          expect((await c.query<{ n: string }>(negative)).rows[0].n).toBe('0');
          await c.end();
        } else {
          const db = new Database(path.join(server.dataDir, 'ledger.sqlite'), { readonly: true });
          for (const r of db.prepare(sums.replace(/::TEXT/g, '')).all() as { s: number }[]) expect(r.s).toBe(0);
          expect((db.prepare(negative.replace(/::TEXT/g, '')).get() as { n: number }).n).toBe(0);
          db.close();
        }
        // Group commit happened: fewer commits than operations.
        expect(server.backOffice.stats.commits).toBeLessThan(server.backOffice.stats.operations);
        await Promise.all(customers.map((c) => c.client.close()));
      } finally {
        await server.close();
      }
    });
  });

  describe('durability', () => {
    it('a pending payout survives a restart and is then settled by the rail', async () => {
      const dataDir = tempDir();
      const { database } = await storeOptions(store);
      let server = await startTestServer({ dataDir, database, rules: testRules({ rails: { settleDelayMs: 400 } }) });
      const { id, client } = await newCustomer(server.url);
      await server.backOffice.admin({ command: 'verify', address: id.address });
      await server.backOffice.admin({ command: 'deposit', to: id.address, from: IBAN, currency: 'USD', amount: '100' });
      const p = await client.op('transfer', { destination: IBAN, currency: 'USD', amount: '40' });
      expect(p.data.status).toBe('pending');
      await client.close();
      await server.close();
      server = await startTestServer({ dataDir, database, rules: testRules({ rails: { settleDelayMs: 400 } }) });
      try {
        const c = await TestClient.connect(server.url);
        await c.login(id);
        for (let i = 0; i < 50; i++) {
          if ((await server.backOffice.store.read((r) => r.findTransfer(BigInt(p.data.txid))))?.status === 'complete') break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const h = await c.history({ sinceTransaction: p.data.txid });
        expect(h.transfers[0].data).toMatchObject({ txid: p.data.txid, status: 'complete' });
        expect((await c.op('balance')).data).toEqual({ USD: '60.00' });
        expect((await server.backOffice.store.statusHistory(BigInt(p.data.txid))).map((s) => s.status)).toEqual(['NEW', 'approved', 'pending', 'complete']);
        await c.close();
      } finally {
        await server.close();
      }
    });
  });
});
