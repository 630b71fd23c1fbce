// `ccc-server migrate --from ledger.sqlite --to postgres://…`: moves a ledger from SQLite to PostgreSQL.
//
// The source is never written: a consistent copy of it is taken first with SQLite's online backup API
// (so even a file whose back office still runs gives one instant's state — but stop it, or what it
// commits afterwards stays behind), brought up to this release's schema, and checked (the ledger's
// invariants). The target's schema is created by the versioned migrations (pg-schema.ts); its tables are
// locked and must be empty — a database that holds anything is refused. Every table is then copied in ONE
// PostgreSQL transaction, in foreign-key order, keeping ids, txids and sequence numbers; balances are not
// copied but rebuilt by the database's own trigger from the postings (replayed in their original order,
// so no customer balance is ever negative on the way), and held amounts set after. Before COMMIT the copy
// is verified: row counts and a content digest of every table (each row's values), balances and holds of
// every ledger account, per currency and status the count and sum of transfers, and the ledger's
// invariants on PostgreSQL. Any difference rolls
// the whole copy back: the target is left as empty as it was found.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { Ledger } from './ledger';
import { PgLedgerStore, pgInvariantProblems } from './pg-store';

/** Every table of the ledger, in an order where each row's references exist before it. */
const TABLES: readonly { name: string; key: string }[] = [
  { name: 'meta', key: 'key' },
  { name: 'accounts', key: 'address' },
  { name: 'ledger_accounts', key: 'id' },
  { name: 'transfers', key: 'txid' },
  { name: 'transfer_status', key: 'txid, seq' },
  { name: 'postings', key: 'id' },
  { name: 'requests', key: 'sender, request_id' },
  { name: 'transfer_confirmations', key: 'txid' },
  { name: 'signed_messages', key: 'txid' },
  { name: 'op_outcomes', key: 'ref' },
  { name: 'compliance_rejections', key: 'id' },
  { name: 'notifications', key: 'seq' },
  { name: 'members', key: 'account, member' },
  { name: 'audit_events', key: 'account, seq' },
  { name: 'team_policies', key: 'account' },
  { name: 'beneficiaries', key: 'account, destination' },
  { name: 'approval_requests', key: 'account, request_id' },
  { name: 'approval_votes', key: 'account, request_id, approver' },
  { name: 'admin_changes', key: 'account, request_id' },
];

/** Columns filled by a sequence on PostgreSQL: continued after the copied values. */
const SERIALS: readonly [table: string, column: string][] = [
  ['ledger_accounts', 'id'],
  ['transfers', 'txid'],
  ['postings', 'id'],
  ['compliance_rejections', 'id'],
  ['notifications', 'seq'],
];

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationReport {
  /** Rows copied, by table. */
  rows: Record<string, number>;
  /** Per currency: the sum of customer balances and of holds (minor units), as copied and verified. */
  currencies: Record<string, { customerBalances: string; held: string; transfers: number }>;
  /** The schema version of the target after the copy. */
  schemaVersion: number;
}

type Row = Record<string, unknown>;

/** Copies the SQLite ledger `from` into the empty PostgreSQL database `to`, verified (see the file's comment). */
export async function migrateSqliteToPostgres(from: string, to: string, opts: { log?: (line: string) => void } = {}): Promise<MigrationReport> {
  const log = opts.log ?? (() => undefined);
  if (!/^postgres(ql)?:\/\//.test(to)) throw new MigrationError(`--to must be a postgres:// URL, not ${to}`);
  const source = path.resolve(from);
  if (!fs.existsSync(source) || !fs.statSync(source).isFile()) throw new MigrationError(`${source}: no such file`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-migrate-'));
  const snapshot = path.join(work, 'ledger.sqlite');
  try {
    await snapshotLedger(source, snapshot);
    log(`source: a consistent copy of ${source} taken`);
    const ledger = new Ledger(snapshot); // brings the copy (not the source) up to this release's schema
    try {
      const problems = ledger.checkInvariants();
      if (problems.length > 0) throw new MigrationError(`the source ledger breaks its invariants; nothing was copied:\n  ${problems.join('\n  ')}`);
      const unknown = (ledger.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
        .map((t) => t.name)
        .filter((t) => !TABLES.some((k) => k.name === t));
      if (unknown.length > 0) throw new MigrationError(`the source has tables this release does not know (${unknown.join(', ')}): written by a newer version?`);
      return await copyInto(ledger.db, to, log);
    } finally {
      ledger.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function snapshotLedger(source: string, snapshot: string): Promise<void> {
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const missing = ['accounts', 'ledger_accounts', 'transfers', 'postings'].filter((t) => !tables.has(t));
    if (missing.length > 0) {
      db.close();
      throw new MigrationError(`${source} is an SQLite file but not a ccc-server ledger (no ${missing.join(', ')} table)`);
    }
  } catch (e) {
    if (e instanceof MigrationError) throw e;
    throw new MigrationError(`${source} is not a readable SQLite ledger: ${(e as Error).message}`);
  }
  try {
    await db.backup(snapshot);
  } finally {
    db.close();
  }
}

async function copyInto(src: Database.Database, to: string, log: (line: string) => void): Promise<MigrationReport> {
  let store: PgLedgerStore;
  try {
    store = await PgLedgerStore.open(to, { maxConnections: 2 }); // creates or upgrades the schema
  } catch (e) {
    throw new MigrationError(`cannot open the target database: ${(e as Error).message}`);
  }
  const c = await store.pool.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      // Nobody writes meanwhile (a back office started on it too early waits, then finds it taken).
      await c.query(`LOCK TABLE ${TABLES.map((t) => t.name).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const taken: string[] = [];
      for (const t of TABLES) {
        const n = Number((await c.query<{ n: bigint }>(`SELECT COUNT(*)::BIGINT AS n FROM ${t.name}`)).rows[0].n);
        if (n > 0) taken.push(`${t.name}: ${n} rows`);
      }
      if (taken.length > 0) throw new MigrationError(`the target database is not empty (${taken.join(', ')}); nothing was written. Migrate into a new, empty database.`);
      const rows: Record<string, number> = {};
      for (const t of TABLES) {
        rows[t.name] = await copyTable(src, c, t);
        log(`copied ${t.name}: ${rows[t.name]} rows`);
      }
      // Holds, once the postings have rebuilt the balances.
      const holds = src.prepare('SELECT id, held FROM ledger_accounts WHERE held <> 0 ORDER BY id').all() as { id: bigint; held: bigint }[];
      for (const h of holds) await c.query('UPDATE ledger_accounts SET held = $1 WHERE id = $2', [h.held.toString(), h.id.toString()]);
      for (const [table, column] of SERIALS) {
        const sqliteNext = (src.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as { seq: bigint } | undefined)?.seq ?? 0n;
        await c.query(`SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT MAX(${column}) FROM ${table}), 0), $3::BIGINT) + 1, false)`, [table, column, sqliteNext.toString()]);
      }
      const report = await verify(src, c, rows);
      await c.query('COMMIT');
      const version = (await c.query<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v;
      return { ...report, schemaVersion: version };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (e instanceof MigrationError) throw e;
      throw new MigrationError(`the copy failed and was rolled back (the target is as it was): ${(e as Error).message}`);
    }
  } finally {
    c.release();
    await store.close();
  }
}

/** Copies one table in multi-row INSERTs; balances start at 0 (the postings' trigger rebuilds them). */
async function copyTable(src: Database.Database, c: PoolClient, t: { name: string; key: string }): Promise<number> {
  const target = (
    await c.query<{ column_name: string; data_type: string }>('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [t.name])
  ).rows;
  const sourceColumns = new Set((src.prepare(`PRAGMA table_info(${t.name})`).all() as { name: string }[]).map((r) => r.name));
  const extra = [...sourceColumns].filter((col) => !target.some((x) => x.column_name === col));
  if (extra.length > 0) throw new MigrationError(`the source's ${t.name} has columns the target lacks (${extra.join(', ')})`);
  const columns = target.filter((x) => sourceColumns.has(x.column_name));
  const boolean = new Set(columns.filter((x) => x.data_type === 'boolean').map((x) => x.column_name));
  const zeroed = t.name === 'ledger_accounts' ? new Set(['balance', 'held']) : new Set<string>();
  const names = columns.map((x) => x.column_name);
  const perStatement = Math.max(1, Math.min(1000, Math.floor(30_000 / names.length)));
  const value = (col: string, v: unknown) => {
    if (zeroed.has(col)) return '0';
    if (v === null || v === undefined) return null;
    if (boolean.has(col)) return Number(v) === 1;
    if (typeof v === 'bigint') return v.toString();
    return v as string | number;
  };
  let copied = 0;
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${names.map((col) => (params.push(value(col, row[col])), `$${params.length}`)).join(', ')})`);
    await c.query(`INSERT INTO ${t.name} (${names.join(', ')}) VALUES ${tuples.join(', ')}`, params);
    copied += batch.length;
    batch = [];
  };
  for (const row of src.prepare(`SELECT ${names.join(', ')} FROM ${t.name} ORDER BY ${t.key}`).iterate() as IterableIterator<Row>) {
    batch.push(row);
    if (batch.length >= perStatement) await flush();
  }
  await flush();
  return copied;
}

/** The copy against its source, inside the copy's transaction; throws MigrationError on any difference. */
async function verify(src: Database.Database, c: PoolClient, rows: Record<string, number>): Promise<Omit<MigrationReport, 'schemaVersion'>> {
  const differences: string[] = [];
  for (const t of TABLES) {
    const inSource = Number((src.prepare(`SELECT COUNT(*) AS n FROM ${t.name}`).get() as { n: bigint }).n);
    const inTarget = Number((await c.query<{ n: bigint }>(`SELECT COUNT(*)::BIGINT AS n FROM ${t.name}`)).rows[0].n);
    if (inSource !== inTarget || rows[t.name] !== inSource) differences.push(`${t.name}: ${inSource} rows in the source, ${inTarget} in the target`);
  }
  // Every ledger account: the balance the postings rebuilt, and the hold, equal the source's.
  const accountsOf = (list: { id: bigint; owner: string; currency: string; balance: bigint; held: bigint }[]) => new Map(list.map((a) => [a.id.toString(), `${a.owner} ${a.currency} ${a.balance} ${a.held}`]));
  const sourceAccounts = accountsOf(src.prepare('SELECT id, owner, currency, balance, held FROM ledger_accounts').all() as never);
  const targetAccounts = accountsOf((await c.query('SELECT id, owner, currency, balance, held FROM ledger_accounts')).rows as never);
  for (const [id, a] of sourceAccounts) if (targetAccounts.get(id) !== a) differences.push(`ledger account ${id}: ${a} in the source, ${targetAccounts.get(id) ?? 'absent'} in the target`);
  // Transfers per currency and status: how many, and their sum.
  const transfersOf = (list: { currency: string; status: string; n: bigint; total: bigint }[]) => new Map(list.map((r) => [`${r.currency} ${r.status}`, `${r.n} ${r.total}`]));
  const sourceTransfers = transfersOf(src.prepare('SELECT currency, status, COUNT(*) AS n, SUM(amount) AS total FROM transfers GROUP BY currency, status').all() as never);
  const targetTransfers = transfersOf((await c.query('SELECT currency, status, COUNT(*)::BIGINT AS n, SUM(amount)::BIGINT AS total FROM transfers GROUP BY currency, status')).rows as never);
  for (const [k, v] of sourceTransfers) if (targetTransfers.get(k) !== v) differences.push(`transfers ${k}: ${v} in the source, ${targetTransfers.get(k) ?? 'none'} in the target`);
  // Every row, value for value: a digest of each table in key order on both sides.
  for (const t of TABLES) {
    const [a, b] = [sqliteDigest(src, t), await pgDigest(src, c, t)];
    if (a !== b) differences.push(`${t.name}: the rows differ from the source's (content digest)`);
  }
  const problems = await pgInvariantProblems(c);
  if (differences.length > 0 || problems.length > 0) {
    throw new MigrationError(`the copy does not match its source and was rolled back (the target is as it was):\n  ${[...differences, ...problems].join('\n  ')}`);
  }
  const currencies: MigrationReport['currencies'] = {};
  for (const r of (
    await c.query<{ currency: string; balances: bigint; held: bigint }>("SELECT currency, SUM(balance)::BIGINT AS balances, SUM(held)::BIGINT AS held FROM ledger_accounts WHERE kind = 'customer' GROUP BY currency ORDER BY currency")
  ).rows) {
    currencies[r.currency] = { customerBalances: r.balances.toString(), held: r.held.toString(), transfers: 0 };
  }
  for (const r of (await c.query<{ currency: string; n: bigint }>('SELECT currency, COUNT(*)::BIGINT AS n FROM transfers GROUP BY currency ORDER BY currency')).rows) {
    currencies[r.currency] = { ...(currencies[r.currency] ?? { customerBalances: '0', held: '0' }), transfers: Number(r.n) };
  }
  return { rows, currencies };
}

/** A value as text, the same on both databases (integers in decimal, flags as 1/0, null apart from ''). */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return '\u0000';
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/**
 * A table's content digest: the sum (mod 2^256) of each row's SHA-256 over its values, columns by name.
 * Independent of row order — the two databases sort text differently — yet any changed, missing or
 * extra row changes it.
 */
class TableDigest {
  private sum = 0n;
  constructor(private readonly columns: string[]) {}
  add(row: Row): void {
    const text = this.columns.map((col) => valueText(row[col])).join('\u001f');
    this.sum = (this.sum + BigInt(`0x${crypto.createHash('sha256').update(text).digest('hex')}`)) & ((1n << 256n) - 1n);
  }
  get value(): string {
    return this.sum.toString(16);
  }
}

/** The columns of a table in the source, by name (the copy wrote each of them to the target). */
function columnsOf(src: Database.Database, table: string): string[] {
  return (src.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((r) => r.name).sort();
}

function sqliteDigest(src: Database.Database, t: { name: string; key: string }): string {
  const digest = new TableDigest(columnsOf(src, t.name));
  for (const row of src.prepare(`SELECT * FROM ${t.name}`).iterate() as IterableIterator<Row>) digest.add(row);
  return digest.value;
}

/** The same digest on PostgreSQL, read in pages by key (keyset pagination: no table is held in memory whole). */
async function pgDigest(src: Database.Database, c: PoolClient, t: { name: string; key: string }): Promise<string> {
  const columns = columnsOf(src, t.name);
  const digest = new TableDigest(columns);
  const keys = t.key.split(',').map((k) => k.trim());
  const page = 5000;
  let after: unknown[] | null = null;
  for (;;) {
    const where: string = after ? `WHERE (${keys.join(', ')}) > (${keys.map((_k, i) => `$${i + 1}`).join(', ')})` : '';
    const params: unknown[] = after ? after.map((v) => (typeof v === 'bigint' ? v.toString() : v)) : [];
    const r: { rows: Row[] } = await c.query(`SELECT ${columns.join(', ')} FROM ${t.name} ${where} ORDER BY ${t.key} LIMIT ${page}`, params);
    for (const row of r.rows) digest.add(row);
    if (r.rows.length < page) break;
    const last = r.rows[r.rows.length - 1];
    after = keys.map((k) => last[k]);
  }
  return digest.value;
}
