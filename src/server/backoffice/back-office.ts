// The back office: the only holder of data. It performs operations on the ledger, applies
// compliance rules, signs the messages customers receive, and runs the IBAN rails.
//
// Writes are group-committed: operations queue up and every queued operation is executed in ONE
// transaction of the ledger store (ledger-store.ts; each in its own savepoint, so one failing op
// does not undo the others); answers and notifications are released only after that transaction is
// durably committed, and each state-changing operation's outcome is recorded in it (outcomes.ts).
// Signatures are made by a pool of worker threads (signing-pool.ts), so the event loop stays free
// while a batch is signed: an operation leaves its messages to sign as drafts (JobResult.toSign);
// once every operation of the batch has run, all their signatures (and answer bindings) are
// requested at once, awaited, stored in the same transaction, and then it commits. Read-only operations
// (balance, getinfo, history pages, outcome lookups) do not queue behind a batch: they read the
// last committed state (LedgerStore.read) and sign with interactive priority.
import crypto from 'node:crypto';
import path from 'node:path';
import { isStateChanging, type AdminCommand, type BackOfficePort, type LoginEvent, type Notification, type NotificationOutbox, type OpFlow, type OpOutcome, type OpRequest, type OutboundMessage, type RecoveredOutcome } from '../contract';
import { ApiError, type ApiErrorData } from '../../shared/errors';
import { isSupportedCurrency, type CurrencyCode } from '../../shared/currencies';
import { formatAmount, parseAmount } from '../../shared/money';
import { checkIban } from '../../shared/iban';
import { classifyDestination } from '../../shared/destination';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { canonicalJson } from '../../shared/canonical-json';
import { confirmationText, ConfirmationTextError, policyText } from '../../shared/confirmation';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { bindingText } from '../../shared/node/answer-binding';
import { composeIBAN } from 'ibantools';
import { describeIssues, PARAM_SCHEMAS, type AccountData, type AnswerBinding, type BalanceData, type OpParams, type TransferData } from '../../shared/protocol';
import { CLEARING_OWNER, type Ledger } from './ledger';
import { CommitOutcomeUnknownError, type AccountRow, type HistoryWindow, type LedgerReads, type LedgerStore, type LedgerTx, type TransferRow } from './ledger-store';
import { SqliteLedgerStore } from './sqlite-store';
import { sharedSigningPool, type SigningPool, type SignPriority, type Signer } from './signing-pool';
import { dataPath, ensureDataDir, loadOrCreateKey, type BackOfficeKey } from './data-dir';
import { limitMinor, loadRules, type Rules } from './config';
import { OUTCOME_RETENTION_MS, OutcomeLog } from './outcomes';
import { parseAdminCommand } from './admin-command';
import { TeamDesk, type Actor } from './team-desk';
import { APPROVAL_TTL_MS, DualControl, type HeldTransfer } from './dual-control';
import { BeneficiaryBook } from './beneficiary-book';
import { AdminChanges } from './admin-changes';
import type { AdminChangeOp } from '../../shared/protocol';
import { approvalsRequired } from '../../shared/team';

/** How long committed notifications stay in the outbox for gateways that missed them (link-server.ts):
 * as long as operations' outcomes are kept for gateways whose link dropped (outcomes.ts). */
export const NOTIFICATION_RETENTION_MS = OUTCOME_RETENTION_MS;

/** Rows of a history replay read and signed per job; the replay then waits for its reader (OpFlow). */
export const HISTORY_PAGE_ROWS = 256;

export interface BackOfficeOptions {
  dataDir: string;
  network?: BitcoinNetwork;
  /** Sandbox: rails settle quickly (only affects the defaults written on first start). */
  sandbox?: boolean;
  /** Override the rules read from compliance.json (tests). */
  rules?: Rules;
  /** The ledger store (default: SQLite in the data directory). The back office closes it. */
  store?: LedgerStore;
  /** Where signatures are made (default: the process's pool, signing-pool.ts). */
  signingPool?: SigningPool;
  /** Most operations committed in one transaction. */
  maxBatch?: number;
  /** Clock (tests). */
  now?: () => number;
  /** How long a transfer may wait for its approvals (dual control; tests shorten it). */
  approvalTtlMs?: number;
}

/** A message whose `signed` is to be the signature of its `data`, made at the end of the batch (kept for `txid`). */
interface ToSign {
  m: OutboundMessage;
  txid?: bigint;
}

interface JobResult {
  messages: OutboundMessage[];
  /** Drafts among `messages` and `notifications` still to be signed (see flush). */
  toSign?: ToSign[];
  outcome: OpOutcome;
  notifications: Notification[];
  /** An admin command's result when it is not a customer message (e.g. `key`). */
  result?: unknown;
  /** Runs after commit (e.g. scheduling a payout's settlement). */
  after?: () => void;
}

interface Job {
  run: (tx: LedgerTx) => Promise<JobResult>;
  /** The operation it performs, whose answers are bound to it (none for admin and internal jobs). */
  req?: OpRequest;
  resolve: (r: JobResult) => void;
  /** A state-changing operation's ref: its outcome is recorded in the same transaction. */
  ref?: string;
}

const ok: OpOutcome = { ok: true };
const failure = (e: ApiErrorData): JobResult => ({ messages: [], outcome: { ok: false, error: e }, notifications: [] });

export class BackOffice implements BackOfficePort, NotificationOutbox {
  readonly store: LedgerStore;
  readonly address: string;
  readonly network: BitcoinNetwork;
  readonly rules: Rules;
  readonly dataDir: string;
  private readonly key: BackOfficeKey;
  private readonly signer: Signer;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly listeners = new Set<(n: Notification) => void>();
  private readonly timers = new Map<bigint, NodeJS.Timeout>();
  private queue: Job[] = [];
  private flushScheduled = false;
  private flushing = false;
  /** Set while an open batch waits for its first signatures: a new job may join it. */
  private onArrival: (() => void) | null = null;
  /** Reads of committed data in progress (close waits for them). */
  private readonly reading = new Set<Promise<unknown>>();
  private closed = false;
  private readonly outcomes: OutcomeLog;
  private readonly team: TeamDesk;
  private readonly dual: DualControl;
  private readonly book: BeneficiaryBook;
  private readonly changes: AdminChanges;
  /** Failed logins per key: when last recorded, and how many since (recordLogin). */
  private readonly failedLogins = new Map<string, { at: number; suppressed: number }>();
  /** Expiry timers of transfers awaiting approval, by "account requestId". */
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private readonly pruneTimer: NodeJS.Timeout;
  /** Figures: transactions committed and operations in them; history pages read (outside any batch). */
  readonly stats = { commits: 0, operations: 0, historyPages: 0 };

  /** Operations waiting for the next group commit. */
  queueDepth(): number {
    return this.queue.length;
  }

  /** The SQLite ledger's write connection (tests and tools; only while no batch is open). */
  get ledger(): Ledger {
    if (!(this.store instanceof SqliteLedgerStore)) throw new Error(`the ledger is in ${this.store.kind}, not SQLite`);
    return this.store.ledger;
  }

  constructor(opts: BackOfficeOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    ensureDataDir(this.dataDir);
    this.network = opts.network ?? 'mainnet';
    this.key = loadOrCreateKey(this.dataDir, this.network);
    this.address = this.key.address;
    this.rules = opts.rules ?? loadRules(this.dataDir, opts.sandbox ?? false);
    this.now = opts.now ?? Date.now;
    this.maxBatch = opts.maxBatch ?? 512;
    this.signer = (opts.signingPool ?? sharedSigningPool()).signer(this.key.privateKey);
    this.store = opts.store ?? new SqliteLedgerStore(dataPath(this.dataDir, 'ledger'));
    this.outcomes = new OutcomeLog(this.store);
    this.team = new TeamDesk({ server: this.address, network: this.network, now: this.now, signData: (d) => this.signData(d, 'bulk') });
    this.book = new BeneficiaryBook({ team: this.team, server: this.address, network: this.network, now: this.now });
    this.dual = new DualControl({
      team: this.team,
      server: this.address,
      now: this.now,
      ttlMs: opts.approvalTtlMs ?? APPROVAL_TTL_MS,
      moveMoney: (tx, t, ref) => this.moveMoney(tx, t, ref),
      scheduleExpiry: (account, requestId, expiresAt) => this.scheduleExpiry('transfer', account, requestId, expiresAt),
      pendingChanges: (r, account) => this.changes.pending(r, account),
    });
    this.changes = new AdminChanges({
      team: this.team,
      server: this.address,
      network: this.network,
      now: this.now,
      ttlMs: opts.approvalTtlMs ?? APPROVAL_TTL_MS,
      apply: (tx, req, proposer) => this.applyAdminChange(tx, req, proposer),
      scheduleExpiry: (account, requestId, expiresAt) => this.scheduleExpiry('change', account, requestId, expiresAt),
    });
    this.pruneTimer = setInterval(
      () =>
        void this.enqueue(async (tx) => {
          await this.outcomes.prune(tx, this.now() - OUTCOME_RETENTION_MS);
          await tx.pruneNotifications(this.now() - NOTIFICATION_RETENTION_MS);
          return this.answer();
        }),
      60_000,
    );
    this.pruneTimer.unref();
    void this.track(this.store.pendingPayouts()).then(
      (rows) => rows.forEach((row) => this.scheduleSettlement(row)),
      (e) => console.error('back office: could not read pending payouts:', e),
    );
    void this.track(this.store.awaitingApprovals()).then(
      (rows) => rows.forEach((row) => this.scheduleExpiry('transfer', row.account, row.request_id, Number(row.expires_at))),
      (e) => console.error('back office: could not read transfers awaiting approval:', e),
    );
    void this.track(this.store.awaitingAdminChanges()).then(
      (rows) => rows.forEach((row) => this.scheduleExpiry('change', row.account, row.request_id, Number(row.expires_at))),
      (e) => console.error('back office: could not read changes awaiting a second administrator:', e),
    );
  }

  // ---- BackOfficePort -------------------------------------------------------------------

  execute(req: OpRequest, emit: (m: OutboundMessage) => void, flow?: OpFlow): Promise<OpOutcome> {
    if (this.closed) return Promise.reject(new Error('back office closed'));
    if (this.outcomes.isFenced(req.ref)) {
      // A gateway was told this ref was not performed: keep that true.
      return Promise.resolve({ ok: false, error: { code: 'BACKEND_UNAVAILABLE', message: 'The operation arrived after its gateway gave it up; it was not performed.' } });
    }
    // Not tracked for close(): a replay may wait for its reader indefinitely; it checks `closed` before every page.
    if (req.op === 'history') return this.history(req as OpRequest<'history'>, emit, flow);
    if (req.op === 'balance' || req.op === 'getinfo') {
      // Read-only: answered from committed data, never queued behind a batch being signed.
      return this.track(this.readOp(req)).then((r) => {
        for (const m of r.messages) emit(m);
        return r.outcome;
      });
    }
    // Answers are bound inside the job, so an outcome recorded for recovery carries its binding too.
    const done = this.enqueue((tx) => this.perform(tx, req), isStateChanging(req.op) ? req.ref : undefined, req).then((r) => {
      for (const m of r.messages) emit(m);
      return r.outcome;
    });
    this.outcomes.track(req.ref, done);
    return done;
  }

  async recoverOutcomes(refs: string[]): Promise<RecoveredOutcome[]> {
    if (this.closed) throw new Error('back office closed');
    return Promise.all(refs.map((ref) => this.outcomes.recover(ref, this.now())));
  }

  /**
   * Adds the signed binding to an answer (see shared/answer-binding.ts): which account, message type,
   * op nonce and connection it answers. Replayed history rows are not bound one by one (they are the
   * same signed messages for everyone); the closing `history` message binds the whole replay by digest.
   * A binding is what a customer waits for: signed with interactive priority (signBinding's format).
   */
  private async bindAnswer(req: OpRequest, m: OutboundMessage, inline = true): Promise<OutboundMessage> {
    if (!bindsTo(req, m)) return m;
    const bind: AnswerBinding = { account: req.account, msg: m.msg, nonce: req.nonce ?? null, session: req.session!, at: this.now() };
    return { ...m, bind: JSON.stringify(bind), bindSigned: await this.signer.sign(bindingText(bind, JSON.parse(m.data)), 'interactive', req.account, { inline }) };
  }

  /**
   * The signatures a job left to make, all requested at once: its drafts' (bulk) and its answers'
   * bindings (interactive; a binding covers the data, not the signature, so both go together).
   * Resolves with the final answers and the signed messages to keep.
   */
  private async signJob(r: JobResult, req: OpRequest | undefined): Promise<{ messages: OutboundMessage[]; keep: { txid: bigint; data: string; signed: string }[] }> {
    const toSign = r.toSign ?? [];
    const drafts = Promise.all(toSign.map(({ m }) => this.signer.sign(m.data, 'bulk')));
    const bound = r.messages.map((m) => (req && bindsTo(req, m) ? this.bindAnswer(req, m, false) : null));
    for (const b of bound) b?.catch(() => undefined); // awaited below; should the drafts fail first, not unhandled
    const signatures = await drafts;
    toSign.forEach(({ m }, i) => (m.signed = signatures[i]));
    // A bound answer is a copy (notifications to others go without the binding): it takes the draft's signature now.
    const messages = await Promise.all(r.messages.map(async (m, i) => (bound[i] ? { ...(await bound[i]!), signed: m.signed } : m)));
    return { messages, keep: toSign.filter((d) => d.txid !== undefined).map(({ m, txid }) => ({ txid: txid!, data: m.data, signed: m.signed! })) };
  }

  /** signData's format: the signature of the RFC 8785 canonical JSON of `data`. */
  private async signData(data: unknown, priority: SignPriority, lane?: string): Promise<{ canonical: string; signed: string }> {
    const canonical = canonicalJson(data);
    return { canonical, signed: await this.signer.sign(canonical, priority, lane) };
  }

  /** Keeps `p` in the set of reads close() waits for. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.reading.add(p);
    const forget = () => this.reading.delete(p);
    p.then(forget, forget);
    return p;
  }

  async admin(cmd: AdminCommand): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorData }> {
    if (this.closed) throw new Error('back office closed');
    const r = await this.enqueue((tx) => this.performAdmin(tx, cmd));
    if (!r.outcome.ok) return { ok: false, error: r.outcome.error };
    if (r.result !== undefined) return { ok: true, result: r.result };
    const m = r.messages[0];
    return { ok: true, result: m ? JSON.parse(m.data) : null };
  }

  /**
   * A login at a gateway, in the audit trail of the key's own account and (for failed attempts) of every
   * team account it is a member of. Failed attempts on one key are recorded at most once a minute, with
   * the count of those in between, so that nobody can flood an account's trail.
   */
  recordLogin(e: LoginEvent): void {
    if (this.closed || !parseBitcoinAddress(e.address)) return;
    const now = this.now();
    let suppressed = 0;
    if (!e.ok) {
      const last = this.failedLogins.get(e.address);
      if (last && now - last.at < 60_000) {
        last.suppressed += 1;
        return;
      }
      suppressed = last?.suppressed ?? 0;
      this.failedLogins.set(e.address, { at: now, suppressed: 0 });
      if (this.failedLogins.size > 10_000) this.failedLogins.delete(this.failedLogins.keys().next().value!);
    }
    void this.enqueue(async (tx) => {
      const accounts = (await tx.account(e.address)) ? [e.address] : [];
      if (!e.ok) for (const m of await tx.memberships(e.address)) accounts.push(m.account);
      for (const account of accounts) {
        await this.team.record(tx, account, e.ok ? 'login' : 'login-failed', e.address, e.gateway, e.ok ? {} : { code: e.code ?? null, alsoFailedSinceLastRecord: suppressed });
      }
      return this.answer();
    });
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async notificationsAfter(after: number, limit: number): Promise<Notification[]> {
    if (this.closed) throw new Error('back office closed');
    const rows = await this.track(this.store.read((r) => r.notificationsAfter(BigInt(after), limit)));
    return rows.map((row) => ({ ...(JSON.parse(row.body) as Notification), seq: Number(row.seq) }));
  }

  async notificationHead(): Promise<number> {
    if (this.closed) throw new Error('back office closed');
    return Number(await this.track(this.store.read((r) => r.notificationHead())));
  }

  isAvailable(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued operations finish and commit, and reads in progress end, before closing.
    while (this.queue.length > 0 || this.flushScheduled || this.flushing) await new Promise((r) => setImmediate(r));
    this.closed = true;
    await Promise.allSettled([...this.reading]);
    clearInterval(this.pruneTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    for (const t of this.expiries.values()) clearTimeout(t);
    this.expiries.clear();
    this.timers.clear();
    await this.store.close();
  }

  // ---- group commit -----------------------------------------------------------------------

  private enqueue(run: (tx: LedgerTx) => Promise<JobResult>, ref?: string, req?: OpRequest): Promise<JobResult> {
    return new Promise((resolve) => {
      this.queue.push({ run, resolve, ref, req });
      this.onArrival?.();
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || this.queue.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /**
   * One group commit: the queued jobs, one after another, each in its own savepoint of ONE
   * transaction; then every signature they left is made at once (the pool's threads in parallel),
   * the signed messages and each operation's outcome are written, and it commits. Jobs that arrive
   * while the batch's first signatures are being made join it (its transaction is open anyway, and
   * their SQL overlaps the signing); later ones wait for the next batch. Reads do not wait at all.
   */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.closed) return;
    this.flushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    const results: JobResult[] = [];
    try {
      await this.store.transaction(async (tx) => {
        const signing: ReturnType<BackOffice['signJob']>[] = [];
        const run = async (job: Job) => {
          let r: JobResult;
          try {
            r = await tx.savepoint(() => job.run(tx));
          } catch (e) {
            r = failure(e instanceof ApiError ? e.toData() : internalError(e));
          }
          results.push(r);
          const signed = this.signJob(r, job.req);
          signed.catch(() => undefined); // awaited below with the others; not an unhandled rejection meanwhile
          signing.push(signed);
        };
        for (const job of batch) await run(job);
        // While the first signatures are made, jobs arriving meanwhile join this transaction.
        const firstSigned = Promise.all([...signing]).then(
          () => true,
          () => true,
        );
        let signedYet = false;
        void firstSigned.then(() => (signedYet = true));
        while (!signedYet && batch.length < this.maxBatch) {
          if (this.queue.length === 0) {
            const arrival = new Promise<boolean>((r) => (this.onArrival = () => r(false)));
            await Promise.race([firstSigned, arrival]);
            this.onArrival = null;
            continue;
          }
          for (const job of this.queue.splice(0, this.maxBatch - batch.length)) {
            batch.push(job);
            await run(job);
          }
        }
        // A signature that cannot be made fails the whole batch (rolled back: nothing of it happened).
        const signed = await Promise.all(signing);
        for (const [i, job] of batch.entries()) {
          results[i] = { ...results[i], messages: signed[i].messages };
          for (const k of signed[i].keep) await tx.storeSignedMessage(k.txid, k.data, k.signed);
          if (job.ref !== undefined) await this.outcomes.record(tx, job.ref, this.now(), results[i].messages, results[i].outcome);
        }
        // The batch's notifications go into the outbox in the same transaction: committed, they can be
        // replayed to a gateway that missed them (a dying back office's last batch included).
        const outgoing = results.flatMap((r) => r.notifications);
        const seqs = await tx.appendNotifications(this.now(), outgoing.map((n) => JSON.stringify(n)));
        outgoing.forEach((n, i) => (n.seq = Number(seqs[i])));
      });
      this.stats.commits += 1;
      this.stats.operations += batch.length;
    } catch (e) {
      results.length = batch.length; // every job of the batch gets this answer, also those it had not reached
      if (e instanceof CommitOutcomeUnknownError) {
        // The database may have committed it: never say "not performed" (op_outcomes will tell).
        console.error('back office:', e.message);
        results.fill(failure({ code: 'OUTCOME_UNKNOWN', message: 'The ledger database connection was lost as this operation was committed; check (history, or a retry with the same requestId) before retrying.' }));
      } else {
        // The transaction failed: nothing of this batch happened.
        results.fill(failure(internalError(e)));
      }
      for (const r of results) {
        r.after = undefined;
        r.notifications = [];
      }
    } finally {
      this.flushing = false;
    }
    batch.forEach((job, i) => {
      const r = results[i];
      job.resolve(r);
      for (const n of r.notifications) for (const l of this.listeners) l(n);
      r.after?.();
    });
    this.scheduleFlush();
  }

  // ---- operations ---------------------------------------------------------------------------

  /** Defence in depth: the gateway validated already, but the back office trusts no one. */
  private validated<K extends OpRequest['op']>(req: OpRequest<K>): OpParams[K] {
    const parsed = PARAM_SCHEMAS[req.op].safeParse(req.params ?? {});
    if (!parsed.success) throw new ApiError('INVALID_PARAMS', describeIssues(parsed.error));
    if (!parseBitcoinAddress(req.account)) throw new ApiError('INVALID_ADDRESS');
    return parsed.data as OpParams[K];
  }

  private async perform(tx: LedgerTx, req: OpRequest): Promise<JobResult> {
    const params = this.validated(req);
    const account = req.account;
    const actor = await this.actorOrRefusal(tx, req);
    if (!('address' in actor)) return actor;
    switch (req.op) {
      case 'register':
        return this.register(tx, account, params as OpParams['register']);
      case 'getinfo':
        return this.answer(accountMessage('account', await requireAccount(tx, account), this.rules.requireConfirmation));
      case 'setinfo':
        return this.setinfo(tx, account, params as OpParams['setinfo']);
      case 'balance': {
        const m = balanceDraft(await requireAccount(tx, account), await tx.balances(account), (params as OpParams['balance']).currency);
        return { ...this.answer(m), toSign: [{ m }] };
      }
      case 'history':
        throw new Error('history is streamed in pages (BackOffice.history), not performed in one job');
      case 'transfer':
        return this.transfer(tx, req, actor, params as OpParams['transfer']);
      case 'setpolicy':
        return this.setpolicy(tx, account, actor, params as OpParams['setpolicy']);
      case 'act': {
        const r = await this.team.act(tx, req as OpRequest<'act'>, gatewayOf(req.ref));
        return r.refused ? failure(r.refused.toData()) : this.answer(r.message);
      }
      case 'members':
        await requireAccount(tx, account);
        return this.answer(await this.team.membersMessage(tx, account));
      case 'setmember':
      case 'teampolicy':
      case 'setbeneficiary':
      case 'removebeneficiary': {
        await requireAccount(tx, account);
        const change = req as OpRequest<AdminChangeOp>;
        // With the policy's second administrator, a change waits for one; the current policy decides.
        if ((await this.dual.policy(tx, account)).adminChangesNeedSecondAdmin) return this.changes.propose(tx, change, actor, gatewayOf(req.ref));
        return this.applyAdminChange(tx, change, actor);
      }
      case 'audit':
        await requireAccount(tx, account);
        return this.answer(await this.team.auditMessage(tx, account, params as OpParams['audit']));
      case 'approvals':
        await requireAccount(tx, account);
        return this.answer(await this.dual.approvalsMessage(tx, account));
      case 'approve':
        if (await this.changes.isChange(tx, account, (params as OpParams['approve']).requestId)) return this.changes.approve(tx, req as OpRequest<'approve'>, actor, gatewayOf(req.ref));
        return this.dual.approve(tx, req as OpRequest<'approve'>, actor, gatewayOf(req.ref));
      case 'reject':
      case 'cancel':
        if (await this.changes.isChange(tx, account, (params as OpParams['reject']).requestId)) return this.changes.decide(tx, req as OpRequest<'reject' | 'cancel'>, actor, gatewayOf(req.ref));
        return this.dual.decide(tx, req as OpRequest<'reject' | 'cancel'>, actor, gatewayOf(req.ref));
      case 'beneficiaries':
        await requireAccount(tx, account);
        return this.answer(await this.book.message(tx, account));
    }
  }

  /** A change of members, policy or beneficiaries, applied now (at once, or approved by a second administrator). */
  private async applyAdminChange(tx: LedgerTx, req: OpRequest<AdminChangeOp>, actor: Actor): Promise<JobResult> {
    const account = req.account;
    const gateway = gatewayOf(req.ref);
    switch (req.op) {
      case 'setmember': {
        const p = req.params as OpParams['setmember'];
        const policy = await this.dual.policy(tx, account);
        const members = await tx.members(account);
        const demoted = members.find((m) => m.member === p.member)?.role === 'administrator' && p.role !== 'administrator';
        if (policy.adminChangesNeedSecondAdmin && demoted && 1 + members.filter((m) => m.role === 'administrator').length - 1 < 2) {
          throw new ApiError('INVALID_PARAMS', 'the policy needs a second administrator: add another before removing this one, or change the policy');
        }
        const r = await this.team.setmember(tx, req as OpRequest<'setmember'>, actor, gateway);
        return { messages: [r.message], outcome: ok, notifications: r.revoked ? [{ account, message: r.message, revokedMember: r.revoked }] : [] };
      }
      case 'teampolicy':
        return this.dual.setPolicy(tx, req as OpRequest<'teampolicy'>, actor, gateway);
      case 'setbeneficiary':
      case 'removebeneficiary':
        return this.answer(await this.book.change(tx, req as OpRequest<'setbeneficiary' | 'removebeneficiary'>, actor, gateway));
    }
  }

  /**
   * Who acts, if their membership and role allow the operation; otherwise the refusal, recorded in the
   * account's audit trail (returned, not thrown, so that the record is kept).
   */
  private async actorOrRefusal(tx: LedgerTx, req: OpRequest): Promise<Actor | JobResult> {
    try {
      return await this.team.authorize(tx, req);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (await tx.account(req.account)) await this.team.record(tx, req.account, 'refused', req.member ?? null, gatewayOf(req.ref), { op: req.op, code: e.code });
      return failure(e.toData());
    }
  }

  /** balance and getinfo: one read of committed data, then signed with interactive priority. */
  private async readOp(req: OpRequest): Promise<JobResult> {
    try {
      const params = this.validated(req);
      const { account, balances, refused } = await this.store.read(async (r) => {
        const refused = await this.team.authorize(r, req).then(
          () => null,
          (e: unknown) => (e instanceof ApiError ? e : Promise.reject(e)),
        );
        if (refused) return { account: undefined, balances: [], refused };
        return { account: await r.account(req.account), balances: req.op === 'balance' ? await r.balances(req.account) : [], refused: null };
      });
      // A member's refused read is recorded in the audit trail, in a write batch.
      if (refused) return await this.enqueue((tx) => this.actorOrRefusal(tx, req).then((a) => ('address' in a ? failure(refused.toData()) : a)));
      if (!account) throw new ApiError('NOT_REGISTERED');
      if (req.op === 'getinfo') return this.answer(await this.bindAnswer(req, accountMessage('account', account, this.rules.requireConfirmation)));
      // The balance's signature and its binding's, requested together (the binding covers the data).
      const m = balanceDraft(account, balances, (params as OpParams['balance']).currency);
      const [signed, bound] = await Promise.all([this.signer.sign(m.data, 'interactive', account.address), this.bindAnswer(req, m)]);
      return this.answer({ ...bound, signed });
    } catch (e) {
      return failure(e instanceof ApiError ? e.toData() : internalError(e));
    }
  }

  private answer(...messages: OutboundMessage[]): JobResult {
    return { messages, outcome: ok, notifications: [] };
  }

  private async register(tx: LedgerTx, address: string, p: OpParams['register']): Promise<JobResult> {
    if (await tx.account(address)) throw new ApiError('ALREADY_REGISTERED');
    await tx.register(address, p, this.now());
    return this.answer(accountMessage('register', await requireAccount(tx, address), this.rules.requireConfirmation));
  }

  /** Extension: the account switches its device-confirmation policy, confirmed on its device. */
  private async setpolicy(tx: LedgerTx, address: string, actor: Actor, p: OpParams['setpolicy']): Promise<JobResult> {
    await requireAccount(tx, address);
    const paramsHash = sha256(canonicalJson({ op: 'setpolicy', requireConfirmation: p.requireConfirmation }));
    const prior = await tx.request(address, p.requestId);
    if (prior) {
      if (prior.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${p.requestId} was already used for another request`);
      // A retry (or a replay of an old request): answered, never applied again.
      return this.answer(accountMessage('account', await requireAccount(tx, address), this.rules.requireConfirmation));
    }
    const text = policyText({ account: address, requireConfirmation: p.requireConfirmation, requestId: p.requestId, server: this.address });
    if (!verifyMessageSignature(text, actor.address, p.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const now = this.now();
    await tx.setConfirmationPolicy(address, p.requireConfirmation, now);
    await tx.saveRequest(address, p.requestId, paramsHash, {}, now);
    return this.answer(accountMessage('account', await requireAccount(tx, address), this.rules.requireConfirmation));
  }

  private async setinfo(tx: LedgerTx, address: string, p: OpParams['setinfo']): Promise<JobResult> {
    const before = await requireAccount(tx, address);
    const countryChanged = p.country !== undefined && p.country !== before.country;
    await tx.updateAccount(
      address,
      { email: p.email, postal_address: p.address, phone: p.phone, country: p.country, currency: p.currency, verified: countryChanged ? 0 : undefined },
      this.now(),
    );
    return this.answer(accountMessage('account', await requireAccount(tx, address), this.rules.requireConfirmation));
  }

  /**
   * A history replay, streamed: one read of committed data per page of HISTORY_PAGE_ROWS rows (so
   * nothing is built whole, and it never waits behind a write batch), then it waits for its reader
   * (`flow.more()`) and stops if the reader left. The window is fixed by the first page (rows
   * committed later arrive as live notifications).
   */
  private async history(req: OpRequest<'history'>, emit: (m: OutboundMessage) => void, flow?: OpFlow): Promise<OpOutcome> {
    const state: { window: HistoryWindow | null } = { window: null };
    let count = 0;
    const digest = crypto.createHash('sha256');
    for (;;) {
      // Before every page, the first too: a reader still busy with earlier output waits.
      if (flow && !(await flow.more())) return ok; // the reader is gone: stop reading the ledger
      if (this.closed) throw new Error('back office closed');
      // Let I/O in between pages: SQLite reads resolve in microtasks, and a long replay must not hold the loop.
      await new Promise((r) => setImmediate(r));
      let messages: OutboundMessage[];
      try {
        const page = await this.store.read(async (r) => {
          if (state.window === null) {
            const params = this.validated(req);
            await this.team.authorize(r, req);
            await requireAccount(r, req.account);
            state.window = await r.historyWindow(req.account, params);
          }
          const rows = await r.historyPage(req.account, state.window, HISTORY_PAGE_ROWS);
          const signed = await r.signedMessages(rows.map((row) => row.txid));
          return rows.map((row) => ({ row, cached: signed.get(row.txid) }));
        });
        this.stats.historyPages += 1;
        if (page.length > 0) state.window!.after = page[page.length - 1].row.txid;
        messages = await Promise.all(page.map(({ row, cached }) => (cached ? { msg: 'transfer' as const, data: cached.data, signed: cached.signed } : this.signUncachedRow(row))));
      } catch (e) {
        return { ok: false, error: e instanceof ApiError ? e.toData() : internalError(e) };
      }
      for (const m of messages) {
        digest.update(`${m.signed}\n`);
        emit(m);
      }
      count += messages.length;
      if (messages.length < HISTORY_PAGE_ROWS) break;
    }
    emit(await this.bindAnswer(req, historyEnd(count, digest.digest('hex'))));
    return ok;
  }

  /** A row written before messages were kept signed (older ledgers): signed now, and kept unless a newer state was meanwhile. */
  private async signUncachedRow(row: TransferRow): Promise<OutboundMessage> {
    const { canonical, signed } = await this.signData(transferData(row), 'bulk');
    void this.enqueue(async (tx) => {
      if (!(await tx.signedMessage(row.txid))) await tx.storeSignedMessage(row.txid, canonical, signed);
      return this.answer();
    });
    return { msg: 'transfer', data: canonical, signed };
  }

  /** The signed transfer message of a row's current state (signed once per state, then reused). */
  private async transferMessage(tx: LedgerTx, row: TransferRow, toSign: ToSign[]): Promise<OutboundMessage> {
    const cached = await tx.signedMessage(row.txid);
    if (cached) return { msg: 'transfer', data: cached.data, signed: cached.signed };
    return draftTransfer(row, toSign);
  }

  private async transfer(tx: LedgerTx, req: OpRequest, actor: Actor, p: OpParams['transfer']): Promise<JobResult> {
    const ref = req.ref;
    const sender = req.account;
    const account = await requireAccount(tx, sender);
    // A team account's transfers are confirmed with the text that names it, whoever confirms them.
    const team = actor.isMember || (await tx.members(sender)).length > 0;
    const amountResult = parseAmount(p.amount, p.currency);
    if (!amountResult.ok) throw new ApiError('INVALID_AMOUNT', amountResult.error.message);
    const amount = amountResult.minor;
    const dest = await this.resolveDestination(tx, sender, account, p.destination);
    const paramsHash = sha256(canonicalJson({ destination: dest.destination, currency: p.currency, amount: formatAmount(amount, p.currency), reference: p.reference ?? null }));

    if (p.requestId) {
      // A retry: answer with the original outcome; nothing moves again.
      const waiting = await this.dual.retried(tx, sender, p.requestId, paramsHash);
      if (waiting) return this.answer(waiting);
      const prior = await tx.request(sender, p.requestId);
      if (prior) {
        if (prior.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${p.requestId} was already used for a different transfer`);
        if (prior.txid !== null) {
          const toSign: ToSign[] = [];
          return { ...this.answer(await this.transferMessage(tx, (await tx.findTransfer(prior.txid))!, toSign)), toSign };
        }
        return failure({ code: prior.error_code as ApiErrorData['code'], message: prior.error_message ?? '' });
      }
    }
    let confirmed: { text: string; signature: string } | null = null;
    if (p.confirmation !== undefined) {
      if (!p.requestId) throw new ApiError('INVALID_PARAMS', 'confirmation requires a requestId (it is part of the confirmed text)');
      // Rebuilt from exactly what will be recorded: a confirmation covers every field the user decided.
      let text: string;
      try {
        text = confirmationText({ amount: formatAmount(amount, p.currency), currency: p.currency, destination: dest.destination, reference: p.reference, requestId: p.requestId, server: this.address, account: team ? sender : undefined });
      } catch (e) {
        if (e instanceof ConfirmationTextError) throw new ApiError('CONFIRMATION_INVALID', e.message);
        throw e;
      }
      if (!verifyMessageSignature(text, actor.address, p.confirmation)) {
        throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
      }
      confirmed = { text, signature: p.confirmation };
    } else if (this.rules.requireConfirmation || account.require_confirmation === 1n) {
      throw new ApiError('CONFIRMATION_REQUIRED', this.rules.requireConfirmation ? undefined : 'This account requires a device confirmation signature on every transfer.');
    }

    if (team) {
      // Dual control: what the account's policy says needs approvals waits for them, its funds held.
      const known = (await tx.beneficiary(sender, dest.destination)) !== undefined;
      const need = approvalsRequired(await this.dual.policy(tx, sender), { currency: p.currency, amount, beneficiaryKnown: known });
      if (need.count > 0) {
        if (!confirmed || !p.requestId) throw new ApiError('CONFIRMATION_REQUIRED', 'a transfer that needs approval must be confirmed on the initiator’s device (its approvers sign the same text)');
        const rejection = await this.complianceCheck(tx, account, p.currency, amount, dest, this.now());
        if (rejection) throw new ApiError(rejection.code, rejection.reason);
        await this.requireAvailable(tx, sender, p.currency, amount);
        const held: HeldTransfer = { account: sender, initiator: actor.address, kind: dest.kind, destination: dest.destination, currency: p.currency, amount, reference: p.reference ?? null, requestId: p.requestId, paramsHash, text: confirmed.text, signature: confirmed.signature };
        return this.dual.hold(tx, held, need, ref, gatewayOf(ref));
      }
    }
    const moved = await this.moveMoney(tx, { account: sender, initiator: actor.address, kind: dest.kind, destination: dest.destination, currency: p.currency, amount, reference: p.reference ?? null, requestId: p.requestId ?? null, paramsHash, text: confirmed?.text ?? null, signature: confirmed?.signature ?? null, request: { ...p, confirmation: p.confirmation ? '(present)' : undefined } }, ref);
    if (team && moved.outcome.ok) {
      const data = JSON.parse(moved.messages[0].data) as TransferData;
      await this.team.record(tx, sender, 'transfer-initiated', actor.address, gatewayOf(ref), { txid: data.txid, amount: data.amount, currency: data.currency, destination: data.destination, requestId: p.requestId ?? null, status: data.status ?? 'complete' });
    }
    return moved;
  }

  private async requireAvailable(tx: LedgerTx, address: string, currency: CurrencyCode, amount: bigint): Promise<void> {
    const { balance, held } = await tx.balance(address, currency);
    if (balance - held < amount) {
      throw new ApiError('INSUFFICIENT_FUNDS', `available ${formatAmount(balance - held, currency)} ${currency}, requested ${formatAmount(amount, currency)} ${currency}`);
    }
  }

  /**
   * Moves the money of a decided transfer: records it (with its confirmation), applies the compliance
   * rules, posts an internal transfer or holds a payout. A plain refusal is thrown (the savepoint undoes
   * the NEW record, nothing changes); a compliance rejection is recorded and returned.
   */
  private async moveMoney(
    tx: LedgerTx,
    t: Omit<HeldTransfer, 'requestId' | 'text' | 'signature'> & { requestId: string | null; text: string | null; signature: string | null; request?: unknown },
    ref: string,
  ): Promise<JobResult> {
    const sender = t.account;
    const account = await requireAccount(tx, sender);
    const now = this.now();
    const txid = await tx.insertTransfer({ timestamp: now, kind: t.kind, sender, destination: t.destination, currency: t.currency, amount: t.amount, reference: t.reference, requestId: t.requestId });
    if (t.text !== null && t.signature !== null) await tx.recordConfirmation(txid, t.text, t.signature);
    const rejection = await this.complianceCheck(tx, account, t.currency, t.amount, { kind: t.kind, country: t.kind === 'iban_out' ? t.destination.slice(0, 2) : undefined }, now);
    if (rejection) {
      await tx.advance(txid, 'rejected', now, rejection.reason);
      await tx.recordRejection({ at: now, account: sender, txid, rule: rejection.rule, reason: rejection.reason, request: t.request ?? { requestId: t.requestId } });
      const error = { code: rejection.code, message: rejection.reason } as ApiErrorData;
      if (t.requestId) await tx.saveRequest(sender, t.requestId, t.paramsHash, { error }, now);
      return failure(error);
    }
    await this.requireAvailable(tx, sender, t.currency, t.amount);
    await tx.advance(txid, 'approved', now);
    if (t.kind === 'internal') {
      await tx.post(txid, t.currency, [
        { owner: sender, amount: -t.amount },
        { owner: t.destination, amount: t.amount },
      ]);
      await tx.advance(txid, 'complete', now);
    } else {
      await tx.hold(sender, t.currency, t.amount);
      await tx.advance(txid, 'pending', now);
    }
    if (t.requestId) await tx.saveRequest(sender, t.requestId, t.paramsHash, { txid }, now);
    const row = (await tx.findTransfer(txid))!;
    const toSign: ToSign[] = [];
    const message = draftTransfer(row, toSign);
    const notifications: Notification[] = [{ account: sender, message, exceptRef: ref }];
    if (t.kind === 'internal') notifications.push({ account: t.destination, message });
    return { messages: [message], toSign, outcome: ok, notifications, after: t.kind === 'iban_out' ? () => this.scheduleSettlement(row) : undefined };
  }

  private async resolveDestination(tx: LedgerTx, sender: string, account: AccountRow, raw: string): Promise<{ kind: 'internal' | 'iban_out'; destination: string; country?: string }> {
    const d = classifyDestination(raw, this.network);
    if (!d.ok) {
      if (d.problem === 'INVALID_IBAN') throw new ApiError('INVALID_IBAN', `invalid IBAN: ${d.reason}`);
      if (d.problem === 'WRONG_NETWORK') throw new ApiError('UNKNOWN_DESTINATION', `${raw.trim()} is not a ${this.network} address`);
      throw new ApiError('UNKNOWN_DESTINATION', 'the destination is neither a registered address nor an IBAN');
    }
    if (d.kind === 'address') {
      if (d.destination === sender) throw new ApiError('SELF_TRANSFER');
      if (!(await tx.account(d.destination))) throw new ApiError('UNKNOWN_DESTINATION');
      return { kind: 'internal', destination: d.destination };
    }
    if (account.iban && d.destination === account.iban) throw new ApiError('SELF_TRANSFER', 'the destination IBAN is this account’s own IBAN');
    return { kind: 'iban_out', destination: d.destination, country: d.country };
  }

  private async complianceCheck(
    tx: LedgerTx,
    account: AccountRow,
    currency: CurrencyCode,
    amount: bigint,
    dest: { kind: 'internal' | 'iban_out'; country?: string },
    now: number,
  ): Promise<{ code: 'NOT_VERIFIED' | 'COMPLIANCE_REJECTED'; rule: string; reason: string } | null> {
    if (account.verified !== 1n) return { code: 'NOT_VERIFIED', rule: 'kyc', reason: 'unverified accounts cannot send; complete KYC verification first' };
    const perTransfer = limitMinor(this.rules, currency, 'perTransfer');
    if (perTransfer !== null && amount > perTransfer) {
      return { code: 'COMPLIANCE_REJECTED', rule: 'per-transfer-limit', reason: `exceeds the per-transfer limit of ${formatAmount(perTransfer, currency)} ${currency}` };
    }
    const daily = limitMinor(this.rules, currency, 'daily');
    if (daily !== null) {
      const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
      const sent = await tx.outgoingSince(account.address, currency, dayStart);
      if (sent + amount > daily) {
        return { code: 'COMPLIANCE_REJECTED', rule: 'daily-limit', reason: `exceeds the daily limit of ${formatAmount(daily, currency)} ${currency} (already sent today: ${formatAmount(sent, currency)})` };
      }
    }
    if (dest.kind === 'iban_out' && dest.country && this.rules.blockedIbanCountries.includes(dest.country)) {
      return { code: 'COMPLIANCE_REJECTED', rule: 'blocked-country', reason: `payouts to ${dest.country} IBANs are not allowed` };
    }
    return null;
  }

  // ---- IBAN rails -----------------------------------------------------------------------------

  /** A transfer (or change) awaiting approval expires at `expiresAt` (timers are rescheduled from the ledger on start). */
  private scheduleExpiry(kind: 'transfer' | 'change', account: string, requestId: string, expiresAt: number): void {
    const key = `${kind} ${account} ${requestId}`;
    if (this.closed || this.expiries.has(key)) return;
    // setTimeout holds at most 2^31-1 ms; a later expiry is re-armed when this one fires.
    const due = Math.min(Math.max(0, expiresAt - this.now()), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.expiries.delete(key);
      if (this.closed) return;
      if (expiresAt > this.now()) return this.scheduleExpiry(kind, account, requestId, expiresAt);
      void this.enqueue((tx) => (kind === 'transfer' ? this.dual.expire(tx, account, requestId) : this.changes.expire(tx, account, requestId)));
    }, due);
    timer.unref();
    this.expiries.set(key, timer);
  }

  private scheduleSettlement(row: TransferRow): void {
    const delay = this.rules.rails.settleDelayMs;
    if (delay <= 0 || this.closed || this.timers.has(row.txid)) return;
    const due = Math.max(0, Number(row.timestamp) + delay - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(row.txid);
      if (this.closed) return;
      const fails = this.rules.rails.failIbans.includes(row.destination) || this.rules.rails.failCountries.includes(row.destination.slice(0, 2));
      void this.enqueue(async (tx) => {
        const current = await tx.findTransfer(row.txid);
        if (!current || current.status !== 'pending') return this.answer(); // settled by the operator meanwhile
        return this.settle(tx, row.txid, fails ? 'failed' : 'complete', fails ? this.rules.rails.failReason : undefined);
      });
    }, due);
    timer.unref();
    this.timers.set(row.txid, timer);
  }

  private async settle(tx: LedgerTx, txid: bigint, outcome: 'complete' | 'failed', reason?: string): Promise<JobResult> {
    const row = await tx.findTransfer(txid);
    if (!row) throw new ApiError('UNKNOWN_TRANSACTION', `no transaction ${txid}`);
    if (row.kind !== 'iban_out' || row.status !== 'pending') throw new ApiError('INVALID_STATE', `transaction ${txid} is ${row.kind === 'iban_out' ? row.status : 'not an IBAN payout'}`);
    const now = this.now();
    await tx.hold(row.sender, row.currency, -row.amount);
    if (outcome === 'complete') {
      await tx.post(txid, row.currency, [
        { owner: row.sender, amount: -row.amount },
        { owner: CLEARING_OWNER, amount: row.amount },
      ]);
      await tx.advance(txid, 'complete', now);
    } else {
      await tx.advance(txid, 'failed', now, reason?.trim() || 'The payment was returned by the beneficiary bank');
    }
    const toSign: ToSign[] = [];
    const message = draftTransfer((await tx.findTransfer(txid))!, toSign);
    const timer = this.timers.get(txid);
    if (timer) clearTimeout(timer);
    this.timers.delete(txid);
    return { messages: [message], toSign, outcome: ok, notifications: [{ account: row.sender, message }] };
  }

  // ---- admin --------------------------------------------------------------------------------------

  private async performAdmin(tx: LedgerTx, raw: AdminCommand): Promise<JobResult> {
    const cmd = parseAdminCommand(raw);
    switch (cmd.command) {
      case 'key':
        return { ...this.answer(), result: { address: this.address } };
      case 'verify': {
        const acct = await requireAccount(tx, cmd.address);
        if (!acct.iban) {
          const n = await tx.nextCounter('iban-counter');
          const iban = composeIBAN({ countryCode: 'GB', bban: `CCCT400000${n.toString().padStart(8, '0')}` });
          if (!iban || !checkIban(iban).ok) throw new ApiError('INTERNAL_ERROR', 'could not compose a valid IBAN');
          await tx.setIban(cmd.address, iban, this.now());
        } else {
          await tx.updateAccount(cmd.address, { verified: 1 }, this.now());
        }
        return this.answer(accountMessage('account', await requireAccount(tx, cmd.address), this.rules.requireConfirmation));
      }
      case 'deposit': {
        if (!isSupportedCurrency(cmd.currency)) throw new ApiError('UNSUPPORTED_CURRENCY', `${cmd.currency} is not supported`);
        const currency = cmd.currency;
        if (!parseBitcoinAddress(cmd.to) || !(await tx.account(cmd.to))) throw new ApiError('UNKNOWN_DESTINATION', `${cmd.to} has no account`);
        const from = checkIban(cmd.from);
        if (!from.ok) throw new ApiError('INVALID_IBAN', `invalid IBAN: ${from.reason}`);
        const amount = parseAmount(cmd.amount, currency);
        if (!amount.ok) throw new ApiError('INVALID_AMOUNT', amount.error.message);
        const now = this.now();
        const txid = await tx.insertTransfer({ timestamp: now, kind: 'iban_in', sender: from.iban, destination: cmd.to, currency, amount: amount.minor, reference: cmd.reference ?? null });
        await tx.advance(txid, 'approved', now);
        await tx.post(txid, currency, [
          { owner: CLEARING_OWNER, amount: -amount.minor },
          { owner: cmd.to, amount: amount.minor },
        ]);
        await tx.advance(txid, 'complete', now);
        const toSign: ToSign[] = [];
        const message = draftTransfer((await tx.findTransfer(txid))!, toSign);
        return { messages: [message], toSign, outcome: ok, notifications: [{ account: cmd.to, message }] };
      }
      case 'settle':
        return this.settle(tx, cmd.txid, cmd.outcome, cmd.reason);
    }
  }
}

async function requireAccount(r: LedgerReads, address: string): Promise<AccountRow> {
  const a = await r.account(address);
  if (!a) throw new ApiError('NOT_REGISTERED');
  return a;
}

function accountMessage(msg: 'account' | 'register', account: AccountRow, serverRequiresConfirmation: boolean): OutboundMessage {
  return { msg, data: JSON.stringify(accountData(account, serverRequiresConfirmation)) };
}

/** A `balance` message, to be signed: available funds (booked minus held) by currency. */
function balanceDraft(account: AccountRow, balances: { currency: CurrencyCode; balance: bigint; held: bigint }[], only: CurrencyCode | undefined): OutboundMessage {
  const data: BalanceData = {};
  const available = new Map(balances.map((b) => [b.currency, b.balance - b.held]));
  if (only) {
    data[only] = formatAmount(available.get(only) ?? 0n, only);
  } else {
    data[account.currency] = formatAmount(available.get(account.currency) ?? 0n, account.currency);
    for (const [cur, v] of available) if (v !== 0n) data[cur] = formatAmount(v, cur);
  }
  return { msg: 'balance', data: canonicalJson(data) };
}

/** Whether an answer carries a binding to the request (shared/answer-binding.ts). */
function bindsTo(req: OpRequest, m: OutboundMessage): boolean {
  if (m.msg === 'transfer' && req.op !== 'transfer') return false;
  return m.msg !== 'error' && req.session !== undefined;
}

/** A transfer message of the row's current state, to be signed (and kept) at the end of the batch. */
function draftTransfer(row: TransferRow, toSign: ToSign[]): OutboundMessage {
  const m: OutboundMessage = { msg: 'transfer', data: canonicalJson(transferData(row)) };
  toSign.push({ m, txid: row.txid });
  return m;
}

/** The data of a transfer's signed message, from its row's current state. */
function transferData(row: TransferRow): TransferData {
  const data: TransferData = {
    txid: Number(row.txid),
    timestamp: Number(row.timestamp),
    sender: row.sender,
    destination: row.destination,
    currency: row.currency,
    amount: formatAmount(row.amount, row.currency),
  };
  if (row.kind === 'iban_out') data.status = row.status as TransferData['status'];
  if (row.status === 'failed' && row.status_message) data.message = row.status_message;
  if (row.reference) data.reference = row.reference;
  return data;
}

/** The closing message of a history replay: how many rows, and the digest of their signatures. */
export function historyEnd(count: number, digest: string): OutboundMessage {
  return { msg: 'history', data: JSON.stringify({ count, digest }) };
}

export function accountData(a: AccountRow, serverRequiresConfirmation: boolean): AccountData {
  const byAccount = a.require_confirmation === 1n;
  return {
    name: a.name,
    email: a.email,
    address: a.postal_address,
    phone: a.phone,
    country: a.country,
    currency: a.currency,
    isVerified: a.verified === 1n,
    iban: a.iban,
    deviceConfirmation: { required: byAccount || serverRequiresConfirmation, byAccount, byServer: serverRequiresConfirmation },
  };
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function internalError(e: unknown): ApiErrorData {
  console.error('back office internal error:', e);
  return { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred; the operation was not performed.' };
}

/** The gateway a request came through: its refs are "<gatewayId>.<16 hex>:<connection>:<counter>" (gateway.ts). */
function gatewayOf(ref: string): string | undefined {
  const m = /^(.+)\.[0-9a-f]{16}:(?:\d+:)?\d+$/.exec(ref);
  return m?.[1];
}
