// The ledger's schema on PostgreSQL: the same rules as the SQLite ledger (ledger.ts), enforced by
// the database itself — customer balances never negative and holds within them (CHECK), balances
// maintained from postings by a trigger, postings of a transfer summing to zero (a deferred
// constraint trigger, checked at commit), transfers, postings, status history and confirmations
// immutable (triggers). Versioned migrations, applied in order on start under an advisory lock, each
// in its own transaction; the version reached is recorded in schema_migrations.
//
// This is the schema and its migration runner; the back office's store on it is pg-store.ts.
import type { Pool, PoolClient } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Key of the advisory lock that serialises migrations between back offices starting together. */
const MIGRATION_LOCK = 0x0cc0_0001;

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (
  address TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  postal_address TEXT,
  phone TEXT,
  country TEXT NOT NULL,
  currency TEXT NOT NULL,
  verified BOOLEAN NOT NULL DEFAULT FALSE,
  iban TEXT UNIQUE,
  require_confirmation BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE ledger_accounts (
  id BIGSERIAL PRIMARY KEY,
  owner TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('customer', 'clearing')),
  currency TEXT NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0,
  held BIGINT NOT NULL DEFAULT 0,
  UNIQUE (owner, currency),
  CONSTRAINT customer_funds CHECK (kind = 'clearing' OR (balance >= 0 AND held >= 0 AND held <= balance))
);
CREATE TABLE transfers (
  txid BIGSERIAL PRIMARY KEY,
  timestamp BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('internal', 'iban_out', 'iban_in')),
  sender TEXT NOT NULL,
  destination TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  reference TEXT,
  request_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('new', 'rejected', 'complete', 'pending', 'failed')),
  status_message TEXT
);
CREATE INDEX transfers_by_sender ON transfers (sender, txid);
CREATE INDEX transfers_by_destination ON transfers (destination, txid);
CREATE INDEX transfers_pending ON transfers (status) WHERE status = 'pending';
CREATE TABLE transfer_status (
  txid BIGINT NOT NULL REFERENCES transfers (txid),
  seq INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('NEW', 'approved', 'rejected', 'pending', 'complete', 'failed')),
  at BIGINT NOT NULL,
  reason TEXT,
  PRIMARY KEY (txid, seq)
);
CREATE TABLE postings (
  id BIGSERIAL PRIMARY KEY,
  txid BIGINT NOT NULL REFERENCES transfers (txid),
  ledger_account BIGINT NOT NULL REFERENCES ledger_accounts (id),
  amount BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX postings_by_tx ON postings (txid);
CREATE TABLE requests (
  sender TEXT NOT NULL,
  request_id TEXT NOT NULL,
  params_hash TEXT NOT NULL,
  txid BIGINT REFERENCES transfers (txid),
  error_code TEXT,
  error_message TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (sender, request_id)
);
CREATE TABLE transfer_confirmations (txid BIGINT PRIMARY KEY REFERENCES transfers (txid), text TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE signed_messages (txid BIGINT PRIMARY KEY REFERENCES transfers (txid), data TEXT NOT NULL, signed TEXT NOT NULL);
CREATE TABLE op_outcomes (ref TEXT PRIMARY KEY, at BIGINT NOT NULL, messages TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX op_outcomes_by_time ON op_outcomes (at);
CREATE TABLE compliance_rejections (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  account TEXT NOT NULL,
  txid BIGINT REFERENCES transfers (txid),
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  request TEXT NOT NULL
);

-- A balance is the sum of its postings: maintained here, never written by the application.
CREATE FUNCTION postings_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_accounts SET balance = balance + NEW.amount WHERE id = NEW.ledger_account;
  RETURN NEW;
END $$;
CREATE TRIGGER postings_apply AFTER INSERT ON postings FOR EACH ROW EXECUTE FUNCTION postings_apply();

-- Double entry: at commit, the postings of every transfer touched sum to zero.
CREATE FUNCTION postings_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total BIGINT;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM postings WHERE txid = NEW.txid;
  IF total <> 0 THEN
    RAISE EXCEPTION 'postings of transfer % sum to %, not 0', NEW.txid, total USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION postings_balanced();

-- What happened stays as it happened.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are immutable', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER postings_immutable BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION refuse_change('postings');
CREATE TRIGGER status_immutable BEFORE UPDATE OR DELETE ON transfer_status FOR EACH ROW EXECUTE FUNCTION refuse_change('status history entries');
CREATE TRIGGER confirmations_immutable BEFORE UPDATE OR DELETE ON transfer_confirmations FOR EACH ROW EXECUTE FUNCTION refuse_change('confirmations');
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION refuse_change('transfers');
CREATE TRIGGER transfers_immutable
  BEFORE UPDATE OF txid, timestamp, kind, sender, destination, currency, amount, reference, request_id ON transfers
  FOR EACH ROW EXECUTE FUNCTION refuse_change('transfers');
`,
  },
  {
    version: 2,
    name: 'leadership',
    // One row: which back office is active, and its epoch — the fencing token every write batch
    // checks (pg-leadership.ts). Bumped by each back office that becomes active.
    sql: `
CREATE TABLE leadership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch BIGINT NOT NULL CHECK (epoch >= 0),
  holder TEXT NOT NULL,
  since BIGINT NOT NULL
);
INSERT INTO leadership (id, epoch, holder, since) VALUES (1, 0, '', 0);
`,
  },
  {
    version: 3,
    name: 'team accounts',
    // The same tables and rules as the SQLite ledger's (ledger.ts): members, the signed audit trail,
    // the dual-control policy, transfers awaiting approval and their approvals, the beneficiary book.
    sql: `
CREATE TABLE members (
  account TEXT NOT NULL REFERENCES accounts (address),
  member TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'initiator', 'approver', 'administrator')),
  added_at BIGINT NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (account, member),
  CHECK (member <> account)
);
CREATE INDEX members_by_member ON members (member);
CREATE TABLE audit_events (
  account TEXT NOT NULL,
  seq BIGINT NOT NULL CHECK (seq >= 1),
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  signed TEXT NOT NULL,
  PRIMARY KEY (account, seq)
);
CREATE TRIGGER audit_immutable BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_change('audit events');
CREATE TABLE team_policies (account TEXT PRIMARY KEY REFERENCES accounts (address), policy TEXT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE beneficiaries (
  account TEXT NOT NULL REFERENCES accounts (address),
  destination TEXT NOT NULL,
  name TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (account, destination)
);
CREATE TABLE approval_requests (
  account TEXT NOT NULL REFERENCES accounts (address),
  request_id TEXT NOT NULL,
  initiator TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('internal', 'iban_out')),
  destination TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  reference TEXT,
  params_hash TEXT NOT NULL,
  text TEXT NOT NULL,
  signature TEXT NOT NULL,
  required INTEGER NOT NULL CHECK (required BETWEEN 1 AND 5),
  status TEXT NOT NULL CHECK (status IN ('awaiting', 'released', 'rejected', 'cancelled', 'expired', 'failed')),
  reason TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  decided_at BIGINT,
  txid BIGINT REFERENCES transfers (txid),
  PRIMARY KEY (account, request_id)
);
CREATE INDEX approvals_awaiting ON approval_requests (status) WHERE status = 'awaiting';
-- Decided is final; what was asked never changes.
CREATE FUNCTION approvals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'awaiting'
     OR (NEW.initiator, NEW.destination, NEW.amount, NEW.currency, NEW.text, NEW.signature, NEW.required)
        IS DISTINCT FROM (OLD.initiator, OLD.destination, OLD.amount, OLD.currency, OLD.text, OLD.signature, OLD.required) THEN
    RAISE EXCEPTION 'a decided approval request, and what any approval request asks, are immutable' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER approvals_guard BEFORE UPDATE OR DELETE ON approval_requests FOR EACH ROW EXECUTE FUNCTION approvals_guard();
CREATE TABLE approval_votes (
  account TEXT NOT NULL,
  request_id TEXT NOT NULL,
  approver TEXT NOT NULL,
  signature TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (account, request_id, approver),
  FOREIGN KEY (account, request_id) REFERENCES approval_requests (account, request_id)
);
CREATE TRIGGER votes_immutable BEFORE UPDATE OR DELETE ON approval_votes FOR EACH ROW EXECUTE FUNCTION refuse_change('approvals');
CREATE TABLE admin_changes (
  account TEXT NOT NULL REFERENCES accounts (address),
  request_id TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('setmember', 'teampolicy', 'setbeneficiary', 'removebeneficiary')),
  params TEXT NOT NULL,
  text TEXT NOT NULL,
  proposer TEXT NOT NULL,
  signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('awaiting', 'applied', 'rejected', 'cancelled', 'expired', 'failed')),
  reason TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT,
  approval TEXT,
  PRIMARY KEY (account, request_id)
);
CREATE FUNCTION admin_changes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status <> 'awaiting'
     OR (NEW.op, NEW.params, NEW.text, NEW.proposer, NEW.signature) IS DISTINCT FROM (OLD.op, OLD.params, OLD.text, OLD.proposer, OLD.signature) THEN
    RAISE EXCEPTION 'a decided change, and what any change asks, are immutable' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER admin_changes_guard BEFORE UPDATE OR DELETE ON admin_changes FOR EACH ROW EXECUTE FUNCTION admin_changes_guard();
`,
  },
  {
    version: 4,
    name: 'notification outbox',
    // Every notification committed, in commit order (one writer: the sequence's order is the commit
    // order), so that gateways following a new active back office get what the dying one committed but
    // never sent (link-server.ts). Kept ten minutes, as operation outcomes.
    sql: `
CREATE TABLE notifications (
  seq BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX notifications_by_time ON notifications (at);
`,
  },
];

/** Applies every migration not yet applied, in order; safe when several back offices start at once. */
export async function migratePg(pool: Pool): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const from = await currentVersion(client);
    for (const m of PG_MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
    }
    return { from, to: await currentVersion(client) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function currentVersion(client: PoolClient): Promise<number> {
  const r = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}
