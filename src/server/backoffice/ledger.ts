// The double-entry ledger in SQLite. Every movement of money is a transfer with postings that
// sum to zero; ledger balances are maintained by a trigger from postings (so a balance can never
// disagree with its postings), customer balances can never go negative (CHECK), and transfers and
// postings can never be changed or deleted (triggers). Each currency has one external IBAN
// clearing account standing for the outside world, so every currency sums to zero.
//
// All methods are synchronous; the back office reaches them through the SQLite ledger store
// (sqlite-store.ts), writes inside its group-commit transaction on the write connection, reads of
// committed data on a second, read-only connection. Integers come back as BigInt (safeIntegers)
// and money is never a float.
import Database from 'better-sqlite3';
import type { CurrencyCode } from '../../shared/currencies';
import type { TransferStatus } from '../../shared/protocol';
import type { Role } from '../../shared/team';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  address TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  postal_address TEXT,
  phone TEXT,
  country TEXT NOT NULL,
  currency TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  iban TEXT UNIQUE,
  require_confirmation INTEGER NOT NULL DEFAULT 0 CHECK (require_confirmation IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_accounts (
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('customer', 'clearing')),
  currency TEXT NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  UNIQUE (owner, currency),
  CHECK (kind = 'clearing' OR (balance >= 0 AND held >= 0 AND held <= balance))
);
CREATE TABLE IF NOT EXISTS transfers (
  txid INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('internal', 'iban_out', 'iban_in')),
  sender TEXT NOT NULL,
  destination TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  reference TEXT,
  request_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('new', 'rejected', 'complete', 'pending', 'failed')),
  status_message TEXT
);
CREATE INDEX IF NOT EXISTS transfers_by_sender ON transfers (sender, txid);
CREATE INDEX IF NOT EXISTS transfers_by_destination ON transfers (destination, txid);
CREATE INDEX IF NOT EXISTS transfers_pending ON transfers (status) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS transfer_status (
  txid INTEGER NOT NULL REFERENCES transfers (txid),
  seq INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('NEW', 'approved', 'rejected', 'pending', 'complete', 'failed')),
  at INTEGER NOT NULL,
  reason TEXT,
  PRIMARY KEY (txid, seq)
);
CREATE TABLE IF NOT EXISTS postings (
  id INTEGER PRIMARY KEY,
  txid INTEGER NOT NULL REFERENCES transfers (txid),
  ledger_account INTEGER NOT NULL REFERENCES ledger_accounts (id),
  amount INTEGER NOT NULL CHECK (amount <> 0)
);
CREATE INDEX IF NOT EXISTS postings_by_tx ON postings (txid);
CREATE TABLE IF NOT EXISTS requests (
  sender TEXT NOT NULL,
  request_id TEXT NOT NULL,
  params_hash TEXT NOT NULL,
  txid INTEGER REFERENCES transfers (txid),
  error_code TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sender, request_id)
);
-- The device confirmation behind a transfer: the exact text and the customer's signature, kept so the
-- customer (or an auditor) can prove the transfer was confirmed, and the operator cannot claim one was.
CREATE TABLE IF NOT EXISTS transfer_confirmations (
  txid INTEGER PRIMARY KEY REFERENCES transfers (txid),
  text TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS confirmations_no_update BEFORE UPDATE ON transfer_confirmations BEGIN SELECT RAISE(ABORT, 'confirmations are immutable'); END;
CREATE TRIGGER IF NOT EXISTS confirmations_no_delete BEFORE DELETE ON transfer_confirmations BEGIN SELECT RAISE(ABORT, 'confirmations are immutable'); END;
-- The latest signed message of each transfer, signed once when its state changes, so a replay is
-- byte-identical to the live message and costs no signing (back-office.ts).
CREATE TABLE IF NOT EXISTS signed_messages (txid INTEGER PRIMARY KEY REFERENCES transfers (txid), data TEXT NOT NULL, signed TEXT NOT NULL);
-- What became of each state-changing operation, by the gateway's ref (outcomes.ts).
CREATE TABLE IF NOT EXISTS op_outcomes (
  ref TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  messages TEXT NOT NULL,
  outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS op_outcomes_by_time ON op_outcomes (at);
-- The outbox: every notification committed, in commit order, with its sequence number, so that a
-- gateway whose link dropped (or that follows a new active back office) asks for what it missed
-- (link-server.ts). AUTOINCREMENT: a number is never reused, even after the newest rows are pruned.
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_time ON notifications (at);
CREATE TABLE IF NOT EXISTS compliance_rejections (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  account TEXT NOT NULL,
  txid INTEGER REFERENCES transfers (txid),
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  request TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS postings_apply AFTER INSERT ON postings BEGIN
  UPDATE ledger_accounts SET balance = balance + NEW.amount WHERE id = NEW.ledger_account;
END;
CREATE TRIGGER IF NOT EXISTS postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
CREATE TRIGGER IF NOT EXISTS postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are immutable'); END;
CREATE TRIGGER IF NOT EXISTS transfers_immutable
  BEFORE UPDATE OF txid, timestamp, kind, sender, destination, currency, amount, reference, request_id ON transfers
  BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END;
CREATE TRIGGER IF NOT EXISTS transfers_no_delete BEFORE DELETE ON transfers BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END;
-- A team account's members (docs/team-treasury.md): keys other than the account's own, each with a
-- role. The account's own key is its first administrator and has no row here.
CREATE TABLE IF NOT EXISTS members (
  account TEXT NOT NULL REFERENCES accounts (address),
  member TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'initiator', 'approver', 'administrator')),
  added_at INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (account, member),
  CHECK (member <> account)
);
CREATE INDEX IF NOT EXISTS members_by_member ON members (member);
-- The audit trail: every security-relevant event of an account, signed by the back office; append-only.
-- seq counts each account's events from 1 without gaps, so an exported trail shows if one is missing.
CREATE TABLE IF NOT EXISTS audit_events (
  account TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  signed TEXT NOT NULL,
  PRIMARY KEY (account, seq)
);
-- A team account's dual-control policy (TeamPolicy JSON, validated before it is stored).
CREATE TABLE IF NOT EXISTS team_policies (
  account TEXT PRIMARY KEY REFERENCES accounts (address),
  policy TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Transfers under dual control: recorded with their funds held until enough approvers other than
-- the initiator signed the same text; only then does a transfer (and its postings) exist.
CREATE TABLE IF NOT EXISTS approval_requests (
  account TEXT NOT NULL REFERENCES accounts (address),
  request_id TEXT NOT NULL,
  initiator TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('internal', 'iban_out')),
  destination TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  reference TEXT,
  params_hash TEXT NOT NULL,
  text TEXT NOT NULL,
  signature TEXT NOT NULL,
  required INTEGER NOT NULL CHECK (required BETWEEN 1 AND 5),
  status TEXT NOT NULL CHECK (status IN ('awaiting', 'released', 'rejected', 'cancelled', 'expired', 'failed')),
  reason TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_at INTEGER,
  txid INTEGER REFERENCES transfers (txid),
  PRIMARY KEY (account, request_id)
);
CREATE INDEX IF NOT EXISTS approvals_awaiting ON approval_requests (status) WHERE status = 'awaiting';
-- Decided is final; what was asked never changes.
CREATE TRIGGER IF NOT EXISTS approvals_decided_final BEFORE UPDATE ON approval_requests
  WHEN OLD.status <> 'awaiting' OR NEW.initiator <> OLD.initiator OR NEW.destination <> OLD.destination OR NEW.amount <> OLD.amount
    OR NEW.currency <> OLD.currency OR NEW.text <> OLD.text OR NEW.signature <> OLD.signature OR NEW.required <> OLD.required
  BEGIN SELECT RAISE(ABORT, 'a decided approval request, and what any approval request asks, are immutable'); END;
CREATE TRIGGER IF NOT EXISTS approvals_no_delete BEFORE DELETE ON approval_requests BEGIN SELECT RAISE(ABORT, 'approval requests are kept'); END;
CREATE TABLE IF NOT EXISTS approval_votes (
  account TEXT NOT NULL,
  request_id TEXT NOT NULL,
  approver TEXT NOT NULL,
  signature TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (account, request_id, approver),
  FOREIGN KEY (account, request_id) REFERENCES approval_requests (account, request_id)
);
CREATE TRIGGER IF NOT EXISTS votes_no_update BEFORE UPDATE ON approval_votes BEGIN SELECT RAISE(ABORT, 'approvals are immutable'); END;
CREATE TRIGGER IF NOT EXISTS votes_no_delete BEFORE DELETE ON approval_votes BEGIN SELECT RAISE(ABORT, 'approvals are immutable'); END;
-- A team account's beneficiary book: saved destinations (IBAN in electronic format, or an address).
CREATE TABLE IF NOT EXISTS beneficiaries (
  account TEXT NOT NULL REFERENCES accounts (address),
  destination TEXT NOT NULL,
  name TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (account, destination)
);
-- Membership, policy and beneficiary changes awaiting a second administrator (adminChangesNeedSecondAdmin).
CREATE TABLE IF NOT EXISTS admin_changes (
  account TEXT NOT NULL REFERENCES accounts (address),
  request_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('setmember', 'teampolicy', 'setbeneficiary', 'removebeneficiary')),
  params TEXT NOT NULL,
  text TEXT NOT NULL,
  proposer TEXT NOT NULL,
  signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('awaiting', 'applied', 'rejected', 'cancelled', 'expired', 'failed')),
  reason TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_by TEXT,
  approval TEXT,
  PRIMARY KEY (account, request_id)
);
CREATE TRIGGER IF NOT EXISTS admin_changes_decided_final BEFORE UPDATE ON admin_changes
  WHEN OLD.status <> 'awaiting' OR NEW.op <> OLD.op OR NEW.params <> OLD.params OR NEW.text <> OLD.text OR NEW.proposer <> OLD.proposer OR NEW.signature <> OLD.signature
  BEGIN SELECT RAISE(ABORT, 'a decided change, and what any change asks, are immutable'); END;
CREATE TRIGGER IF NOT EXISTS admin_changes_no_delete BEFORE DELETE ON admin_changes BEGIN SELECT RAISE(ABORT, 'changes are kept'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS status_no_update BEFORE UPDATE ON transfer_status BEGIN SELECT RAISE(ABORT, 'status history is immutable'); END;
CREATE TRIGGER IF NOT EXISTS status_no_delete BEFORE DELETE ON transfer_status BEGIN SELECT RAISE(ABORT, 'status history is immutable'); END;
`;

export const CLEARING_OWNER = '@iban-clearing';

export interface AccountRow {
  address: string;
  name: string;
  email: string;
  postal_address: string | null;
  phone: string | null;
  country: string;
  currency: CurrencyCode;
  verified: bigint;
  iban: string | null;
  /** The account's own policy: every transfer needs a device confirmation (set by a device-signed request). */
  require_confirmation: bigint;
}

export type TransferKind = 'internal' | 'iban_out' | 'iban_in';
export type TransferRowStatus = 'new' | 'rejected' | TransferStatus;

export interface TransferRow {
  txid: bigint;
  timestamp: bigint;
  kind: TransferKind;
  sender: string;
  destination: string;
  currency: CurrencyCode;
  amount: bigint;
  reference: string | null;
  request_id: string | null;
  status: TransferRowStatus;
  status_message: string | null;
}

export interface RequestRow {
  params_hash: string;
  txid: bigint | null;
  error_code: string | null;
  error_message: string | null;
}

export interface MemberRow {
  member: string;
  role: Role;
  added_at: bigint;
  added_by: string;
}

export interface BeneficiaryRow {
  destination: string;
  name: string;
  added_at: bigint;
  added_by: string;
}

export interface AdminChangeRow {
  account: string;
  request_id: string;
  op: 'setmember' | 'teampolicy' | 'setbeneficiary' | 'removebeneficiary';
  /** The request's params as proposed, JSON (with the proposer's confirmation). */
  params: string;
  text: string;
  proposer: string;
  signature: string;
  status: 'awaiting' | 'applied' | 'rejected' | 'cancelled' | 'expired' | 'failed';
  reason: string | null;
  created_at: bigint;
  expires_at: bigint;
  decided_at: bigint | null;
  decided_by: string | null;
  approval: string | null;
}

export interface ApprovalRow {
  account: string;
  request_id: string;
  initiator: string;
  kind: 'internal' | 'iban_out';
  destination: string;
  currency: CurrencyCode;
  amount: bigint;
  reference: string | null;
  params_hash: string;
  text: string;
  signature: string;
  required: bigint;
  status: 'awaiting' | 'released' | 'rejected' | 'cancelled' | 'expired' | 'failed';
  reason: string | null;
  created_at: bigint;
  expires_at: bigint;
  decided_at: bigint | null;
  txid: bigint | null;
}

export interface AuditRow {
  seq: bigint;
  at: bigint;
  /** The RFC 8785 canonical JSON of the event, as signed. */
  data: string;
  signed: string;
}

export type HistoryFilter = { limit?: number; sinceTransaction?: number; sinceTime?: number };
export interface HistoryWindow {
  after: bigint;
  upto: bigint;
  sinceTime: number;
}

/** Statuses a customer sees in history; NEW and rejected transfers never moved money. */
const VISIBLE = `status IN ('complete', 'pending', 'failed')`;

/** Columns added after a ledger file was first created (ledgers written by older versions are upgraded in place). */
function migrate(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(accounts)').all() as { name: string }[]).map((c) => c.name));
  if (!columns.has('require_confirmation')) {
    db.exec('ALTER TABLE accounts ADD COLUMN require_confirmation INTEGER NOT NULL DEFAULT 0 CHECK (require_confirmation IN (0, 1))');
  }
}

export class Ledger {
  readonly db: Database.Database;
  private readonly stmt;

  /** `readOnly`: a second connection for reads of committed data (WAL: it never waits for the writer). */
  constructor(file: string, opts: { readOnly?: boolean } = {}) {
    this.db = opts.readOnly ? new Database(file, { readonly: true, fileMustExist: true }) : new Database(file);
    if (!opts.readOnly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
    }
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.defaultSafeIntegers(true);
    if (!opts.readOnly) {
      this.db.exec(SCHEMA);
      migrate(this.db);
    }
    const db = this.db;
    this.stmt = {
      account: db.prepare('SELECT * FROM accounts WHERE address = ?'),
      insertAccount: db.prepare(
        'INSERT INTO accounts (address, name, email, postal_address, phone, country, currency, created_at, updated_at) VALUES (@address, @name, @email, @postal_address, @phone, @country, @currency, @now, @now)',
      ),
      ledgerAccount: db.prepare('SELECT id, balance, held FROM ledger_accounts WHERE owner = ? AND currency = ?'),
      insertLedgerAccount: db.prepare('INSERT INTO ledger_accounts (owner, kind, currency) VALUES (?, ?, ?)'),
      balances: db.prepare("SELECT currency, balance, held FROM ledger_accounts WHERE owner = ? AND kind = 'customer' ORDER BY currency"),
      insertTransfer: db.prepare(
        'INSERT INTO transfers (timestamp, kind, sender, destination, currency, amount, reference, request_id, status) VALUES (@timestamp, @kind, @sender, @destination, @currency, @amount, @reference, @request_id, @status)',
      ),
      setStatus: db.prepare('UPDATE transfers SET status = ?, status_message = ? WHERE txid = ?'),
      addStatus: db.prepare('INSERT INTO transfer_status (txid, seq, status, at, reason) VALUES (?, (SELECT COUNT(*) FROM transfer_status WHERE txid = ?), ?, ?, ?)'),
      posting: db.prepare('INSERT INTO postings (txid, ledger_account, amount) VALUES (?, ?, ?)'),
      hold: db.prepare('UPDATE ledger_accounts SET held = held + ? WHERE id = ?'),
      transfer: db.prepare('SELECT * FROM transfers WHERE txid = ?'),
      request: db.prepare('SELECT params_hash, txid, error_code, error_message FROM requests WHERE sender = ? AND request_id = ?'),
      insertRequest: db.prepare(
        'INSERT INTO requests (sender, request_id, params_hash, txid, error_code, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      outgoingSince: db.prepare(
        `SELECT COALESCE(SUM(amount), 0) AS total FROM transfers WHERE sender = ? AND currency = ? AND timestamp >= ? AND status IN ('complete', 'pending')`,
      ),
      rejection: db.prepare('INSERT INTO compliance_rejections (at, account, txid, rule, reason, request) VALUES (?, ?, ?, ?, ?, ?)'),
      pending: db.prepare(`SELECT * FROM transfers WHERE status = 'pending' ORDER BY txid`),
      // Two index range scans, each stopping after @n rows (an OR would collect every remaining row of
      // the account and sort it, for every page).
      historyPage: db.prepare(
        `SELECT * FROM (SELECT * FROM transfers WHERE sender = @a AND ${VISIBLE} AND txid > @after AND txid <= @upto AND timestamp >= @since ORDER BY txid LIMIT @n)
         UNION ALL
         SELECT * FROM (SELECT * FROM transfers WHERE destination = @a AND sender <> @a AND ${VISIBLE} AND txid > @after AND txid <= @upto AND timestamp >= @since ORDER BY txid LIMIT @n)
         ORDER BY txid LIMIT @n`,
      ),
      signedMessage: db.prepare('SELECT data, signed FROM signed_messages WHERE txid = ?'),
      storeSignedMessage: db.prepare('INSERT INTO signed_messages (txid, data, signed) VALUES (?, ?, ?) ON CONFLICT (txid) DO UPDATE SET data = excluded.data, signed = excluded.signed'),
      // INSERT OR IGNORE: a ref seen twice must never fail the batch it is committed in.
      recordOutcome: db.prepare('INSERT OR IGNORE INTO op_outcomes (ref, at, messages, outcome) VALUES (?, ?, ?, ?)'),
      outcome: db.prepare('SELECT messages, outcome FROM op_outcomes WHERE ref = ?'),
      pruneOutcomes: db.prepare('DELETE FROM op_outcomes WHERE at < ?'),
      appendNotification: db.prepare('INSERT INTO notifications (at, body) VALUES (?, ?) RETURNING seq'),
      notificationsAfter: db.prepare('SELECT seq, body FROM notifications WHERE seq > ? ORDER BY seq LIMIT ?'),
      notificationHead: db.prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0) AS seq"),
      pruneNotifications: db.prepare('DELETE FROM notifications WHERE at < ?'),
      meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- accounts -----------------------------------------------------------------------

  account(address: string): AccountRow | undefined {
    return this.stmt.account.get(address) as AccountRow | undefined;
  }

  register(address: string, f: { name: string; email: string; country: string; currency: CurrencyCode; address?: string; phone?: string }, now: number): void {
    this.stmt.insertAccount.run({ address, name: f.name, email: f.email, postal_address: f.address ?? null, phone: f.phone ?? null, country: f.country, currency: f.currency, now });
  }

  updateAccount(address: string, changes: Partial<{ email: string; postal_address: string; phone: string; country: string; currency: string; verified: number }>, now: number): void {
    const cols = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (cols.length === 0) return;
    const set = cols.map(([k]) => `${k} = @${k}`).join(', ');
    this.db.prepare(`UPDATE accounts SET ${set}, updated_at = @now WHERE address = @address`).run({ ...Object.fromEntries(cols), now, address });
  }

  /** The latest signed message of a transfer (replays reuse it byte for byte). */
  signedMessage(txid: bigint): { data: string; signed: string } | undefined {
    return this.stmt.signedMessage.get(txid) as { data: string; signed: string } | undefined;
  }

  storeSignedMessage(txid: bigint, data: string, signed: string): void {
    this.stmt.storeSignedMessage.run(txid, data, signed);
  }

  recordConfirmation(txid: bigint, text: string, signature: string): void {
    this.db.prepare('INSERT INTO transfer_confirmations (txid, text, signature) VALUES (?, ?, ?)').run(txid, text, signature);
  }

  confirmation(txid: bigint): { text: string; signature: string } | undefined {
    return this.db.prepare('SELECT text, signature FROM transfer_confirmations WHERE txid = ?').get(txid) as { text: string; signature: string } | undefined;
  }

  setConfirmationPolicy(address: string, required: boolean, now: number): void {
    this.db.prepare('UPDATE accounts SET require_confirmation = ?, updated_at = ? WHERE address = ?').run(required ? 1 : 0, now, address);
  }

  setIban(address: string, iban: string, now: number): void {
    this.db.prepare('UPDATE accounts SET iban = ?, verified = 1, updated_at = ? WHERE address = ?').run(iban, now, address);
  }

  nextCounter(name: string): bigint {
    const row = this.stmt.meta.get(name) as { value: string } | undefined;
    const next = row ? BigInt(row.value) + 1n : 1n;
    this.stmt.setMeta.run(name, next.toString());
    return next;
  }

  // ---- balances -------------------------------------------------------------------------

  private ledgerAccountId(owner: string, currency: CurrencyCode, kind: 'customer' | 'clearing'): bigint {
    const row = this.stmt.ledgerAccount.get(owner, currency) as { id: bigint } | undefined;
    if (row) return row.id;
    return this.stmt.insertLedgerAccount.run(owner, kind, currency).lastInsertRowid as bigint;
  }

  /** Booked balance and amount held for pending payouts. */
  balance(address: string, currency: CurrencyCode): { balance: bigint; held: bigint } {
    const row = this.stmt.ledgerAccount.get(address, currency) as { balance: bigint; held: bigint } | undefined;
    return row ? { balance: row.balance, held: row.held } : { balance: 0n, held: 0n };
  }

  balances(address: string): { currency: CurrencyCode; balance: bigint; held: bigint }[] {
    return this.stmt.balances.all(address) as { currency: CurrencyCode; balance: bigint; held: bigint }[];
  }

  // ---- transfers ------------------------------------------------------------------------

  insertTransfer(t: { timestamp: number; kind: TransferKind; sender: string; destination: string; currency: CurrencyCode; amount: bigint; reference?: string | null; requestId?: string | null }): bigint {
    const txid = this.stmt.insertTransfer.run({
      timestamp: t.timestamp,
      kind: t.kind,
      sender: t.sender,
      destination: t.destination,
      currency: t.currency,
      amount: t.amount,
      reference: t.reference ?? null,
      request_id: t.requestId ?? null,
      status: 'new',
    }).lastInsertRowid as bigint;
    this.stmt.addStatus.run(txid, txid, 'NEW', t.timestamp, null);
    return txid;
  }

  /** Moves a transfer along its status history (NEW → approved/rejected → pending → complete/failed). */
  advance(txid: bigint, step: 'approved' | 'rejected' | 'pending' | 'complete' | 'failed', at: number, reason: string | null = null): void {
    this.stmt.addStatus.run(txid, txid, step, at, reason);
    if (step !== 'approved') this.stmt.setStatus.run(step, reason, txid);
  }

  statusHistory(txid: bigint): { status: string; at: bigint; reason: string | null }[] {
    return this.db.prepare('SELECT status, at, reason FROM transfer_status WHERE txid = ? ORDER BY seq').all(txid) as { status: string; at: bigint; reason: string | null }[];
  }

  /** Posts a balanced set of entries for a transfer. Throws (and the savepoint rolls back) if a customer would go negative. */
  post(txid: bigint, currency: CurrencyCode, entries: { owner: string; amount: bigint }[]): void {
    const sum = entries.reduce((s, e) => s + e.amount, 0n);
    if (sum !== 0n) throw new Error(`unbalanced postings for tx ${txid}: sum ${sum}`);
    for (const e of entries) {
      const id = this.ledgerAccountId(e.owner, currency, e.owner === CLEARING_OWNER ? 'clearing' : 'customer');
      this.stmt.posting.run(txid, id, e.amount);
    }
  }

  /** Reserves (positive) or releases (negative) funds of a customer for a pending payout. */
  hold(address: string, currency: CurrencyCode, amount: bigint): void {
    this.stmt.hold.run(amount, this.ledgerAccountId(address, currency, 'customer'));
  }

  /** The transfer record (reads only; moving money is BackOffice.transfer). */
  findTransfer(txid: bigint | number): TransferRow | undefined {
    return this.stmt.transfer.get(BigInt(txid)) as TransferRow | undefined;
  }

  pendingPayoutCount(): number {
    return Number((this.db.prepare(`SELECT COUNT(*) AS n FROM transfers WHERE status = 'pending'`).get() as { n: bigint }).n);
  }

  pendingPayouts(): TransferRow[] {
    return this.stmt.pending.all() as TransferRow[];
  }

  outgoingSince(sender: string, currency: CurrencyCode, since: number): bigint {
    return (this.stmt.outgoingSince.get(sender, currency, since) as { total: bigint }).total;
  }

  /** The fixed window of a paged history replay: rows after `after`, up to `upto`, at or after `sinceTime`. */
  historyWindow(address: string, f: HistoryFilter): HistoryWindow {
    const upto = (this.db.prepare('SELECT COALESCE(MAX(txid), 0) AS m FROM transfers').get() as { m: bigint }).m;
    const w: HistoryWindow = { after: 0n, upto, sinceTime: 0 };
    if (f.limit !== undefined) {
      const nth = this.db
        .prepare(
          `SELECT txid FROM (SELECT txid FROM transfers WHERE sender = @a AND ${VISIBLE} AND txid <= @upto ORDER BY txid DESC LIMIT @n)
           UNION ALL
           SELECT txid FROM (SELECT txid FROM transfers WHERE destination = @a AND sender <> @a AND ${VISIBLE} AND txid <= @upto ORDER BY txid DESC LIMIT @n)
           ORDER BY txid DESC LIMIT 1 OFFSET @skip`,
        )
        .get({ a: address, upto, n: f.limit, skip: f.limit - 1 }) as { txid: bigint } | undefined;
      if (nth) w.after = nth.txid - 1n;
    } else if (f.sinceTransaction !== undefined) w.after = BigInt(f.sinceTransaction) - 1n;
    else if (f.sinceTime !== undefined) w.sinceTime = f.sinceTime;
    return w;
  }

  /** The next page of a history window, oldest first (the caller advances `after`). */
  historyPage(address: string, w: HistoryWindow, rows: number): TransferRow[] {
    return this.stmt.historyPage.all({ a: address, after: w.after, upto: w.upto, since: w.sinceTime, n: rows }) as TransferRow[];
  }

  // ---- idempotency & compliance records ------------------------------------------------------

  request(sender: string, requestId: string): RequestRow | undefined {
    return this.stmt.request.get(sender, requestId) as RequestRow | undefined;
  }

  saveRequest(sender: string, requestId: string, paramsHash: string, outcome: { txid?: bigint; error?: { code: string; message: string } }, now: number): void {
    this.stmt.insertRequest.run(sender, requestId, paramsHash, outcome.txid ?? null, outcome.error?.code ?? null, outcome.error?.message ?? null, now);
  }

  recordRejection(r: { at: number; account: string; txid: bigint | null; rule: string; reason: string; request: unknown }): void {
    this.stmt.rejection.run(r.at, r.account, r.txid, r.rule, r.reason, JSON.stringify(r.request));
  }

  rejections(account?: string): { at: bigint; account: string; txid: bigint | null; rule: string; reason: string; request: string }[] {
    return (account
      ? this.db.prepare('SELECT at, account, txid, rule, reason, request FROM compliance_rejections WHERE account = ? ORDER BY id').all(account)
      : this.db.prepare('SELECT at, account, txid, rule, reason, request FROM compliance_rejections ORDER BY id').all()) as never;
  }

  // ---- outcomes of state-changing operations, by the gateway's ref (outcomes.ts) -------------------

  recordOutcome(ref: string, at: number, messages: string, outcome: string): void {
    this.stmt.recordOutcome.run(ref, at, messages, outcome);
  }

  outcome(ref: string): { messages: string; outcome: string } | undefined {
    return this.stmt.outcome.get(ref) as { messages: string; outcome: string } | undefined;
  }

  /** Appends committed-with-this-transaction notifications to the outbox; their sequence numbers, in order. */
  appendNotifications(at: number, bodies: string[]): bigint[] {
    return bodies.map((body) => (this.stmt.appendNotification.get(at, body) as { seq: bigint }).seq);
  }

  notificationsAfter(after: bigint, limit: number): { seq: bigint; body: string }[] {
    return this.stmt.notificationsAfter.all(after, limit) as { seq: bigint; body: string }[];
  }

  /** The last sequence number given to a notification (0 when none ever was). */
  notificationHead(): bigint {
    return (this.stmt.notificationHead.get() as { seq: bigint }).seq;
  }

  pruneNotifications(before: number): void {
    this.stmt.pruneNotifications.run(before);
  }

  pruneOutcomes(before: number): void {
    this.stmt.pruneOutcomes.run(before);
  }

  // ---- team accounts: members and the audit trail (docs/team-treasury.md) -----------------------

  /** A member's role at an account (the account's own key is not a row: it is the first administrator). */
  member(account: string, member: string): MemberRow | undefined {
    return this.db.prepare('SELECT member, role, added_at, added_by FROM members WHERE account = ? AND member = ?').get(account, member) as MemberRow | undefined;
  }

  members(account: string): MemberRow[] {
    return this.db.prepare('SELECT member, role, added_at, added_by FROM members WHERE account = ? ORDER BY added_at, member').all(account) as MemberRow[];
  }

  /** The accounts a key may act for, other than its own. */
  memberships(member: string): { account: string; role: Role }[] {
    return this.db.prepare('SELECT account, role FROM members WHERE member = ? ORDER BY account').all(member) as { account: string; role: Role }[];
  }

  /** Adds a member, changes its role, or (role null) removes it. */
  setMember(account: string, member: string, role: Role | null, by: string, now: number): void {
    if (role === null) this.db.prepare('DELETE FROM members WHERE account = ? AND member = ?').run(account, member);
    else {
      this.db
        .prepare('INSERT INTO members (account, member, role, added_at, added_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, member) DO UPDATE SET role = excluded.role')
        .run(account, member, role, now, by);
    }
  }

  /** The sequence number the account's next audit event gets (inside the write transaction: one writer). */
  nextAuditSeq(account: string): bigint {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM audit_events WHERE account = ?').get(account) as { next: bigint }).next;
  }

  /** Appends an event whose signed data names `seq` (from nextAuditSeq). */
  appendAudit(account: string, seq: bigint, at: number, data: string, signed: string): void {
    this.db.prepare('INSERT INTO audit_events (account, seq, at, data, signed) VALUES (?, ?, ?, ?, ?)').run(account, seq, at, data, signed);
  }

  /** The account's audit events after `afterSeq`, oldest first. */
  auditEvents(account: string, afterSeq: bigint, limit: number): AuditRow[] {
    return this.db.prepare('SELECT seq, at, data, signed FROM audit_events WHERE account = ? AND seq > ? ORDER BY seq LIMIT ?').all(account, afterSeq, limit) as AuditRow[];
  }

  // ---- beneficiary book --------------------------------------------------------------------------------

  beneficiary(account: string, destination: string): BeneficiaryRow | undefined {
    return this.db.prepare('SELECT destination, name, added_at, added_by FROM beneficiaries WHERE account = ? AND destination = ?').get(account, destination) as BeneficiaryRow | undefined;
  }

  beneficiaries(account: string): BeneficiaryRow[] {
    return this.db.prepare('SELECT destination, name, added_at, added_by FROM beneficiaries WHERE account = ? ORDER BY name, destination').all(account) as BeneficiaryRow[];
  }

  /** Saves (or renames) a beneficiary; name null removes it. */
  setBeneficiary(account: string, destination: string, name: string | null, by: string, now: number): void {
    if (name === null) this.db.prepare('DELETE FROM beneficiaries WHERE account = ? AND destination = ?').run(account, destination);
    else {
      this.db
        .prepare('INSERT INTO beneficiaries (account, destination, name, added_at, added_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, destination) DO UPDATE SET name = excluded.name')
        .run(account, destination, name, now, by);
    }
  }

  // ---- changes awaiting a second administrator ------------------------------------------------------

  adminChange(account: string, requestId: string): AdminChangeRow | undefined {
    return this.db.prepare('SELECT * FROM admin_changes WHERE account = ? AND request_id = ?').get(account, requestId) as AdminChangeRow | undefined;
  }

  insertAdminChange(c: Pick<AdminChangeRow, 'account' | 'request_id' | 'op' | 'params' | 'text' | 'proposer' | 'signature' | 'created_at' | 'expires_at'>): void {
    this.db
      .prepare(
        `INSERT INTO admin_changes (account, request_id, op, params, text, proposer, signature, status, created_at, expires_at)
         VALUES (@account, @request_id, @op, @params, @text, @proposer, @signature, 'awaiting', @created_at, @expires_at)`,
      )
      .run(c);
  }

  decideAdminChange(account: string, requestId: string, status: Exclude<AdminChangeRow['status'], 'awaiting'>, reason: string | null, by: string | null, approval: string | null, now: number): void {
    this.db
      .prepare('UPDATE admin_changes SET status = ?, reason = ?, decided_by = ?, approval = ?, decided_at = ? WHERE account = ? AND request_id = ?')
      .run(status, reason, by, approval, now, account, requestId);
  }

  /** Changes awaiting a second administrator: one account's (oldest first), or every account's (their expiry timers). */
  awaitingAdminChanges(account?: string): AdminChangeRow[] {
    return (account
      ? this.db.prepare(`SELECT * FROM admin_changes WHERE account = ? AND status = 'awaiting' ORDER BY created_at, request_id`).all(account)
      : this.db.prepare(`SELECT * FROM admin_changes WHERE status = 'awaiting' ORDER BY expires_at`).all()) as AdminChangeRow[];
  }

  // ---- dual control ---------------------------------------------------------------------------------

  teamPolicy(account: string): string | undefined {
    return (this.db.prepare('SELECT policy FROM team_policies WHERE account = ?').get(account) as { policy: string } | undefined)?.policy;
  }

  setTeamPolicy(account: string, policy: string, now: number): void {
    this.db.prepare('INSERT INTO team_policies (account, policy, updated_at) VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at').run(account, policy, now);
  }

  approvalRequest(account: string, requestId: string): ApprovalRow | undefined {
    return this.db.prepare('SELECT * FROM approval_requests WHERE account = ? AND request_id = ?').get(account, requestId) as ApprovalRow | undefined;
  }

  insertApproval(a: Omit<ApprovalRow, 'status' | 'reason' | 'decided_at' | 'txid'>): void {
    this.db
      .prepare(
        `INSERT INTO approval_requests (account, request_id, initiator, kind, destination, currency, amount, reference, params_hash, text, signature, required, status, created_at, expires_at)
         VALUES (@account, @request_id, @initiator, @kind, @destination, @currency, @amount, @reference, @params_hash, @text, @signature, @required, 'awaiting', @created_at, @expires_at)`,
      )
      .run(a);
  }

  approvalVotes(account: string, requestId: string): { approver: string; at: bigint }[] {
    return this.db.prepare('SELECT approver, at FROM approval_votes WHERE account = ? AND request_id = ? ORDER BY at, approver').all(account, requestId) as { approver: string; at: bigint }[];
  }

  addApprovalVote(account: string, requestId: string, approver: string, signature: string, now: number): void {
    this.db.prepare('INSERT INTO approval_votes (account, request_id, approver, signature, at) VALUES (?, ?, ?, ?, ?)').run(account, requestId, approver, signature, now);
  }

  decideApproval(account: string, requestId: string, status: Exclude<ApprovalRow['status'], 'awaiting'>, reason: string | null, txid: bigint | null, now: number): void {
    this.db.prepare('UPDATE approval_requests SET status = ?, reason = ?, txid = ?, decided_at = ? WHERE account = ? AND request_id = ?').run(status, reason, txid, now, account, requestId);
  }

  /** Transfers awaiting approval: one account's (oldest first), or every account's (their expiry timers). */
  awaitingApprovals(account?: string): ApprovalRow[] {
    return (account
      ? this.db.prepare(`SELECT * FROM approval_requests WHERE account = ? AND status = 'awaiting' ORDER BY created_at, request_id`).all(account)
      : this.db.prepare(`SELECT * FROM approval_requests WHERE status = 'awaiting' ORDER BY expires_at`).all()) as ApprovalRow[];
  }

  // ---- audit ------------------------------------------------------------------------------------

  /** Checks the ledger's invariants; returns a list of violations (empty when sound). */
  checkInvariants(): string[] {
    const problems: string[] = [];
    for (const r of this.db.prepare('SELECT currency, SUM(balance) AS total FROM ledger_accounts GROUP BY currency').all() as { currency: string; total: bigint }[]) {
      if (r.total !== 0n) problems.push(`currency ${r.currency} sums to ${r.total}, not 0`);
    }
    for (const r of this.db.prepare('SELECT txid, SUM(amount) AS total FROM postings GROUP BY txid HAVING total <> 0').all() as { txid: bigint; total: bigint }[]) {
      problems.push(`postings of tx ${r.txid} sum to ${r.total}`);
    }
    for (const r of this.db
      .prepare('SELECT la.id, la.owner, la.currency, la.balance, COALESCE((SELECT SUM(amount) FROM postings p WHERE p.ledger_account = la.id), 0) AS posted FROM ledger_accounts la')
      .all() as { owner: string; currency: string; balance: bigint; posted: bigint }[]) {
      if (r.balance !== r.posted) problems.push(`${r.owner} ${r.currency}: balance ${r.balance} but postings sum to ${r.posted}`);
    }
    for (const r of this.db.prepare("SELECT owner, currency, balance, held FROM ledger_accounts WHERE kind = 'customer' AND (balance < 0 OR held < 0 OR held > balance)").all() as {
      owner: string;
      currency: string;
      balance: bigint;
      held: bigint;
    }[]) {
      problems.push(`${r.owner} ${r.currency}: balance ${r.balance}, held ${r.held}`);
    }
    // Held: pending payouts, and transfers awaiting approval (dual control).
    const pendingHeld = this.db
      .prepare(
        `SELECT sender, currency, SUM(amount) AS total FROM (
           SELECT sender, currency, amount FROM transfers WHERE status = 'pending'
           UNION ALL SELECT account AS sender, currency, amount FROM approval_requests WHERE status = 'awaiting'
         ) GROUP BY sender, currency`,
      )
      .all() as { sender: string; currency: CurrencyCode; total: bigint }[];
    const heldRows = this.db.prepare("SELECT owner, currency, held FROM ledger_accounts WHERE kind = 'customer' AND held <> 0").all() as { owner: string; currency: string; held: bigint }[];
    const expected = new Map(pendingHeld.map((p) => [`${p.sender}/${p.currency}`, p.total]));
    for (const h of heldRows) {
      if (expected.get(`${h.owner}/${h.currency}`) !== h.held) problems.push(`${h.owner} ${h.currency}: held ${h.held} but pending payouts total ${expected.get(`${h.owner}/${h.currency}`) ?? 0n}`);
      expected.delete(`${h.owner}/${h.currency}`);
    }
    for (const [k, v] of expected) problems.push(`${k}: pending payouts and awaiting approvals total ${v} but nothing held`);
    return problems;
  }
}
