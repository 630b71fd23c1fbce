// One active back office per database, against a real PostgreSQL: a standby takes over when the
// active one's connection dies, and the fence keeps a deposed back office from ever committing again —
// also when the takeover happens while one of its write batches is open.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migratePg } from '../../src/server/backoffice/pg-schema';
import { LeadershipLostError, PgLeadership } from '../../src/server/backoffice/pg-leadership';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';

const why = postgresUnavailable();
if (why) console.warn(`[postgres] SKIPPED: ${why}`);

describe.skipIf(why !== null)('active and standby back offices on PostgreSQL', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  const held: PgLeadership[] = [];
  const contend = (holder: string, onLost?: (r: string) => void, signal?: AbortSignal) =>
    PgLeadership.acquire({ connectionString: server.url, holder, pollMs: 50, heartbeatMs: 100, onLost, signal }).then((l) => (held.push(l), l));

  beforeAll(async () => {
    server = await startTestPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 6 });
    await migratePg(pool);
    await pool.query('CREATE TABLE writes (by TEXT NOT NULL)');
  }, 60_000);
  afterEach(async () => {
    for (const l of held.splice(0)) await l.release();
  });
  afterAll(async () => {
    await pool?.end();
    server?.stop();
  });

  /** A write batch as the back office commits one: fence first, then the writes. */
  async function batch(l: PgLeadership, by: string, during?: () => Promise<void>): Promise<void> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await l.fence(c);
      await c.query('INSERT INTO writes (by) VALUES ($1)', [by]);
      await during?.();
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }
  const terminate = (l: PgLeadership) => pool.query('SELECT pg_terminate_backend($1)', [l.pid]);
  const holder = async () => (await pool.query<{ holder: string; epoch: string }>('SELECT holder, epoch FROM leadership WHERE id = 1')).rows[0];

  it('exactly one is active; the standby takes over when the active one dies, and the old one can no longer write', async () => {
    const a = await contend('a');
    const lostReasons: string[] = [];
    a['opts'].onLost = (r: string) => lostReasons.push(r);
    let bActive = false;
    const bPromise = contend('b').then((l) => ((bActive = true), l));
    await new Promise((r) => setTimeout(r, 300));
    expect(bActive).toBe(false); // a standby waits while the active one lives
    await batch(a, 'a');
    expect(await holder()).toMatchObject({ holder: 'a', epoch: a.epoch.toString() });

    await terminate(a); // the active back office's process dies (its lock connection with it)
    const b = await bPromise;
    expect(b.epoch).toBe(a.epoch + 1n);
    expect(await holder()).toMatchObject({ holder: 'b' });
    await waitFor(() => lostReasons.length === 1);
    expect(a.active).toBe(false);

    await expect(batch(a, 'a-after')).rejects.toThrow(LeadershipLostError);
    await batch(b, 'b');
    const rows = (await pool.query<{ by: string }>('SELECT by FROM writes')).rows.map((r) => r.by);
    expect(rows).not.toContain('a-after');
    expect(rows).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('a deposed back office that still believes it is active is fenced by the epoch', async () => {
    const a = await contend('a2');
    // a's lock connection dies, but a has not noticed yet (its connection events lag): it tries a batch anyway.
    const b = contend('b2');
    await terminate(a);
    const bl = await b;
    a['lost'] = null; // as if the loss had not been noticed
    await expect(batch(a, 'a2-late')).rejects.toThrow(LeadershipLostError);
    await batch(bl, 'b2');
    expect((await pool.query('SELECT 1 FROM writes WHERE by = $1', ['a2-late'])).rowCount).toBe(0);
  });

  it('the successor starts its term only after the last open batch of its predecessor has ended', async () => {
    const a = await contend('a3');
    const b = contend('b3');
    let bTermStarted = false;
    void b.then(() => (bTermStarted = true));
    await batch(a, 'a3-open', async () => {
      await terminate(a); // lock released: b gets the lock, but its epoch bump must wait for this batch
      await new Promise((r) => setTimeout(r, 300));
      expect(bTermStarted).toBe(false);
    });
    const bl = await b;
    expect(bl.epoch).toBe(a.epoch + 1n);
    // What a committed before b's term began is visible to b; a can write no more.
    expect((await pool.query('SELECT 1 FROM writes WHERE by = $1', ['a3-open'])).rowCount).toBe(1);
    await expect(batch(a, 'a3-late')).rejects.toThrow(LeadershipLostError);
  });

  it('release hands over at once; a standby can give up waiting', async () => {
    const a = await contend('a4');
    const ctrl = new AbortController();
    const waiting = contend('never', undefined, ctrl.signal);
    ctrl.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    const b = contend('b4');
    await a.release();
    expect((await b).epoch).toBe(a.epoch + 1n);
  });
});
