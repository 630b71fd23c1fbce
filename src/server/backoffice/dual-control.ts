// Dual control for team accounts (docs/team-treasury.md): a transfer the account's policy says needs
// approval waits — its funds held, nothing posted — until enough approvers other than the initiator
// have signed the very text the initiator's device showed; then it becomes an ordinary transfer
// (BackOffice.moveMoney). It can also be rejected by an approver, cancelled by its initiator, or
// expire; then its funds are released. Every step is in the account's signed audit trail.
import crypto from 'node:crypto';
import { ApiError, type ApiErrorData } from '../../shared/errors';
import { canonicalJson } from '../../shared/canonical-json';
import { formatAmount } from '../../shared/money';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { approvalRefusal, decisionText, NO_TEAM_POLICY, roleAllows, teamPolicyText, type ApprovalReason } from '../../shared/team';
import { TeamPolicySchema, type ApprovalData, type ApprovalsData, type ChangeData, type TeamPolicy } from '../../shared/protocol';
import type { CurrencyCode } from '../../shared/currencies';
import type { Notification, OpOutcome, OpRequest, OutboundMessage } from '../contract';
import type { ApprovalRow, LedgerReads, LedgerTx } from './ledger-store';
import type { Actor, TeamDesk } from './team-desk';

/** How long a transfer may wait for its approvals. */
export const APPROVAL_TTL_MS = 72 * 3600_000;

/** What an operation produced (the back office's JobResult). */
export interface Outcome {
  messages: OutboundMessage[];
  /** Drafts to sign at the end of the batch (the back office's JobResult.toSign). */
  toSign?: { m: OutboundMessage; txid?: bigint }[];
  outcome: OpOutcome;
  notifications: Notification[];
  after?: () => void;
}

/** A transfer as decided, ready to move money once approved. */
export interface HeldTransfer {
  account: string;
  initiator: string;
  kind: 'internal' | 'iban_out';
  destination: string;
  currency: CurrencyCode;
  amount: bigint;
  reference: string | null;
  requestId: string;
  paramsHash: string;
  text: string;
  signature: string;
}

export interface DualControlOptions {
  team: TeamDesk;
  server: string;
  now: () => number;
  ttlMs: number;
  /** Moves the money of an approved transfer (the same path as an ordinary transfer; throws to refuse). */
  moveMoney(tx: LedgerTx, t: HeldTransfer, ref: string): Promise<Outcome>;
  /** Schedules the expiry of a waiting transfer (after commit). */
  scheduleExpiry(account: string, requestId: string, expiresAt: number): void;
  /** Changes awaiting a second administrator (listed with the transfers awaiting approval). */
  pendingChanges(r: LedgerReads, account: string): Promise<ChangeData[]>;
}

const ok: OpOutcome = { ok: true };

export class DualControl {
  constructor(private readonly opts: DualControlOptions) {}

  async policy(r: LedgerReads, account: string): Promise<TeamPolicy> {
    const stored = await r.teamPolicy(account);
    return stored === undefined ? NO_TEAM_POLICY : TeamPolicySchema.parse(JSON.parse(stored));
  }

  /** `teampolicy`: set by an administrator, confirmed on its device; replay-safe by requestId. */
  async setPolicy(tx: LedgerTx, req: OpRequest<'teampolicy'>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const p = req.params;
    const paramsHash = sha256(canonicalJson({ op: 'teampolicy', policy: p.policy }));
    const prior = await tx.request(account, p.requestId);
    if (prior) {
      if (prior.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${p.requestId} was already used for another request`);
      return answer(await this.approvalsMessage(tx, account));
    }
    const members = await tx.members(account);
    const approvers = 1 + members.filter((m) => roleAllows(m.role, 'approve')).length;
    if (p.policy.approvals > approvers) throw new ApiError('INVALID_PARAMS', `only ${approvers} key(s) of this account can approve; the policy asks for ${p.policy.approvals}`);
    const admins = 1 + members.filter((m) => m.role === 'administrator').length;
    if (p.policy.adminChangesNeedSecondAdmin && admins < 2) throw new ApiError('INVALID_PARAMS', 'a second administrator is needed before changes can require one');
    const text = teamPolicyText({ account, policy: p.policy, requestId: p.requestId, server: this.opts.server });
    if (!verifyMessageSignature(text, actor.address, p.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const now = this.opts.now();
    await tx.setTeamPolicy(account, JSON.stringify(p.policy), now);
    await tx.saveRequest(account, p.requestId, paramsHash, {}, now);
    await this.opts.team.record(tx, account, 'policy-changed', actor.address, gateway, { text });
    return answer(await this.approvalsMessage(tx, account));
  }

  async approvalsMessage(r: LedgerReads, account: string): Promise<OutboundMessage> {
    const rows = await r.awaitingApprovals(account);
    const data: ApprovalsData = { account, policy: await this.policy(r, account), items: await Promise.all(rows.map((row) => this.approvalData(r, row))), changes: await this.opts.pendingChanges(r, account) };
    return { msg: 'approvals', data: JSON.stringify(data) };
  }

  /** A transfer that needs approvals: its funds held, nothing posted; the account's sessions are told. */
  async hold(tx: LedgerTx, t: HeldTransfer, need: { count: number; reasons: ApprovalReason[] }, ref: string, gateway: string | undefined): Promise<Outcome> {
    const now = this.opts.now();
    const expiresAt = now + this.opts.ttlMs;
    await tx.hold(t.account, t.currency, t.amount);
    await tx.insertApproval({
      account: t.account,
      request_id: t.requestId,
      initiator: t.initiator,
      kind: t.kind,
      destination: t.destination,
      currency: t.currency,
      amount: t.amount,
      reference: t.reference,
      params_hash: t.paramsHash,
      text: t.text,
      signature: t.signature,
      required: BigInt(need.count),
      created_at: BigInt(now),
      expires_at: BigInt(expiresAt),
    });
    await this.opts.team.record(tx, t.account, 'transfer-initiated', t.initiator, gateway, {
      requestId: t.requestId,
      amount: formatAmount(t.amount, t.currency),
      currency: t.currency,
      destination: t.destination,
      status: 'awaiting',
      required: need.count,
      reasons: need.reasons.join(','),
    });
    const message = await this.message(tx, t.account, t.requestId);
    return { messages: [message], outcome: ok, notifications: [{ account: t.account, message, exceptRef: ref }], after: () => this.opts.scheduleExpiry(t.account, t.requestId, expiresAt) };
  }

  /** `approve`: an approver other than the initiator signs the same text; enough of them release the transfer. */
  async approve(tx: LedgerTx, req: OpRequest<'approve'>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const row = await this.awaiting(tx, account, req.params.requestId);
    const votes = await tx.approvalVotes(account, row.request_id);
    const refusal = approvalRefusal({ approver: actor.address, role: actor.role, initiator: row.initiator, alreadyApproved: votes.map((v) => v.approver) });
    if (refusal) {
      const error = new ApiError(refusal, refusal === 'OWN_APPROVAL' ? 'the initiator of a transfer cannot approve it' : undefined);
      await this.opts.team.record(tx, account, 'refused', actor.address, gateway, { op: 'approve', code: refusal, requestId: row.request_id });
      return failure(error.toData()); // returned, not thrown: the refusal stays in the audit trail
    }
    if (!verifyMessageSignature(row.text, actor.address, req.params.confirmation)) {
      throw new ApiError('CONFIRMATION_INVALID', `the approval is not a signature by ${actor.address} of: ${row.text}`);
    }
    const now = this.opts.now();
    await tx.addApprovalVote(account, row.request_id, actor.address, req.params.confirmation, now);
    const count = votes.length + 1;
    await this.opts.team.record(tx, account, 'transfer-approved', actor.address, gateway, { requestId: row.request_id, approvals: count, required: Number(row.required) });
    if (count < Number(row.required)) return this.told(await this.message(tx, account, row.request_id), account, req.ref);
    return this.release(tx, row, req.ref, gateway);
  }

  /** `reject` (an approver) or `cancel` (its initiator), confirmed on the device with decisionText. */
  async decide(tx: LedgerTx, req: OpRequest<'reject' | 'cancel'>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const decision = req.op;
    const row = await this.awaiting(tx, account, req.params.requestId);
    if (decision === 'cancel' && actor.address !== row.initiator) throw new ApiError('ROLE_FORBIDS', 'only the initiator of a transfer can cancel it (approvers reject)');
    const text = decisionText({ decision, account, requestId: row.request_id, server: this.opts.server });
    if (!verifyMessageSignature(text, actor.address, req.params.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const status = decision === 'reject' ? 'rejected' : 'cancelled';
    await this.end(tx, row, status, null);
    await this.opts.team.record(tx, account, decision === 'reject' ? 'transfer-rejected' : 'transfer-cancelled', actor.address, gateway, { requestId: row.request_id });
    return this.told(await this.message(tx, account, row.request_id), account, req.ref);
  }

  /** The expiry timer: a transfer still waiting at its expiry releases its funds. */
  async expire(tx: LedgerTx, account: string, requestId: string): Promise<Outcome> {
    const row = await tx.approvalRequest(account, requestId);
    if (!row || row.status !== 'awaiting' || Number(row.expires_at) > this.opts.now()) return { messages: [], outcome: ok, notifications: [] };
    await this.end(tx, row, 'expired', 'not approved in time');
    await this.opts.team.record(tx, account, 'transfer-expired', null, undefined, { requestId });
    const message = await this.message(tx, account, requestId);
    return { messages: [], outcome: ok, notifications: [{ account, message }] };
  }

  /** A retry of a transfer that went to approval: its current state, never a second request. */
  async retried(r: LedgerReads, account: string, requestId: string, paramsHash: string): Promise<OutboundMessage | null> {
    const row = await r.approvalRequest(account, requestId);
    if (!row) return null;
    if (row.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${requestId} was already used for a different transfer`);
    return this.message(r, account, requestId);
  }

  private async release(tx: LedgerTx, row: ApprovalRow, ref: string, gateway: string | undefined): Promise<Outcome> {
    const account = row.account;
    await tx.hold(account, row.currency, -row.amount);
    const t: HeldTransfer = {
      account,
      initiator: row.initiator,
      kind: row.kind,
      destination: row.destination,
      currency: row.currency,
      amount: row.amount,
      reference: row.reference,
      requestId: row.request_id,
      paramsHash: row.params_hash,
      text: row.text,
      signature: row.signature,
    };
    let moved: Outcome;
    try {
      moved = await tx.savepoint(() => this.opts.moveMoney(tx, t, ref));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      moved = failure(e.toData());
    }
    const now = this.opts.now();
    if (!moved.outcome.ok) {
      // Approved, but the money cannot move now (funds, limits): the request ends, its hold released above.
      await tx.decideApproval(account, row.request_id, 'failed', moved.outcome.error.message, null, now);
      await this.opts.team.record(tx, account, 'transfer-failed', null, gateway, { requestId: row.request_id, code: moved.outcome.error.code });
      return this.told(await this.message(tx, account, row.request_id), account, ref);
    }
    const transfer = moved.messages.find((m) => m.msg === 'transfer')!;
    const txid = BigInt((JSON.parse(transfer.data) as { txid: number }).txid);
    await tx.decideApproval(account, row.request_id, 'released', null, txid, now);
    await this.opts.team.record(tx, account, 'transfer-released', null, gateway, { requestId: row.request_id, txid: Number(txid) });
    const message = await this.message(tx, account, row.request_id);
    return { messages: [message, transfer], toSign: moved.toSign, outcome: ok, notifications: [{ account, message, exceptRef: ref }, ...moved.notifications], after: moved.after };
  }

  private async end(tx: LedgerTx, row: ApprovalRow, status: 'rejected' | 'cancelled' | 'expired', reason: string | null): Promise<void> {
    await tx.hold(row.account, row.currency, -row.amount);
    await tx.decideApproval(row.account, row.request_id, status, reason, null, this.opts.now());
  }

  private async awaiting(r: LedgerReads, account: string, requestId: string): Promise<ApprovalRow> {
    const row = await r.approvalRequest(account, requestId);
    if (!row) throw new ApiError('UNKNOWN_APPROVAL', `no transfer of this account awaits approval with requestId ${requestId}`);
    if (row.status !== 'awaiting') throw new ApiError('ALREADY_DECIDED', `that transfer was ${row.status}`);
    return row;
  }

  private told(message: OutboundMessage, account: string, ref: string): Outcome {
    return { messages: [message], outcome: ok, notifications: [{ account, message, exceptRef: ref }] };
  }

  private async message(r: LedgerReads, account: string, requestId: string): Promise<OutboundMessage> {
    const row = (await r.approvalRequest(account, requestId))!;
    return { msg: 'approval', data: JSON.stringify(await this.approvalData(r, row)) };
  }

  private async approvalData(r: LedgerReads, row: ApprovalRow): Promise<ApprovalData> {
    const votes = await r.approvalVotes(row.account, row.request_id);
    const beneficiary = await r.beneficiary(row.account, row.destination);
    return {
      account: row.account,
      requestId: row.request_id,
      initiator: row.initiator,
      destination: row.destination,
      currency: row.currency,
      amount: formatAmount(row.amount, row.currency),
      ...(row.reference !== null ? { reference: row.reference } : {}),
      ...(beneficiary ? { beneficiary: beneficiary.name } : {}),
      text: row.text,
      required: Number(row.required),
      approvals: votes.map((v) => v.approver),
      status: row.status,
      ...(row.reason !== null ? { reason: row.reason } : {}),
      ...(row.txid !== null ? { txid: Number(row.txid) } : {}),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
    };
  }
}

function answer(message: OutboundMessage): Outcome {
  return { messages: [message], outcome: ok, notifications: [] };
}

function failure(error: ApiErrorData): Outcome {
  return { messages: [], outcome: { ok: false, error }, notifications: [] };
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

