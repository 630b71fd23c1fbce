// The ledger's rules on PostgreSQL are the database's own: against a real server started for the
// test, migrations apply once and in order, and every rule refuses what it must — whatever code runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migratePg, PG_MIGRATIONS } from '../../src/server/backoffice/pg-schema';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres';

const why = postgresUnavailable();
if (why) console.warn(`[postgres] SKIPPED: ${why}`);

describe.skipIf(why !== null)('ledger schema on PostgreSQL', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startTestPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    server?.stop();
  });

  const refused = async (sql: string, params: unknown[] = []) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(sql, params);
      await c.query('COMMIT');
      return null;
    } catch (e) {
      await c.query('ROLLBACK');
      return (e as Error).message;
    } finally {
      c.release();
    }
  };

  it('migrations run in order once, also when two back offices start together', async () => {
    const [a, b] = await Promise.all([migratePg(pool), migratePg(pool)]);
    const latest = PG_MIGRATIONS.at(-1)!.version;
    expect([a, b].map((r) => r.to)).toEqual([latest, latest]);
    expect([a.from, b.from].sort()).toEqual([0, latest]); // one applied them, the other found them applied
    expect(await migratePg(pool)).toEqual({ from: latest, to: latest });
    expect((await pool.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('balances follow postings; double entry, non-negative funds and immutability are enforced by the database', async () => {
    await migratePg(pool);
    const acct = async (owner: string, kind: string) => (await pool.query<{ id: string }>("INSERT INTO ledger_accounts (owner, kind, currency) VALUES ($1, $2, 'EUR') RETURNING id", [owner, kind])).rows[0].id;
    const clearing = await acct('@iban-clearing', 'clearing');
    const alice = await acct('alice', 'customer');
    const tx = async () => (await pool.query<{ txid: string }>("INSERT INTO transfers (timestamp, kind, sender, destination, currency, amount, status) VALUES (1, 'iban_in', 'DE89370400440532013000', 'alice', 'EUR', 500, 'new') RETURNING txid")).rows[0].txid;

    // A balanced deposit: the balance follows from the postings.
    const t1 = await tx();
    expect(await refused('INSERT INTO postings (txid, ledger_account, amount) VALUES ($1, $2, -500), ($1, $3, 500)', [t1, clearing, alice])).toBeNull();
    expect((await pool.query('SELECT balance FROM ledger_accounts WHERE id = $1', [alice])).rows[0].balance).toBe('500');

    // Unbalanced postings are refused at commit.
    const t2 = await tx();
    expect(await refused('INSERT INTO postings (txid, ledger_account, amount) VALUES ($1, $2, -500), ($1, $3, 499)', [t2, clearing, alice])).toMatch(/sum to -1, not 0/);
    // A customer balance cannot go negative, nor can holds exceed it.
    const t3 = await tx();
    expect(await refused('INSERT INTO postings (txid, ledger_account, amount) VALUES ($1, $2, -600), ($1, $3, 600)', [t3, alice, clearing])).toMatch(/customer_funds/);
    expect(await refused('UPDATE ledger_accounts SET held = 501 WHERE id = $1', [alice])).toMatch(/customer_funds/);
    expect(await refused('UPDATE ledger_accounts SET held = 500 WHERE id = $1', [alice])).toBeNull();
    // What happened stays as it happened.
    expect(await refused('UPDATE postings SET amount = 1 WHERE txid = $1', [t1])).toMatch(/postings are immutable/);
    expect(await refused('DELETE FROM postings WHERE txid = $1', [t1])).toMatch(/postings are immutable/);
    expect(await refused('UPDATE transfers SET amount = 1 WHERE txid = $1', [t1])).toMatch(/transfers are immutable/);
    expect(await refused('DELETE FROM transfers WHERE txid = $1', [t1])).toMatch(/transfers are immutable/);
    expect(await refused("UPDATE transfers SET status = 'complete' WHERE txid = $1", [t1])).toBeNull(); // a status moves on
    expect(await refused('INSERT INTO transfer_confirmations (txid, text, signature) VALUES ($1, $2, $3)', [t1, 'CCC transfer …', 'H…'])).toBeNull();
    expect(await refused("UPDATE transfer_confirmations SET text = 'other' WHERE txid = $1", [t1])).toMatch(/confirmations are immutable/);
    expect(await refused("INSERT INTO transfers (timestamp, kind, sender, destination, currency, amount, status) VALUES (1, 'internal', 'a', 'b', 'EUR', 0, 'new')")).toMatch(/check constraint/);
  });
});
