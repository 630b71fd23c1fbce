// The ledger store on PostgreSQL (`--database postgres://…`): the interface of ledger-store.ts on
// the schema of pg-schema.ts, whose constraints and triggers enforce the money rules themselves
// (double entry per transfer at commit, no negative customer balance, holds within balances,
// immutable transfers, postings, status history and confirmations).
//
// Group commit as on SQLite: one transaction per batch on one connection, a SAVEPOINT per operation.
// Isolation: READ COMMITTED with a single writer by design — one back office writes (the active one),
// through one connection, one batch at a time, so no two transactions ever race for the same rows; the
// database's constraints are the backstop should that ever not hold. (`fence`, when given, runs first
// in every write transaction: the hook where the active back office proves it still is — see
// pg-leadership.) Reads of committed data (`read`) run on other connections of the pool, each in a
// REPEATABLE READ, READ ONLY transaction: one consistent snapshot, never waiting for the writer.
//
// Types: BIGINT comes back as BigInt (a parser on this pool only); sums are cast back to BIGINT (SUM
// of BIGINT is NUMERIC); BigInt parameters go as decimal text. Money is never a float.
import crypto from 'node:crypto';
import pg from 'pg';
import type { ClientBase, PoolClient } from 'pg';
import type { CurrencyCode } from '../../shared/currencies';
import { CLEARING_OWNER, type AccountRow, type AdminChangeRow, type ApprovalRow, type AuditRow, type BeneficiaryRow, type HistoryFilter, type HistoryWindow, type MemberRow, type RequestRow, type TransferRow } from './ledger';
import type { Role } from '../../shared/protocol';
import { CommitOutcomeUnknownError, type AccountChanges, type LedgerAudit, type LedgerReads, type LedgerStore, type LedgerTx, type NewTransfer } from './ledger-store';
import { migratePg } from './pg-schema';

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => BigInt(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Statuses a customer sees in history; NEW and rejected transfers never moved money (as ledger.ts). */
const VISIBLE = `status IN ('complete', 'pending', 'failed')`;

type Param = string | number | boolean | null | bigint | undefined | string[];
const prepare = (params: Param[]) => params.map((p) => (typeof p === 'bigint' ? p.toString() : p ?? null));

/** Every statement is prepared once per connection (named by its text): the server parses and plans it once. */
const statementNames = new Map<string, string>();
function named(sql: string, params: Param[]): pg.QueryConfig {
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `ccc_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
  return { name, text: sql, values: prepare(params) };
}

/** Rows as the SQLite ledger gives them: flags as 0n/1n. */
function accountRow(r: Record<string, unknown> | undefined): AccountRow | undefined {
  if (!r) return undefined;
  return { ...(r as unknown as AccountRow), verified: r.verified ? 1n : 0n, require_confirmation: r.require_confirmation ? 1n : 0n };
}

/** The reads of ledger-store.ts on one connection (the writer's, or a read snapshot's). */
function readsOn(c: ClientBase): LedgerReads {
  const one = async <T>(sql: string, params: Param[]): Promise<T | undefined> => (await c.query(named(sql, params))).rows[0] as T | undefined;
  const all = async <T>(sql: string, params: Param[]): Promise<T[]> => (await c.query(named(sql, params))).rows as T[];
  return {
    account: async (address) => accountRow(await one('SELECT * FROM accounts WHERE address = $1', [address])),
    balance: async (address, currency) => (await one<{ balance: bigint; held: bigint }>('SELECT balance, held FROM ledger_accounts WHERE owner = $1 AND currency = $2', [address, currency])) ?? { balance: 0n, held: 0n },
    balances: (address) => all("SELECT currency, balance, held FROM ledger_accounts WHERE owner = $1 AND kind = 'customer' ORDER BY currency", [address]),
    findTransfer: (txid) => one('SELECT * FROM transfers WHERE txid = $1', [txid]),
    signedMessage: (txid) => one('SELECT data, signed FROM signed_messages WHERE txid = $1', [txid]),
    signedMessages: async (txids) => {
      const rows = await all<{ txid: bigint; data: string; signed: string }>('SELECT txid, data, signed FROM signed_messages WHERE txid = ANY($1::BIGINT[])', [txids.map(String)]);
      return new Map(rows.map((r) => [r.txid, { data: r.data, signed: r.signed }]));
    },
    request: (sender, requestId) => one<RequestRow>('SELECT params_hash, txid, error_code, error_message FROM requests WHERE sender = $1 AND request_id = $2', [sender, requestId]),
    outgoingSince: async (sender, currency, since) =>
      (await one<{ total: bigint }>(`SELECT COALESCE(SUM(amount), 0)::BIGINT AS total FROM transfers WHERE sender = $1 AND currency = $2 AND timestamp >= $3 AND status IN ('complete', 'pending')`, [sender, currency, since]))!.total,
    historyWindow: async (address: string, f: HistoryFilter): Promise<HistoryWindow> => {
      const upto = (await one<{ m: bigint }>('SELECT COALESCE(MAX(txid), 0)::BIGINT AS m FROM transfers', []))!.m;
      const w: HistoryWindow = { after: 0n, upto, sinceTime: 0 };
      if (f.limit !== undefined) {
        const nth = await one<{ txid: bigint }>(
          `SELECT txid FROM ((SELECT txid FROM transfers WHERE sender = $1 AND ${VISIBLE} AND txid <= $2 ORDER BY txid DESC LIMIT $3)
           UNION ALL
           (SELECT txid FROM transfers WHERE destination = $1 AND sender <> $1 AND ${VISIBLE} AND txid <= $2 ORDER BY txid DESC LIMIT $3)) u
           ORDER BY txid DESC LIMIT 1 OFFSET $4`,
          [address, upto, f.limit, f.limit - 1],
        );
        if (nth) w.after = nth.txid - 1n;
      } else if (f.sinceTransaction !== undefined) w.after = BigInt(f.sinceTransaction) - 1n;
      else if (f.sinceTime !== undefined) w.sinceTime = f.sinceTime;
      return w;
    },
    // Two index range scans, each stopping after $5 rows (as ledger.ts).
    historyPage: (address, w, rows) =>
      all<TransferRow>(
        `SELECT * FROM ((SELECT * FROM transfers WHERE sender = $1 AND ${VISIBLE} AND txid > $2 AND txid <= $3 AND timestamp >= $4 ORDER BY txid LIMIT $5)
         UNION ALL
         (SELECT * FROM transfers WHERE destination = $1 AND sender <> $1 AND ${VISIBLE} AND txid > $2 AND txid <= $3 AND timestamp >= $4 ORDER BY txid LIMIT $5)) u
         ORDER BY txid LIMIT $5`,
        [address, w.after, w.upto, w.sinceTime, rows],
      ),
    outcome: (ref) => one('SELECT messages, outcome FROM op_outcomes WHERE ref = $1', [ref]),
    // Team accounts (docs/team-treasury.md).
    member: (account, member) => one<MemberRow>('SELECT member, role, added_at, added_by FROM members WHERE account = $1 AND member = $2', [account, member]),
    members: (account) => all<MemberRow>('SELECT member, role, added_at, added_by FROM members WHERE account = $1 ORDER BY added_at, member', [account]),
    memberships: (member) => all<{ account: string; role: Role }>('SELECT account, role FROM members WHERE member = $1 ORDER BY account', [member]),
    auditEvents: (account, afterSeq, limit) => all<AuditRow>('SELECT seq, at, data, signed FROM audit_events WHERE account = $1 AND seq > $2 ORDER BY seq LIMIT $3', [account, afterSeq, limit]),
    teamPolicy: async (account) => (await one<{ policy: string }>('SELECT policy FROM team_policies WHERE account = $1', [account]))?.policy,
    approvalRequest: (account, requestId) => one<ApprovalRow>('SELECT * FROM approval_requests WHERE account = $1 AND request_id = $2', [account, requestId]),
    approvalVotes: (account, requestId) => all<{ approver: string; at: bigint }>('SELECT approver, at FROM approval_votes WHERE account = $1 AND request_id = $2 ORDER BY at, approver', [account, requestId]),
    awaitingApprovals: (account) => all<ApprovalRow>(`SELECT * FROM approval_requests WHERE account = $1 AND status = 'awaiting' ORDER BY created_at, request_id`, [account]),
    adminChange: (account, requestId) => one<AdminChangeRow>('SELECT * FROM admin_changes WHERE account = $1 AND request_id = $2', [account, requestId]),
    awaitingAdminChanges: (account) => all<AdminChangeRow>(`SELECT * FROM admin_changes WHERE account = $1 AND status = 'awaiting' ORDER BY created_at, request_id`, [account]),
    beneficiary: (account, destination) => one<BeneficiaryRow>('SELECT destination, name, added_at, added_by FROM beneficiaries WHERE account = $1 AND destination = $2', [account, destination]),
    beneficiaries: (account) => all<BeneficiaryRow>('SELECT destination, name, added_at, added_by FROM beneficiaries WHERE account = $1 ORDER BY name, destination', [account]),
    notificationsAfter: (after, limit) => all<{ seq: bigint; body: string }>('SELECT seq, body FROM notifications WHERE seq > $1 ORDER BY seq LIMIT $2', [after, limit]),
    // The last committed one (not the sequence's value: the writer's open batch may have taken more).
    notificationHead: async () => (await one<{ seq: bigint }>('SELECT COALESCE(MAX(seq), 0)::BIGINT AS seq FROM notifications', []))!.seq,
  };
}

export interface PgStoreOptions {
  /** Connections: one writer and readers (default 8). */
  maxConnections?: number;
  /** Runs first in every write transaction (e.g. PgLeadership.fence: refuse to commit once deposed). */
  fence?: (client: ClientBase) => Promise<void>;
}

export class PgLedgerStore implements LedgerStore {
  readonly kind = 'postgres' as const;
  /** Statements sent inside write transactions (BEGIN, the fence and COMMIT not included). */
  readonly stats = { writeStatements: 0 };
  private open = false;
  private savepoints = 0;

  private constructor(
    readonly pool: pg.Pool,
    private readonly opts: PgStoreOptions,
  ) {}

  /** Connects and brings the schema up to date (versioned migrations, pg-schema.ts). */
  static async open(connectionString: string, opts: PgStoreOptions = {}): Promise<PgLedgerStore> {
    // A database that cannot be reached fails an operation within 10 s instead of holding it forever.
    const pool = new pg.Pool({ connectionString, max: opts.maxConnections ?? 8, types, connectionTimeoutMillis: 10_000 });
    // An idle connection that fails (server restart) must not crash the process; the next query reconnects.
    pool.on('error', (e) => console.error('postgres: idle connection failed:', e.message));
    try {
      await migratePg(pool);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgLedgerStore(pool, opts);
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    if (this.open) throw new Error('a write transaction is already open on this ledger');
    this.open = true;
    let c: PoolClient | null = null;
    // A connection that saw a failure is not reused (it may be in any state); the pool opens another.
    let failed = false;
    try {
      c = await this.pool.connect();
      await c.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      let result: T;
      try {
        if (this.opts.fence) await this.opts.fence(c);
        const tx = this.txOn(this.counted(c));
        result = await fn(tx.tx);
        await tx.flush();
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      try {
        await c.query('COMMIT');
      } catch (e) {
        // A refusal by the server (a deferred constraint) has an SQLSTATE and means rolled back; a lost
        // connection has none, and the COMMIT may have been applied before the answer was lost.
        if (typeof (e as { code?: unknown }).code === 'string') throw e;
        throw new CommitOutcomeUnknownError(e);
      }
      return result;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      this.open = false;
      c?.release(failed ? true : undefined);
    }
  }

  /**
   * The write transaction's handle. Round trips are what a PostgreSQL batch costs (one writer, one
   * statement at a time), so within one transaction: rows this writer read or wrote are remembered
   * (accounts, transfers: nobody else writes while it is open; forgotten when a savepoint rolls back);
   * signed messages and operation outcomes are kept and written at the end in one statement each
   * (`flush`, before COMMIT; reads in the transaction see them); a savepoint is released together with
   * the next one; related writes go together (CTEs).
   */
  /** The connection, its statements counted in `stats` (bench/ledger.ts prints statements per operation). */
  private counted(c: PoolClient): PoolClient {
    const counted = Object.create(c) as PoolClient;
    counted.query = ((...args: Parameters<PoolClient['query']>) => {
      this.stats.writeStatements += 1;
      return (c.query as (...a: unknown[]) => unknown)(...args);
    }) as PoolClient['query'];
    return counted;
  }

  private txOn(c: PoolClient): { tx: LedgerTx; flush: () => Promise<void> } {
    const run = async (sql: string, params: Param[]) => {
      await c.query(named(sql, params));
    };
    const one = async <T>(sql: string, params: Param[]): Promise<T | undefined> => (await c.query(named(sql, params))).rows[0] as T | undefined;
    const reads = readsOn(c);
    const accounts = new Map<string, AccountRow | undefined>();
    const transfers = new Map<bigint, TransferRow>();
    const signedLater: { txid: bigint; data: string; signed: string }[] = [];
    const outcomesLater: { ref: string; at: number; messages: string; outcome: string }[] = [];
    /** A transfer's `approved` step, written with its next step (always soon after: it is booked or held). */
    const approvedLater = new Map<bigint, { at: number; reason: string | null }>();
    const members = new Map<string, MemberRow[]>();
    /** Depths whose last savepoint succeeded and is not released yet. */
    const unreleased = new Set<number>();
    const signedKept = (txid: bigint) => {
      for (let i = signedLater.length - 1; i >= 0; i--) if (signedLater[i].txid === txid) return { data: signedLater[i].data, signed: signedLater[i].signed };
      return undefined;
    };
    const remember = (row: TransferRow | undefined) => {
      if (row) transfers.set(row.txid, row);
      return row;
    };
    /** The id of a ledger account, created on first use: `la` in a WITH clause ($1 owner, $2 kind, $3 currency). */
    const LEDGER_ACCOUNT = `ins AS (INSERT INTO ledger_accounts (owner, kind, currency) VALUES ($1, $2, $3) ON CONFLICT (owner, currency) DO NOTHING RETURNING id),
      la AS (SELECT id FROM ins UNION ALL SELECT id FROM ledger_accounts WHERE owner = $1 AND currency = $3 LIMIT 1)`;
    const kindOf = (owner: string) => (owner === CLEARING_OWNER ? 'clearing' : 'customer');
    /** An account row written: read again next time (false, to chain with ||). */
    const forget = (address: string): false => (accounts.delete(address), false);
    const STATUS_SEQ = 'SELECT COUNT(*) AS n FROM transfer_status WHERE txid = $1';
    const flush = async () => {
      for (const [txid, a] of approvedLater) await run(`INSERT INTO transfer_status (txid, seq, status, at, reason) SELECT $1, n, 'approved', $2, $3 FROM (${STATUS_SEQ}) c`, [txid, a.at, a.reason]);
      approvedLater.clear();
      const signed = new Map(signedLater.map((m) => [m.txid, m])); // the latest of each txid
      if (signed.size > 0) {
        const list = [...signed.values()];
        await run(
          'INSERT INTO signed_messages (txid, data, signed) SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[]) ON CONFLICT (txid) DO UPDATE SET data = excluded.data, signed = excluded.signed',
          [list.map((m) => m.txid.toString()), list.map((m) => m.data), list.map((m) => m.signed)],
        );
      }
      const outcomes = [...new Map(outcomesLater.map((o) => [o.ref, o])).values()];
      if (outcomes.length > 0) {
        // ON CONFLICT DO NOTHING: a ref seen twice must never fail the batch it is committed in.
        await run('INSERT INTO op_outcomes (ref, at, messages, outcome) SELECT * FROM unnest($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[]) ON CONFLICT (ref) DO NOTHING', [
          outcomes.map((o) => o.ref),
          outcomes.map((o) => String(o.at)),
          outcomes.map((o) => o.messages),
          outcomes.map((o) => o.outcome),
        ]);
      }
    };
    const tx: LedgerTx = {
      ...reads,
      // With the account, whether it has members: a transfer asks (a team account's are audited), and for
      // most accounts the answer "none" is then known without another round trip.
      account: async (address) => {
        if (!accounts.has(address)) {
          const r = await one<Record<string, unknown>>('SELECT a.*, EXISTS (SELECT 1 FROM members m WHERE m.account = a.address) AS has_members FROM accounts a WHERE a.address = $1', [address]);
          if (r) {
            const { has_members: hasMembers, ...row } = r;
            if (!hasMembers && !members.has(address)) members.set(address, []);
            accounts.set(address, accountRow(row));
          } else accounts.set(address, undefined);
        }
        return accounts.get(address);
      },
      members: async (account) => {
        if (!members.has(account)) members.set(account, await reads.members(account));
        return members.get(account)!;
      },
      findTransfer: async (txid) => transfers.get(txid) ?? remember(await reads.findTransfer(txid)),
      signedMessage: async (txid) => signedKept(txid) ?? reads.signedMessage(txid),
      signedMessages: async (txids) => {
        const found = await reads.signedMessages(txids);
        for (const txid of txids) {
          const kept = signedKept(txid);
          if (kept) found.set(txid, kept);
        }
        return found;
      },
      outcome: async (ref) => {
        const kept = outcomesLater.find((o) => o.ref === ref);
        return kept ? { messages: kept.messages, outcome: kept.outcome } : reads.outcome(ref);
      },
      // A savepoint that succeeded is released by the next one at its depth, in the same round trip (one
      // simple query of two statements): no round trip of its own, and no deep nesting of unreleased
      // savepoints (never released, they slowed batches of 500 operations by a fifth).
      savepoint: async (fn) => {
        const depth = ++this.savepoints;
        const name = `op${depth}`;
        const marks = [signedLater.length, outcomesLater.length] as const;
        await c.query(unreleased.has(depth) ? `RELEASE SAVEPOINT ${name}; SAVEPOINT ${name}` : `SAVEPOINT ${name}`);
        for (const d of unreleased) if (d >= depth) unreleased.delete(d); // released, with those inside it
        try {
          const r = await fn();
          unreleased.add(depth);
          return r;
        } catch (e) {
          await c.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
          for (const d of unreleased) if (d >= depth) unreleased.delete(d);
          signedLater.length = marks[0];
          outcomesLater.length = marks[1];
          accounts.clear();
          transfers.clear();
          members.clear();
          approvedLater.clear();
          throw e;
        } finally {
          this.savepoints -= 1;
        }
      },
      register: (address, f, now) =>
        forget(address) ||
        run('INSERT INTO accounts (address, name, email, postal_address, phone, country, currency, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)', [
          address,
          f.name,
          f.email,
          f.address ?? null,
          f.phone ?? null,
          f.country,
          f.currency,
          now,
        ]),
      updateAccount: async (address: string, changes: AccountChanges, now: number) => {
        const cols = Object.entries(changes).filter(([, v]) => v !== undefined);
        if (cols.length === 0) return;
        forget(address);
        const set = cols.map(([k], i) => `${k} = $${i + 1}`).join(', ');
        const values = cols.map(([k, v]) => (k === 'verified' ? v === 1 : (v as string)));
        await run(`UPDATE accounts SET ${set}, updated_at = $${cols.length + 1} WHERE address = $${cols.length + 2}`, [...values, now, address]);
      },
      setConfirmationPolicy: (address, required, now) => forget(address) || run('UPDATE accounts SET require_confirmation = $1, updated_at = $2 WHERE address = $3', [required, now, address]),
      setIban: (address, iban, now) => forget(address) || run('UPDATE accounts SET iban = $1, verified = TRUE, updated_at = $2 WHERE address = $3', [iban, now, address]),
      nextCounter: async (name) => {
        const row = await one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [name]);
        const next = row ? BigInt(row.value) + 1n : 1n;
        await run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [name, next.toString()]);
        return next;
      },
      storeSignedMessage: async (txid, data, signed) => {
        signedLater.push({ txid, data, signed });
      },
      recordConfirmation: (txid, text, signature) => run('INSERT INTO transfer_confirmations (txid, text, signature) VALUES ($1, $2, $3)', [txid, text, signature]),
      insertTransfer: async (t: NewTransfer) =>
        remember(
          await one<TransferRow>(
            `WITH t AS (INSERT INTO transfers (timestamp, kind, sender, destination, currency, amount, reference, request_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new') RETURNING *),
             s AS (INSERT INTO transfer_status (txid, seq, status, at, reason) SELECT txid, 0, 'NEW', $1, NULL FROM t)
             SELECT * FROM t`,
            [t.timestamp, t.kind, t.sender, t.destination, t.currency, t.amount, t.reference ?? null, t.requestId ?? null],
          ),
        )!.txid,
      advance: async (txid, step, at, reason = null) => {
        if (step === 'approved') return void approvedLater.set(txid, { at, reason });
        const approved = approvedLater.get(txid);
        approvedLater.delete(txid);
        // The step, after the approval kept for it if there is one (seq: the history's next places, in order).
        const steps = approved
          ? `SELECT $1::BIGINT, c.n, 'approved', $5::BIGINT, $6::TEXT FROM c UNION ALL SELECT $1, c.n + 1, $2::TEXT, $3::BIGINT, $4::TEXT FROM c`
          : `SELECT $1::BIGINT, c.n, $2::TEXT, $3::BIGINT, $4::TEXT FROM c`;
        remember(
          await one<TransferRow>(
            `WITH c AS (${STATUS_SEQ}), s AS (INSERT INTO transfer_status (txid, seq, status, at, reason) ${steps})
             UPDATE transfers SET status = $2, status_message = $4 WHERE txid = $1 RETURNING *`,
            approved ? [txid, step, at, reason, approved.at, approved.reason] : [txid, step, at, reason],
          ),
        );
      },
      // All the entries in one statement (their ledger accounts created on first use), in their order:
      // the balances' trigger applies them one after another, as separate statements would.
      post: async (txid, currency, entries) => {
        const sum = entries.reduce((s, e) => s + e.amount, 0n);
        if (sum !== 0n) throw new Error(`unbalanced postings for tx ${txid}: sum ${sum}`);
        await run(
          `WITH e AS (SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[]) WITH ORDINALITY AS e (owner, kind, amount, i)),
           ins AS (INSERT INTO ledger_accounts (owner, kind, currency) SELECT DISTINCT owner, kind, $4 FROM e ON CONFLICT (owner, currency) DO NOTHING RETURNING id, owner),
           la AS (SELECT id, owner FROM ins UNION ALL SELECT id, owner FROM ledger_accounts WHERE currency = $4 AND owner = ANY($1::TEXT[]))
           INSERT INTO postings (txid, ledger_account, amount) SELECT $5, la.id, e.amount FROM e JOIN la ON la.owner = e.owner ORDER BY e.i`,
          [entries.map((e) => e.owner), entries.map((e) => kindOf(e.owner)), entries.map((e) => e.amount.toString()), currency, txid],
        );
      },
      hold: async (address, currency, amount) => {
        const hold = 'UPDATE ledger_accounts SET held = held + $3 WHERE owner = $1 AND currency = $2';
        if ((await c.query(named(hold, [address, currency, amount]))).rowCount === 0) {
          // No ledger account yet (then there are no funds: the CHECK refuses a positive hold, as it should).
          await run(`WITH ${LEDGER_ACCOUNT} SELECT id FROM la`, [address, 'customer', currency]);
          await run(hold, [address, currency, amount]);
        }
      },
      saveRequest: (sender, requestId, paramsHash, outcome, now) =>
        run('INSERT INTO requests (sender, request_id, params_hash, txid, error_code, error_message, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          sender,
          requestId,
          paramsHash,
          outcome.txid ?? null,
          outcome.error?.code ?? null,
          outcome.error?.message ?? null,
          now,
        ]),
      recordRejection: (r) => run('INSERT INTO compliance_rejections (at, account, txid, rule, reason, request) VALUES ($1, $2, $3, $4, $5, $6)', [r.at, r.account, r.txid, r.rule, r.reason, JSON.stringify(r.request)]),
      // ON CONFLICT DO NOTHING: a ref seen twice must never fail the batch it is committed in.
      recordOutcome: async (ref, at, messages, outcome) => {
        outcomesLater.push({ ref, at, messages, outcome });
      },
      pruneOutcomes: (before) => run('DELETE FROM op_outcomes WHERE at < $1', [before]),
      // One statement for the whole batch; nextval runs in the order of the ordered SELECT, so the
      // sequence numbers, sorted, are the bodies' in order.
      appendNotifications: async (at, bodies) => {
        if (bodies.length === 0) return [];
        const r = await c.query<{ seq: bigint }>('INSERT INTO notifications (at, body) SELECT $1, b FROM unnest($2::TEXT[]) WITH ORDINALITY AS u (b, i) ORDER BY i RETURNING seq', [at, bodies]);
        return r.rows.map((x) => x.seq).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      },
      pruneNotifications: (before) => run('DELETE FROM notifications WHERE at < $1', [before]),
      setMember: (account, member, role, by, now) =>
        (members.delete(account), false) ||
        (role === null
          ? run('DELETE FROM members WHERE account = $1 AND member = $2', [account, member])
          : run('INSERT INTO members (account, member, role, added_at, added_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account, member) DO UPDATE SET role = excluded.role', [account, member, role, now, by])),
      nextAuditSeq: async (account) => (await one<{ next: bigint }>('SELECT (COALESCE(MAX(seq), 0) + 1)::BIGINT AS next FROM audit_events WHERE account = $1', [account]))!.next,
      appendAudit: (account, seq, at, data, signed) => run('INSERT INTO audit_events (account, seq, at, data, signed) VALUES ($1, $2, $3, $4, $5)', [account, seq, at, data, signed]),
      setTeamPolicy: (account, policy, now) =>
        run('INSERT INTO team_policies (account, policy, updated_at) VALUES ($1, $2, $3) ON CONFLICT (account) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at', [account, policy, now]),
      insertApproval: (a) =>
        run(
          `INSERT INTO approval_requests (account, request_id, initiator, kind, destination, currency, amount, reference, params_hash, text, signature, required, status, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'awaiting', $13, $14)`,
          [a.account, a.request_id, a.initiator, a.kind, a.destination, a.currency, a.amount, a.reference, a.params_hash, a.text, a.signature, a.required, a.created_at, a.expires_at],
        ),
      setBeneficiary: (account, destination, name, by, now) =>
        name === null
          ? run('DELETE FROM beneficiaries WHERE account = $1 AND destination = $2', [account, destination])
          : run('INSERT INTO beneficiaries (account, destination, name, added_at, added_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account, destination) DO UPDATE SET name = excluded.name', [account, destination, name, now, by]),
      insertAdminChange: (c) =>
        run(
          `INSERT INTO admin_changes (account, request_id, op, params, text, proposer, signature, status, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'awaiting', $8, $9)`,
          [c.account, c.request_id, c.op, c.params, c.text, c.proposer, c.signature, c.created_at, c.expires_at],
        ),
      decideAdminChange: (account, requestId, status, reason, by, approval, now) =>
        run('UPDATE admin_changes SET status = $1, reason = $2, decided_by = $3, approval = $4, decided_at = $5 WHERE account = $6 AND request_id = $7', [status, reason, by, approval, now, account, requestId]),
      addApprovalVote: (account, requestId, approver, signature, now) =>
        run('INSERT INTO approval_votes (account, request_id, approver, signature, at) VALUES ($1, $2, $3, $4, $5)', [account, requestId, approver, signature, now]),
      decideApproval: (account, requestId, status, reason, txid, now) =>
        run('UPDATE approval_requests SET status = $1, reason = $2, txid = $3, decided_at = $4 WHERE account = $5 AND request_id = $6', [status, reason, txid, now, account, requestId]),
    };
    return { tx, flush };
  }

  async read<T>(fn: (r: LedgerReads) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let failed = false;
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const r = await fn(readsOn(c));
      await c.query('COMMIT');
      return r;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      c.release(failed ? true : undefined);
    }
  }

  async pendingPayouts(): Promise<TransferRow[]> {
    return (await this.pool.query(`SELECT * FROM transfers WHERE status = 'pending' ORDER BY txid`)).rows as TransferRow[];
  }

  async awaitingApprovals(): Promise<ApprovalRow[]> {
    return (await this.pool.query(`SELECT * FROM approval_requests WHERE status = 'awaiting' ORDER BY expires_at`)).rows as ApprovalRow[];
  }

  async awaitingAdminChanges(): Promise<AdminChangeRow[]> {
    return (await this.pool.query(`SELECT * FROM admin_changes WHERE status = 'awaiting' ORDER BY expires_at`)).rows as AdminChangeRow[];
  }

  async pendingPayoutCount(): Promise<number> {
    return Number((await this.pool.query<{ n: bigint }>(`SELECT COUNT(*) AS n FROM transfers WHERE status = 'pending'`)).rows[0].n);
  }

  /** The ledger's invariants (the same checks as Ledger.checkInvariants), on one snapshot. */
  async checkInvariants(): Promise<string[]> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const problems = await pgInvariantProblems(c);
      await c.query('COMMIT');
      return problems;
    } finally {
      c.release();
    }
  }

  async audit(): Promise<LedgerAudit> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const audit: LedgerAudit = {
        ledgerAccounts: (await c.query('SELECT id, owner, kind, currency, balance, held FROM ledger_accounts ORDER BY id')).rows,
        transfers: (await c.query('SELECT * FROM transfers ORDER BY txid')).rows,
        postings: (await c.query('SELECT COUNT(*) AS n FROM postings')).rows[0].n,
        rejections: (await c.query('SELECT at, account, txid, rule, reason, request FROM compliance_rejections ORDER BY id')).rows,
      };
      await c.query('COMMIT');
      return audit;
    } finally {
      c.release();
    }
  }

  async statusHistory(txid: bigint) {
    return (await this.pool.query('SELECT status, at, reason FROM transfer_status WHERE txid = $1 ORDER BY seq', [txid.toString()])).rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The ledger's invariants as the connection `c` sees them (in its transaction); a list of violations. */
export async function pgInvariantProblems(c: ClientBase): Promise<string[]> {
  const q = async <T>(sql: string) => (await c.query(sql)).rows as T[];
  const problems: string[] = [];
  for (const r of await q<{ currency: string; total: bigint }>('SELECT currency, SUM(balance)::BIGINT AS total FROM ledger_accounts GROUP BY currency')) {
    if (r.total !== 0n) problems.push(`currency ${r.currency} sums to ${r.total}, not 0`);
  }
  for (const r of await q<{ txid: bigint; total: bigint }>('SELECT txid, SUM(amount)::BIGINT AS total FROM postings GROUP BY txid HAVING SUM(amount) <> 0')) {
    problems.push(`postings of tx ${r.txid} sum to ${r.total}`);
  }
  for (const r of await q<{ owner: string; currency: string; balance: bigint; posted: bigint }>(
    'SELECT la.owner, la.currency, la.balance, COALESCE((SELECT SUM(amount) FROM postings p WHERE p.ledger_account = la.id), 0)::BIGINT AS posted FROM ledger_accounts la',
  )) {
    if (r.balance !== r.posted) problems.push(`${r.owner} ${r.currency}: balance ${r.balance} but postings sum to ${r.posted}`);
  }
  for (const r of await q<{ owner: string; currency: string; balance: bigint; held: bigint }>(
    "SELECT owner, currency, balance, held FROM ledger_accounts WHERE kind = 'customer' AND (balance < 0 OR held < 0 OR held > balance)",
  )) {
    problems.push(`${r.owner} ${r.currency}: balance ${r.balance}, held ${r.held}`);
  }
  // Held: pending payouts, and transfers awaiting approval (dual control).
  const pendingHeld = await q<{ sender: string; currency: string; total: bigint }>(
    `SELECT sender, currency, SUM(amount)::BIGINT AS total FROM (
       SELECT sender, currency, amount FROM transfers WHERE status = 'pending'
       UNION ALL SELECT account AS sender, currency, amount FROM approval_requests WHERE status = 'awaiting'
     ) h GROUP BY sender, currency`,
  );
  const heldRows = await q<{ owner: string; currency: string; held: bigint }>("SELECT owner, currency, held FROM ledger_accounts WHERE kind = 'customer' AND held <> 0");
  const expected = new Map(pendingHeld.map((p) => [`${p.sender}/${p.currency}`, p.total]));
  for (const h of heldRows) {
    if (expected.get(`${h.owner}/${h.currency}`) !== h.held) problems.push(`${h.owner} ${h.currency}: held ${h.held} but pending payouts total ${expected.get(`${h.owner}/${h.currency}`) ?? 0n}`);
    expected.delete(`${h.owner}/${h.currency}`);
  }
  for (const [k, v] of expected) problems.push(`${k}: pending payouts total ${v} but nothing held`);
  return problems;
}
