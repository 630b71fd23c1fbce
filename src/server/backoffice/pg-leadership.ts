// Exactly one active back office per PostgreSQL database (issue 10).
//
// Election: the active back office holds a session-level advisory lock on a dedicated connection for
// as long as it runs; standbys try for it every `pollMs`. The lock dies with its connection, so the
// place of a killed back office is taken within about `pollMs`.
//
// Fencing: a back office that becomes active bumps the epoch in the `leadership` row (migration 2 of
// pg-schema.ts) — which waits for every write batch of its predecessor still open — and every write
// batch it commits first locks that row FOR SHARE *with its own epoch* (`fence`). So a back office
// that lost the lock (its connection dropped; it was paused or cut off) can never commit after
// another took over: its next batch finds another epoch and rolls back, and the new one reads the
// ledger only after the last batch of the old one has ended.
import pg from 'pg';
import type { ClientBase } from 'pg';

/** Advisory lock key of the active back office (MIGRATION_LOCK is 0x0cc0_0001). */
export const LEADER_LOCK = 0x0cc0_0002;

export class LeadershipLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeadershipLostError';
  }
}

export interface LeadershipOptions {
  connectionString: string;
  /** Recorded in the leadership row: who is active (e.g. "host:pid"). */
  holder: string;
  /** How often a standby tries for the lock, and retries an unreachable database. */
  pollMs?: number;
  /** How often the active one checks its lock connection is alive. */
  heartbeatMs?: number;
  /** Called once when the lock connection is lost: the back office must stop serving at once. */
  onLost?: (reason: string) => void;
  /** Gives up waiting for the lock. */
  signal?: AbortSignal;
  now?: () => number;
}

export class PgLeadership {
  private lost: string | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly client: pg.Client,
    /** The fencing token: this back office's term. */
    readonly epoch: bigint,
    /** The backend pid holding the lock (for operators: pg_stat_activity). */
    readonly pid: number,
    private readonly opts: LeadershipOptions,
  ) {
    const lose = (reason: string) => this.lose(reason);
    client.on('error', (e) => lose(`lock connection error: ${e.message}`));
    client.on('end', () => lose('lock connection closed'));
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((e: Error) => lose(`lock connection heartbeat failed: ${e.message}`));
    }, opts.heartbeatMs ?? 1000);
    this.heartbeat.unref();
  }

  /** Waits until this process is the active back office (a standby waits here), then bumps the epoch. */
  static async acquire(opts: LeadershipOptions): Promise<PgLeadership> {
    const pollMs = opts.pollMs ?? 1000;
    for (;;) {
      opts.signal?.throwIfAborted();
      const client = new pg.Client({ connectionString: opts.connectionString, keepAlive: true });
      client.on('error', () => undefined); // before the handover: reported by the failing query
      try {
        await client.connect();
        for (;;) {
          const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]);
          if (r.rows[0].ok) break;
          await sleep(pollMs, opts.signal);
        }
        // Waits for the predecessor's open write batches (they hold the row FOR SHARE), then ends its term.
        const e = await client.query<{ epoch: string }>('UPDATE leadership SET epoch = epoch + 1, holder = $1, since = $2 WHERE id = 1 RETURNING epoch', [opts.holder, (opts.now ?? Date.now)()]);
        const pid = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        client.removeAllListeners('error');
        return new PgLeadership(client, BigInt(e.rows[0].epoch), pid.rows[0].pid, opts);
      } catch (err) {
        await client.end().catch(() => undefined);
        opts.signal?.throwIfAborted();
        if (isMissingTable(err)) throw new Error('the leadership table is missing: run the migrations (pg-schema.ts) first');
        await sleep(pollMs, opts.signal); // the database is unreachable: keep trying
      }
    }
  }

  /** Whether this back office is still the active one as far as it knows (the fence decides for writes). */
  get active(): boolean {
    return this.lost === null;
  }

  /**
   * Inside a write batch's transaction, before anything else: refuses (LeadershipLostError) unless this
   * back office's term is still the current one, and holds the row so that no successor can start its
   * term until this transaction has ended.
   */
  async fence(tx: ClientBase): Promise<void> {
    if (this.lost !== null) throw new LeadershipLostError(`no longer the active back office: ${this.lost}`);
    const r = await tx.query('SELECT 1 FROM leadership WHERE id = 1 AND epoch = $1 FOR SHARE', [this.epoch.toString()]);
    if (r.rowCount !== 1) {
      this.lose('another back office is active (epoch moved on)');
      throw new LeadershipLostError('another back office is active: this one may no longer write');
    }
  }

  /** Hands over: the next standby takes over within its poll interval. */
  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    if (this.lost === null) this.lost = 'released';
    this.client.removeAllListeners('end');
    await this.client.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  private lose(reason: string): void {
    if (this.lost !== null) return;
    this.lost = reason;
    clearInterval(this.heartbeat);
    this.client.end().catch(() => undefined);
    this.opts.onLost?.(reason);
  }
}

function isMissingTable(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '42P01';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
