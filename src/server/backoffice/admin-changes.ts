// Changes of who may do what — members, the team policy, the beneficiary book — waiting for a second
// administrator when the account's policy says so (`adminChangesNeedSecondAdmin`; docs/team-treasury.md).
// The proposer's device signs the change's text as usual; it is recorded, not applied; another
// administrator's device signature of the same text applies it (through the same code as an immediate
// change), a rejection or the proposer's cancellation ends it, and it expires like a waiting transfer.
import { ApiError, type ApiErrorData } from '../../shared/errors';
import { classifyDestination } from '../../shared/destination';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { beneficiaryText, decisionText, memberText, roleAllows, teamPolicyText } from '../../shared/team';
import { PARAM_SCHEMAS, type AdminChangeOp, type ChangeData, type OpParams } from '../../shared/protocol';
import type { BitcoinNetwork } from '../../shared/bitcoin-address';
import type { OpRequest, OutboundMessage } from '../contract';
import type { AdminChangeRow, LedgerReads, LedgerTx } from './ledger-store';
import type { Actor, TeamDesk } from './team-desk';
import type { Outcome } from './dual-control';

export interface AdminChangesOptions {
  team: TeamDesk;
  server: string;
  network: BitcoinNetwork;
  now: () => number;
  ttlMs: number;
  /** Applies a change as if its proposer had asked for it now (the ordinary path of its op). */
  apply(tx: LedgerTx, req: OpRequest<AdminChangeOp>, proposer: Actor): Promise<Outcome>;
  scheduleExpiry(account: string, requestId: string, expiresAt: number): void;
}

const ok = { ok: true } as const;

export class AdminChanges {
  constructor(private readonly opts: AdminChangesOptions) {}

  /** The text the proposer's device signs for this change (as its own op's handler builds it). */
  textOf(req: OpRequest<AdminChangeOp>): string {
    const ids = { account: req.account, requestId: req.params.requestId, server: this.opts.server };
    switch (req.op) {
      case 'setmember': {
        const p = req.params as OpParams['setmember'];
        return memberText({ ...ids, member: p.member, role: p.role });
      }
      case 'teampolicy':
        return teamPolicyText({ ...ids, policy: (req.params as OpParams['teampolicy']).policy });
      case 'setbeneficiary':
      case 'removebeneficiary': {
        const p = req.params as OpParams['setbeneficiary'] | OpParams['removebeneficiary'];
        const d = classifyDestination(p.destination, this.opts.network);
        if (!d.ok) throw new ApiError(d.problem === 'INVALID_IBAN' ? 'INVALID_IBAN' : 'UNKNOWN_DESTINATION', d.reason);
        return 'name' in p ? beneficiaryText({ ...ids, destination: d.destination, name: p.name }) : beneficiaryText({ ...ids, destination: d.destination, remove: true });
      }
    }
  }

  /** Records a change for a second administrator; the proposer's confirmation is checked now. */
  async propose(tx: LedgerTx, req: OpRequest<AdminChangeOp>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const { requestId, confirmation, ...asked } = req.params as { requestId: string; confirmation: string };
    const prior = await tx.adminChange(account, requestId);
    if (prior) {
      if (prior.op !== req.op || JSON.stringify(withoutConfirmation(prior)) !== JSON.stringify(asked)) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${requestId} was already used for another request`);
      return answer(changeMessage(prior)); // a retry: its current state
    }
    if (await tx.request(account, requestId)) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${requestId} was already used for another request`);
    const text = this.textOf(req);
    if (!verifyMessageSignature(text, actor.address, confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const now = this.opts.now();
    const expiresAt = now + this.opts.ttlMs;
    await tx.insertAdminChange({ account, request_id: requestId, op: req.op, params: JSON.stringify(req.params), text, proposer: actor.address, signature: confirmation, created_at: BigInt(now), expires_at: BigInt(expiresAt) });
    await this.opts.team.record(tx, account, 'change-proposed', actor.address, gateway, { op: req.op, requestId, text });
    const message = changeMessage((await tx.adminChange(account, requestId))!);
    return { messages: [message], outcome: ok, notifications: [{ account, message, exceptRef: req.ref }], after: () => this.opts.scheduleExpiry(account, requestId, expiresAt) };
  }

  async pending(r: LedgerReads, account: string): Promise<ChangeData[]> {
    return (await r.awaitingAdminChanges(account)).map(changeData);
  }

  /** Whether `approve`/`reject`/`cancel` with this requestId is about a change (else a transfer). */
  async isChange(r: LedgerReads, account: string, requestId: string): Promise<boolean> {
    return (await r.adminChange(account, requestId)) !== undefined;
  }

  /** A second administrator's device signature of the same text applies the change. */
  async approve(tx: LedgerTx, req: OpRequest<'approve'>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const row = await this.awaiting(tx, account, req.params.requestId);
    const refusal = !roleAllows(actor.role, 'manage') ? 'ROLE_FORBIDS' : actor.address === row.proposer ? 'OWN_APPROVAL' : null;
    if (refusal) {
      await this.opts.team.record(tx, account, 'refused', actor.address, gateway, { op: 'approve', code: refusal, requestId: row.request_id });
      return failure({ code: refusal, message: refusal === 'OWN_APPROVAL' ? 'a change needs a second administrator, not its proposer' : 'only an administrator approves a change of members, policy or beneficiaries' });
    }
    if (!verifyMessageSignature(row.text, actor.address, req.params.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the approval is not a signature by ${actor.address} of: ${row.text}`);
    const now = this.opts.now();
    const proposed = PARAM_SCHEMAS[row.op].parse(JSON.parse(row.params));
    const proposer: Actor = { address: row.proposer, role: 'administrator', isMember: row.proposer !== account };
    let applied: Outcome;
    try {
      applied = await tx.savepoint(() => this.opts.apply(tx, { ...req, op: row.op, params: proposed as never }, proposer));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      applied = failure(e.toData());
    }
    const status = applied.outcome.ok ? 'applied' : 'failed';
    await tx.decideAdminChange(account, row.request_id, status, applied.outcome.ok ? null : applied.outcome.error.message, actor.address, req.params.confirmation, now);
    await this.opts.team.record(tx, account, 'change-approved', actor.address, gateway, { op: row.op, requestId: row.request_id, status });
    const message = changeMessage((await tx.adminChange(account, row.request_id))!);
    return { ...applied, messages: [message, ...applied.messages], outcome: ok, notifications: [{ account, message, exceptRef: req.ref }, ...applied.notifications] };
  }

  /** `reject` (another administrator) or `cancel` (its proposer), with decisionText(…'change'…). */
  async decide(tx: LedgerTx, req: OpRequest<'reject' | 'cancel'>, actor: Actor, gateway: string | undefined): Promise<Outcome> {
    const account = req.account;
    const row = await this.awaiting(tx, account, req.params.requestId);
    if (req.op === 'cancel' && actor.address !== row.proposer) throw new ApiError('ROLE_FORBIDS', 'only the proposer of a change can cancel it (administrators reject)');
    if (req.op === 'reject' && !roleAllows(actor.role, 'manage')) throw new ApiError('ROLE_FORBIDS', 'only an administrator rejects a change');
    const text = decisionText({ decision: req.op, subject: 'change', account, requestId: row.request_id, server: this.opts.server });
    if (!verifyMessageSignature(text, actor.address, req.params.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    await tx.decideAdminChange(account, row.request_id, req.op === 'reject' ? 'rejected' : 'cancelled', null, actor.address, req.params.confirmation, this.opts.now());
    await this.opts.team.record(tx, account, req.op === 'reject' ? 'change-rejected' : 'change-cancelled', actor.address, gateway, { op: row.op, requestId: row.request_id });
    const message = changeMessage((await tx.adminChange(account, row.request_id))!);
    return { messages: [message], outcome: ok, notifications: [{ account, message, exceptRef: req.ref }] };
  }

  async expire(tx: LedgerTx, account: string, requestId: string): Promise<Outcome> {
    const row = await tx.adminChange(account, requestId);
    if (!row || row.status !== 'awaiting' || Number(row.expires_at) > this.opts.now()) return { messages: [], outcome: ok, notifications: [] };
    await tx.decideAdminChange(account, requestId, 'expired', 'not approved in time', null, null, this.opts.now());
    await this.opts.team.record(tx, account, 'change-expired', null, undefined, { op: row.op, requestId });
    return { messages: [], outcome: ok, notifications: [{ account, message: changeMessage((await tx.adminChange(account, requestId))!) }] };
  }

  private async awaiting(r: LedgerReads, account: string, requestId: string): Promise<AdminChangeRow> {
    const row = await r.adminChange(account, requestId);
    if (!row) throw new ApiError('UNKNOWN_APPROVAL', `no change of this account awaits approval with requestId ${requestId}`);
    if (row.status !== 'awaiting') throw new ApiError('ALREADY_DECIDED', `that change was ${row.status}`);
    return row;
  }
}

function withoutConfirmation(row: AdminChangeRow): Record<string, unknown> {
  const { requestId: _id, confirmation: _c, ...asked } = JSON.parse(row.params) as Record<string, unknown>;
  return asked;
}

function changeData(row: AdminChangeRow): ChangeData {
  return {
    account: row.account,
    requestId: row.request_id,
    op: row.op,
    params: withoutConfirmation(row),
    text: row.text,
    proposer: row.proposer,
    status: row.status,
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

function changeMessage(row: AdminChangeRow): OutboundMessage {
  return { msg: 'change', data: JSON.stringify(changeData(row)) };
}

function answer(message: OutboundMessage): Outcome {
  return { messages: [message], outcome: ok, notifications: [] };
}

function failure(error: ApiErrorData): Outcome {
  return { messages: [], outcome: { ok: false, error }, notifications: [] };
}
