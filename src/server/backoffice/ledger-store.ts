// The ledger as the back office sees it: one asynchronous interface, two stores — SQLite
// (sqlite-store.ts, the embedded default) and PostgreSQL (pg-store.ts). Every method returns a
// Promise so that a store may do its I/O off the event loop, and so that the back office can await
// signatures (signing-pool.ts) in the middle of an operation without blocking anyone else.
//
// Writes happen only inside `transaction` (the back office's group commit: one transaction per
// batch, one savepoint per operation); nothing else uses the write connection while a batch is
// open. Reads of committed data (balance, getinfo, history, outcome recovery) go through `read`,
// on a separate connection/snapshot, so they never wait behind a batch that is still signing.
// Integers that can grow (txids, amounts, timestamps in rows) are BigInt; money is never a float.
import type { CurrencyCode } from '../../shared/currencies';
import type { Role } from '../../shared/protocol';
import type { AccountRow, AdminChangeRow, ApprovalRow, AuditRow, BeneficiaryRow, HistoryFilter, HistoryWindow, MemberRow, RequestRow, TransferKind, TransferRow } from './ledger';

export type { AccountRow, AdminChangeRow, ApprovalRow, AuditRow, BeneficiaryRow, HistoryFilter, HistoryWindow, MemberRow, RequestRow, TransferKind, TransferRow } from './ledger';

export type StoreKind = 'sqlite' | 'postgres';

export interface Balance {
  balance: bigint;
  held: bigint;
}

/** Reads, valid inside a write transaction (they see its own writes) and in `read` (committed data only). */
export interface LedgerReads {
  account(address: string): Promise<AccountRow | undefined>;
  balance(address: string, currency: CurrencyCode): Promise<Balance>;
  balances(address: string): Promise<({ currency: CurrencyCode } & Balance)[]>;
  findTransfer(txid: bigint): Promise<TransferRow | undefined>;
  /** The latest signed message of a transfer (replays reuse it byte for byte). */
  signedMessage(txid: bigint): Promise<{ data: string; signed: string } | undefined>;
  /** The latest signed messages of several transfers (a history page), by txid. */
  signedMessages(txids: bigint[]): Promise<Map<bigint, { data: string; signed: string }>>;
  request(sender: string, requestId: string): Promise<RequestRow | undefined>;
  /** Sum of this sender's complete and pending transfers in `currency` since `since` (ms). */
  outgoingSince(sender: string, currency: CurrencyCode, since: number): Promise<bigint>;
  historyWindow(address: string, f: HistoryFilter): Promise<HistoryWindow>;
  historyPage(address: string, w: HistoryWindow, rows: number): Promise<TransferRow[]>;
  /** The recorded outcome of a state-changing operation: the JSON texts of its messages and outcome. */
  outcome(ref: string): Promise<{ messages: string; outcome: string } | undefined>;
  /** A member's role at a team account (docs/team-treasury.md). */
  member(account: string, member: string): Promise<MemberRow | undefined>;
  members(account: string): Promise<MemberRow[]>;
  /** The team accounts a key is a member of. */
  memberships(member: string): Promise<{ account: string; role: Role }[]>;
  auditEvents(account: string, afterSeq: bigint, limit: number): Promise<AuditRow[]>;
  /** The account's dual-control policy as stored (TeamPolicy JSON), if it has one. */
  teamPolicy(account: string): Promise<string | undefined>;
  approvalRequest(account: string, requestId: string): Promise<ApprovalRow | undefined>;
  approvalVotes(account: string, requestId: string): Promise<{ approver: string; at: bigint }[]>;
  awaitingApprovals(account: string): Promise<ApprovalRow[]>;
  adminChange(account: string, requestId: string): Promise<AdminChangeRow | undefined>;
  awaitingAdminChanges(account: string): Promise<AdminChangeRow[]>;
  beneficiary(account: string, destination: string): Promise<BeneficiaryRow | undefined>;
  beneficiaries(account: string): Promise<BeneficiaryRow[]>;
  /** The outbox: notifications committed after sequence number `after`, oldest first (at most `limit`). */
  notificationsAfter(after: bigint, limit: number): Promise<{ seq: bigint; body: string }[]>;
  /** The last sequence number given to a notification (0 when none ever was). */
  notificationHead(): Promise<bigint>;
}

export interface NewTransfer {
  timestamp: number;
  kind: TransferKind;
  sender: string;
  destination: string;
  currency: CurrencyCode;
  amount: bigint;
  reference?: string | null;
  requestId?: string | null;
}

export type AccountChanges = Partial<{ email: string; postal_address: string; phone: string; country: string; currency: string; verified: number }>;

/** The handle of one open write transaction (a group-commit batch). */
export interface LedgerTx extends LedgerReads {
  /** Runs `fn` in a savepoint: everything it wrote is undone if it throws (the error propagates). */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  register(address: string, f: { name: string; email: string; country: string; currency: CurrencyCode; address?: string; phone?: string }, now: number): Promise<void>;
  updateAccount(address: string, changes: AccountChanges, now: number): Promise<void>;
  setConfirmationPolicy(address: string, required: boolean, now: number): Promise<void>;
  setIban(address: string, iban: string, now: number): Promise<void>;
  nextCounter(name: string): Promise<bigint>;
  storeSignedMessage(txid: bigint, data: string, signed: string): Promise<void>;
  recordConfirmation(txid: bigint, text: string, signature: string): Promise<void>;
  insertTransfer(t: NewTransfer): Promise<bigint>;
  /** Moves a transfer along its status history (NEW → approved/rejected → pending → complete/failed). */
  advance(txid: bigint, step: 'approved' | 'rejected' | 'pending' | 'complete' | 'failed', at: number, reason?: string | null): Promise<void>;
  /** A balanced set of postings; rejected (and the savepoint undone) if a customer would go negative. */
  post(txid: bigint, currency: CurrencyCode, entries: { owner: string; amount: bigint }[]): Promise<void>;
  /** Reserves (positive) or releases (negative) a customer's funds for a pending payout. */
  hold(address: string, currency: CurrencyCode, amount: bigint): Promise<void>;
  saveRequest(sender: string, requestId: string, paramsHash: string, outcome: { txid?: bigint; error?: { code: string; message: string } }, now: number): Promise<void>;
  recordRejection(r: { at: number; account: string; txid: bigint | null; rule: string; reason: string; request: unknown }): Promise<void>;
  /** Records a state-changing operation's outcome in the operation's own transaction (a ref seen twice is ignored). */
  recordOutcome(ref: string, at: number, messages: string, outcome: string): Promise<void>;
  pruneOutcomes(before: number): Promise<void>;
  /** Appends notifications (JSON texts) to the outbox, in order; their sequence numbers, ascending. */
  appendNotifications(at: number, bodies: string[]): Promise<bigint[]>;
  pruneNotifications(before: number): Promise<void>;
  /** Adds a member, changes its role, or (role null) removes it. */
  setMember(account: string, member: string, role: Role | null, by: string, now: number): Promise<void>;
  nextAuditSeq(account: string): Promise<bigint>;
  appendAudit(account: string, seq: bigint, at: number, data: string, signed: string): Promise<void>;
  setTeamPolicy(account: string, policy: string, now: number): Promise<void>;
  insertApproval(a: Omit<ApprovalRow, 'status' | 'reason' | 'decided_at' | 'txid'>): Promise<void>;
  insertAdminChange(c: Pick<AdminChangeRow, 'account' | 'request_id' | 'op' | 'params' | 'text' | 'proposer' | 'signature' | 'created_at' | 'expires_at'>): Promise<void>;
  decideAdminChange(account: string, requestId: string, status: Exclude<AdminChangeRow['status'], 'awaiting'>, reason: string | null, by: string | null, approval: string | null, now: number): Promise<void>;
  /** Saves (or renames) a beneficiary; name null removes it. */
  setBeneficiary(account: string, destination: string, name: string | null, by: string, now: number): Promise<void>;
  addApprovalVote(account: string, requestId: string, approver: string, signature: string, now: number): Promise<void>;
  decideApproval(account: string, requestId: string, status: Exclude<ApprovalRow['status'], 'awaiting'>, reason: string | null, txid: bigint | null, now: number): Promise<void>;
}

/**
 * The COMMIT of a write transaction was sent but its answer never came (the database connection
 * dropped): the transaction may or may not have committed. Not "not performed": the operations'
 * outcomes are learnt from op_outcomes once the database is reachable again.
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super(`the commit's outcome is unknown: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'CommitOutcomeUnknownError';
  }
}

/** The ledger laid open for an audit (and for tests that check nothing changed). */
export interface LedgerAudit {
  ledgerAccounts: { id: bigint; owner: string; kind: 'customer' | 'clearing'; currency: CurrencyCode; balance: bigint; held: bigint }[];
  /** Every transfer, by txid. */
  transfers: TransferRow[];
  postings: bigint;
  rejections: { at: bigint; account: string; txid: bigint | null; rule: string; reason: string; request: string }[];
}

export interface LedgerStore {
  readonly kind: StoreKind;
  /**
   * One write transaction: `fn` runs with its handle; the transaction commits when `fn` resolves and
   * rolls back when it throws. The back office opens one at a time (its group commit).
   */
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
  /** Reads of committed data, on one consistent snapshot, outside any write transaction. */
  read<T>(fn: (r: LedgerReads) => Promise<T>): Promise<T>;
  /** IBAN payouts waiting for settlement (their timers are rescheduled on start). */
  pendingPayouts(): Promise<TransferRow[]>;
  pendingPayoutCount(): Promise<number>;
  /** Every transfer awaiting approval (their expiry timers are rescheduled on start). */
  awaitingApprovals(): Promise<ApprovalRow[]>;
  /** Every change awaiting a second administrator (likewise). */
  awaitingAdminChanges(): Promise<AdminChangeRow[]>;
  /** The ledger's invariants; a list of violations (empty when sound). */
  checkInvariants(): Promise<string[]>;
  /** Every table that holds money or decisions, on one snapshot. */
  audit(): Promise<LedgerAudit>;
  /** A transfer's status history, oldest first. */
  statusHistory(txid: bigint): Promise<{ status: string; at: bigint; reason: string | null }[]>;
  close(): Promise<void>;
}
