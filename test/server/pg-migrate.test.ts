// `ccc-server migrate --from ledger.sqlite --to postgres://…` (issue 10): a real workload on SQLite —
// deposits, internal transfers with retried requestIds, payouts settled, failed and still pending, a
// compliance rejection, a team account with a member, a policy and a transfer awaiting approval (held) —
// copied by the real CLI into an empty PostgreSQL database; then a back office on PostgreSQL serves the
// same customers the same truth (balances, byte-identical signed history, the pending payout settles,
// the awaiting approval is released, new txids follow the old ones), and invariants hold. And it refuses,
// writing nothing: a missing file, a file that is not SQLite, an SQLite file that is not a ledger, a
// ledger that breaks its invariants, and a target database that is not empty.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { newCustomer, runCli, startTestServer, tempDir, TestClient, testRules, type Identity, type Msg } from '../helpers/server';
import { freshDatabase } from '../helpers/stores';
import { PgLedgerStore } from '../../src/server/backoffice/pg-store';
import { SqliteLedgerStore } from '../../src/server/backoffice/sqlite-store';
import { confirmationText } from '../../src/shared/confirmation';
import { memberText, teamPolicyText } from '../../src/shared/team';
import type { ServerProcess } from '../../src/server/serve';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const IBAN_IN = 'DE89370400440532013000';
let n = 0;
const rid = () => `migrate-${(++n).toString().padStart(4, '0')}`;

/** Rows in every table of the ledger that the migration would write (all 0 for an untouched database). */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT IN ('schema_migrations', 'leadership') ORDER BY table_name")).rows;
    const counts: Record<string, number> = {};
    for (const t of tables) counts[t.table_name] = Number((await c.query(`SELECT COUNT(*) AS n FROM ${t.table_name}`)).rows[0].n);
    return counts;
  } finally {
    await c.end();
  }
}

/** A workload on an SQLite server; returns what the customers saw. */
async function workload(server: ServerProcess) {
  const admin = (cmd: Parameters<ServerProcess['backOffice']['admin']>[0]) => server.backOffice.admin(cmd);
  const { id: owner, client: ownerC } = await newCustomer(server.url, { currency: 'EUR' });
  const { id: payee, client: payeeC } = await newCustomer(server.url, { currency: 'EUR' });
  const { id: approver, client: approverC } = await newCustomer(server.url, { currency: 'EUR' });
  cleanups.push(() => ownerC.close(), () => payeeC.close(), () => approverC.close());
  expect((await admin({ command: 'verify', address: owner.address })).ok).toBe(true);
  expect((await admin({ command: 'verify', address: payee.address })).ok).toBe(true);
  expect((await admin({ command: 'deposit', to: owner.address, from: IBAN_IN, currency: 'EUR', amount: '5000.00' })).ok).toBe(true);
  expect((await admin({ command: 'deposit', to: owner.address, from: IBAN_IN, currency: 'USD', amount: '70.25', reference: 'usd float' })).ok).toBe(true);
  for (let i = 0; i < 30; i++) {
    const requestId = rid();
    const m = await ownerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: `${i + 1}.01`, requestId });
    expect(m.msg, m.raw).toBe('transfer');
    if (i % 5 === 0) expect((await ownerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: `${i + 1}.01`, requestId })).data.txid).toBe(m.data.txid);
  }
  expect((await payeeC.op('transfer', { destination: owner.address, currency: 'EUR', amount: '3.33', requestId: rid() })).msg).toBe('transfer');
  // Payouts: one settled, one failed, one still pending.
  const payout = async () => (await ownerC.op('transfer', { destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '10.00', requestId: rid() })).data.txid as number;
  const [settled, failed, pending] = [await payout(), await payout(), await payout()];
  expect((await admin({ command: 'settle', txid: settled, outcome: 'complete' })).ok).toBe(true);
  expect((await admin({ command: 'settle', txid: failed, outcome: 'failed', reason: 'account closed' })).ok).toBe(true);
  // A compliance rejection: the approver's account is not verified.
  expect((await approverC.op('transfer', { destination: owner.address, currency: 'EUR', amount: '1.00', requestId: rid() })).data.code).toBe('NOT_VERIFIED');
  // A team: the approver is a member; transfers above 100.00 EUR need one approval; one awaits it (held).
  const server_ = server.backofficeAddress;
  let id = rid();
  expect((await ownerC.op('setmember', { member: approver.address, role: 'approver', requestId: id, confirmation: owner.sign(memberText({ account: owner.address, member: approver.address, role: 'approver', requestId: id, server: server_ })) })).msg).toBe('members');
  const policy = { approvals: 1, above: { EUR: '100.00' }, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false };
  id = rid();
  expect((await ownerC.op('teampolicy', { policy, requestId: id, confirmation: owner.sign(teamPolicyText({ account: owner.address, policy, requestId: id, server: server_ })) })).msg).not.toBe('error');
  id = rid();
  const text = confirmationText({ amount: '150.00', currency: 'EUR', destination: payee.address, requestId: id, server: server_, account: owner.address });
  const held = await ownerC.op('transfer', { destination: payee.address, currency: 'EUR', amount: '150.00', requestId: id, confirmation: owner.sign(text) });
  expect(held.msg, held.raw).toBe('approval');
  const seen = { owner: await ownerC.op('balance'), payee: await payeeC.op('balance'), ownerHistory: (await ownerC.history()).transfers, payeeHistory: (await payeeC.history()).transfers };
  return { owner, payee, approver, pending, held: { requestId: id, text }, seen };
}

describe.skipIf(!inject('pgUrl'))('ccc-server migrate: SQLite to PostgreSQL', () => {
  it('copies a real ledger, verified; a back office on PostgreSQL then serves the same truth and carries on', async () => {
    const dataDir = tempDir();
    const rules = testRules();
    const sqlite = await startTestServer({ dataDir, rules });
    const w = await workload(sqlite);
    await sqlite.close();
    const ledgerFile = path.join(dataDir, 'ledger.sqlite');
    const sourceBefore = fs.readFileSync(ledgerFile);
    const database = await freshDatabase();

    const r = await runCli(['migrate', '--from', ledgerFile, '--to', database], 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^verified: /m);
    // Held: the transfer awaiting approval (150.00) and the pending payout (10.00).
    expect(r.stdout).toMatch(/^EUR: \d+ transfers, customer balances \d+, held 16000 \(minor units\)$/m);
    expect(fs.readFileSync(ledgerFile).equals(sourceBefore)).toBe(true); // the source was only read

    // The same ledger on both: every transfer row, every ledger account, rejections, invariants.
    const source = new SqliteLedgerStore(ledgerFile);
    cleanups.push(() => source.close());
    const target = await PgLedgerStore.open(database);
    cleanups.push(() => target.close());
    const [a, b] = [await source.audit(), await target.audit()];
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(plain(b.transfers)).toEqual(plain(a.transfers));
    expect(plain(b.ledgerAccounts)).toEqual(plain(a.ledgerAccounts));
    expect(plain(b.rejections)).toEqual(plain(a.rejections));
    expect(b.postings).toBe(a.postings);
    expect(await target.checkInvariants()).toEqual([]);
    await target.close();
    await source.close();
    cleanups.length = 0;

    // A back office on PostgreSQL with the same data directory (key, rules): the same answers.
    const onPg = await startTestServer({ dataDir, rules, database });
    cleanups.push(() => onPg.close());
    const login = async (id: Identity) => {
      const c = await TestClient.connect(onPg.url);
      expect((await c.login(id)).msg).toBe('auth');
      cleanups.push(() => c.close());
      return c;
    };
    const [ownerC, payeeC, approverC] = [await login(w.owner), await login(w.payee), await login(w.approver)];
    expect((await ownerC.op('balance')).data).toEqual(w.seen.owner.data);
    expect((await payeeC.op('balance')).data).toEqual(w.seen.payee.data);
    const raw = (ms: Msg[]) => ms.map((m) => [JSON.stringify(m.data), m.signed]);
    expect(raw((await ownerC.history()).transfers)).toEqual(raw(w.seen.ownerHistory));
    expect(raw((await payeeC.history()).transfers)).toEqual(raw(w.seen.payeeHistory));
    // The pending payout settles, the awaiting approval is released, new txids follow the old ones.
    const settled = await onPg.backOffice.admin({ command: 'settle', txid: w.pending, outcome: 'complete' });
    expect(settled.ok).toBe(true);
    expect((await approverC.op('act', { account: w.owner.address })).msg).toBe('acting');
    const released = await approverC.op('approve', { requestId: w.held.requestId, confirmation: w.approver.sign(w.held.text) });
    expect(released.msg, released.raw).toBe('approval');
    const next = await payeeC.op('transfer', { destination: w.owner.address, currency: 'EUR', amount: '1.00', requestId: rid() });
    expect(next.msg, next.raw).toBe('transfer');
    const maxBefore = Math.max(...w.seen.ownerHistory.map((m) => m.data.txid as number));
    expect(next.data.txid).toBeGreaterThan(maxBefore);
    const check = await PgLedgerStore.open(database);
    cleanups.push(() => check.close());
    expect(await check.checkInvariants()).toEqual([]);
    expect(await check.pendingPayoutCount()).toBe(0);
  });

  it('refuses a target database that is not empty, and leaves it as it was', async () => {
    const dataDir = tempDir();
    const sqlite = await startTestServer({ dataDir });
    await (await newCustomer(sqlite.url)).client.close();
    await sqlite.close();
    const database = await freshDatabase();
    // A database a back office already used (one account).
    const pgServer = await startTestServer({ dataDir: tempDir(), database });
    await (await newCustomer(pgServer.url)).client.close();
    await pgServer.close();
    const before = await rowCounts(database);
    expect(before.accounts).toBe(1);
    const r = await runCli(['migrate', '--from', path.join(dataDir, 'ledger.sqlite'), '--to', database], 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the target database is not empty \(.*accounts: 1 rows.*\); nothing was written/);
    expect(await rowCounts(database)).toEqual(before);
  });

  it('refuses a bad source — missing, not SQLite, not a ledger, or a ledger that breaks its invariants — writing nothing', async () => {
    const dir = tempDir();
    const notSqlite = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(notSqlite, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    const notLedger = path.join(dir, 'other.sqlite');
    const other = new Database(notLedger);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    // A real ledger, then tampered with behind the back office's back: a balance no postings explain.
    const dataDir = tempDir();
    const sqlite = await startTestServer({ dataDir });
    const { id } = await newCustomer(sqlite.url, { currency: 'EUR' });
    expect((await sqlite.backOffice.admin({ command: 'deposit', to: id.address, from: IBAN_IN, currency: 'EUR', amount: '10.00' })).ok).toBe(true);
    await sqlite.close();
    const tampered = path.join(dataDir, 'ledger.sqlite');
    const t = new Database(tampered);
    t.prepare("UPDATE ledger_accounts SET balance = balance + 100000 WHERE owner = ? AND currency = 'EUR'").run(id.address);
    t.close();

    const database = await freshDatabase();
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.sqlite'), /missing\.sqlite: no such file/],
      [notSqlite, /is not a readable SQLite ledger/],
      [notLedger, /is an SQLite file but not a ccc-server ledger \(no accounts, ledger_accounts, transfers, postings table\)/],
      [tampered, /the source ledger breaks its invariants; nothing was copied:[\s\S]*balance 101000 but postings sum to 1000/],
    ];
    for (const [from, message] of cases) {
      const r = await runCli(['migrate', '--from', from, '--to', database], 60_000);
      expect(r.code, from).toBe(1);
      expect(r.stderr, from).toMatch(message);
    }
    // Nothing was written (the schema may exist; no table holds a row).
    const counts = await rowCounts(database);
    expect(Object.values(counts).every((c) => c === 0), JSON.stringify(counts)).toBe(true);
    // A target that is not PostgreSQL at all.
    const r = await runCli(['migrate', '--from', tampered, '--to', 'mysql://localhost/x'], 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--to must be a postgres:\/\/ URL/);
  });
});
