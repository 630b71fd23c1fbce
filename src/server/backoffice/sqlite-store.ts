// The ledger store on SQLite (the embedded default): the synchronous Ledger (ledger.ts) behind the
// asynchronous interface of ledger-store.ts. Two connections to one WAL file: the write connection
// holds the group-commit transaction (BEGIN IMMEDIATE … COMMIT, a SAVEPOINT per operation), a
// read-only connection serves `read` on the last committed snapshot — in WAL mode it never waits
// for the writer, so a `balance` is answered while a batch is still being signed.
import type { CurrencyCode } from '../../shared/currencies';
import { Ledger, type HistoryFilter, type HistoryWindow, type TransferRow } from './ledger';
import type { AccountChanges, LedgerAudit, LedgerReads, LedgerStore, LedgerTx, NewTransfer } from './ledger-store';

function readsOf(l: Ledger): LedgerReads {
  return {
    account: async (address) => l.account(address),
    balance: async (address, currency) => l.balance(address, currency),
    balances: async (address) => l.balances(address),
    findTransfer: async (txid) => l.findTransfer(txid),
    signedMessage: async (txid) => l.signedMessage(txid),
    signedMessages: async (txids) => {
      const found = new Map<bigint, { data: string; signed: string }>();
      for (const txid of txids) {
        const m = l.signedMessage(txid);
        if (m) found.set(txid, m);
      }
      return found;
    },
    request: async (sender, requestId) => l.request(sender, requestId),
    outgoingSince: async (sender, currency, since) => l.outgoingSince(sender, currency, since),
    historyWindow: async (address: string, f: HistoryFilter) => l.historyWindow(address, f),
    historyPage: async (address: string, w: HistoryWindow, rows: number) => l.historyPage(address, w, rows),
    outcome: async (ref) => l.outcome(ref),
    member: async (account, member) => l.member(account, member),
    members: async (account) => l.members(account),
    memberships: async (member) => l.memberships(member),
    auditEvents: async (account, afterSeq, limit) => l.auditEvents(account, afterSeq, limit),
    teamPolicy: async (account) => l.teamPolicy(account),
    approvalRequest: async (account, requestId) => l.approvalRequest(account, requestId),
    approvalVotes: async (account, requestId) => l.approvalVotes(account, requestId),
    awaitingApprovals: async (account) => l.awaitingApprovals(account),
    adminChange: async (account, requestId) => l.adminChange(account, requestId),
    awaitingAdminChanges: async (account) => l.awaitingAdminChanges(account),
    beneficiary: async (account, destination) => l.beneficiary(account, destination),
    beneficiaries: async (account) => l.beneficiaries(account),
    notificationsAfter: async (after, limit) => l.notificationsAfter(after, limit),
    notificationHead: async () => l.notificationHead(),
  };
}

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite' as const;
  /** The write connection's ledger (tests and tools read it directly while no batch is open). */
  readonly ledger: Ledger;
  private readonly reader: Ledger;
  private readonly tx: LedgerTx;
  private readonly reads: LedgerReads;
  private open = false;
  private savepoints = 0;
  /** Reads share one connection: one snapshot (BEGIN … COMMIT) at a time. */
  private readChain: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.ledger = new Ledger(file);
    this.reader = new Ledger(file, { readOnly: true });
    this.reads = readsOf(this.reader);
    const l = this.ledger;
    this.tx = {
      ...readsOf(l),
      savepoint: (fn) => this.savepoint(fn),
      register: async (address, f, now) => l.register(address, f, now),
      updateAccount: async (address: string, changes: AccountChanges, now: number) => l.updateAccount(address, changes, now),
      setConfirmationPolicy: async (address, required, now) => l.setConfirmationPolicy(address, required, now),
      setIban: async (address, iban, now) => l.setIban(address, iban, now),
      nextCounter: async (name) => l.nextCounter(name),
      storeSignedMessage: async (txid, data, signed) => l.storeSignedMessage(txid, data, signed),
      recordConfirmation: async (txid, text, signature) => l.recordConfirmation(txid, text, signature),
      insertTransfer: async (t: NewTransfer) => l.insertTransfer(t),
      advance: async (txid, step, at, reason) => l.advance(txid, step, at, reason ?? null),
      post: async (txid, currency: CurrencyCode, entries) => l.post(txid, currency, entries),
      hold: async (address, currency, amount) => l.hold(address, currency, amount),
      saveRequest: async (sender, requestId, paramsHash, outcome, now) => l.saveRequest(sender, requestId, paramsHash, outcome, now),
      recordRejection: async (r) => l.recordRejection(r),
      recordOutcome: async (ref, at, messages, outcome) => l.recordOutcome(ref, at, messages, outcome),
      pruneOutcomes: async (before) => l.pruneOutcomes(before),
      appendNotifications: async (at, bodies) => l.appendNotifications(at, bodies),
      pruneNotifications: async (before) => l.pruneNotifications(before),
      setMember: async (account, member, role, by, now) => l.setMember(account, member, role, by, now),
      nextAuditSeq: async (account) => l.nextAuditSeq(account),
      appendAudit: async (account, seq, at, data, signed) => l.appendAudit(account, seq, at, data, signed),
      setTeamPolicy: async (account, policy, now) => l.setTeamPolicy(account, policy, now),
      insertApproval: async (a) => l.insertApproval(a),
      setBeneficiary: async (account, destination, name, by, now) => l.setBeneficiary(account, destination, name, by, now),
      insertAdminChange: async (c) => l.insertAdminChange(c),
      decideAdminChange: async (account, requestId, status, reason, by, approval, now) => l.decideAdminChange(account, requestId, status, reason, by, approval, now),
      addApprovalVote: async (account, requestId, approver, signature, now) => l.addApprovalVote(account, requestId, approver, signature, now),
      decideApproval: async (account, requestId, status, reason, txid, now) => l.decideApproval(account, requestId, status, reason, txid, now),
    };
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    if (this.open) throw new Error('a write transaction is already open on this ledger');
    this.open = true;
    try {
      this.ledger.db.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn(this.tx);
      } catch (e) {
        if (this.ledger.db.inTransaction) this.ledger.db.exec('ROLLBACK');
        throw e;
      }
      this.ledger.db.exec('COMMIT');
      return result;
    } finally {
      this.open = false;
    }
  }

  private async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `op${++this.savepoints}`;
    const db = this.ledger.db;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const r = await fn();
      db.exec(`RELEASE ${name}`);
      return r;
    } catch (e) {
      if (db.inTransaction) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
      }
      throw e;
    } finally {
      this.savepoints -= 1;
    }
  }

  read<T>(fn: (r: LedgerReads) => Promise<T>): Promise<T> {
    const run = async () => {
      const db = this.reader.db;
      db.exec('BEGIN');
      try {
        return await fn(this.reads);
      } finally {
        if (db.inTransaction) db.exec('COMMIT');
      }
    };
    const result = this.readChain.then(run, run);
    this.readChain = result.catch(() => undefined);
    return result;
  }

  async pendingPayouts() {
    return this.reader.pendingPayouts();
  }

  async awaitingApprovals() {
    return this.reader.awaitingApprovals();
  }

  async awaitingAdminChanges() {
    return this.reader.awaitingAdminChanges();
  }

  async pendingPayoutCount() {
    return this.reader.pendingPayoutCount();
  }

  async checkInvariants() {
    return this.reader.checkInvariants();
  }

  async audit(): Promise<LedgerAudit> {
    const db = this.reader.db;
    return db.transaction(() => ({
      ledgerAccounts: db.prepare('SELECT id, owner, kind, currency, balance, held FROM ledger_accounts ORDER BY id').all() as LedgerAudit['ledgerAccounts'],
      transfers: db.prepare('SELECT * FROM transfers ORDER BY txid').all() as TransferRow[],
      postings: (db.prepare('SELECT COUNT(*) AS n FROM postings').get() as { n: bigint }).n,
      rejections: this.reader.rejections(),
    }))();
  }

  async statusHistory(txid: bigint) {
    return this.reader.statusHistory(txid);
  }

  async close(): Promise<void> {
    await this.readChain;
    this.reader.close();
    this.ledger.close();
  }
}
