// The back office's side of team accounts (docs/team-treasury.md): who may act for an account and in
// which role, membership changes confirmed on an administrator's device, and the signed audit trail.
// Every operation of a member is authorised here, on every call: the gateway only remembers which
// account a session acts for, the back office decides.
import { ApiError } from '../../shared/errors';
import { canonicalJson } from '../../shared/canonical-json';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { isAddressOnNetwork, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { memberText, roleAllows, type TeamAction } from '../../shared/team';
import type { AuditEventData, AuditPageData, MembersData, OpParams, Role } from '../../shared/protocol';
import type { OpRequest, OutboundMessage } from '../contract';
import type { AccountRow, AuditRow, MemberRow } from './ledger';

/** What the team logic reads. */
export interface TeamReads {
  account(address: string): Promise<AccountRow | undefined>;
  member(account: string, member: string): Promise<MemberRow | undefined>;
  members(account: string): Promise<MemberRow[]>;
  auditEvents(account: string, afterSeq: bigint, limit: number): Promise<AuditRow[]>;
  request(sender: string, requestId: string): Promise<{ params_hash: string } | undefined>;
}

/** What it writes, inside the operation's transaction. */
export interface TeamTx extends TeamReads {
  setMember(account: string, member: string, role: Role | null, by: string, now: number): Promise<void>;
  nextAuditSeq(account: string): Promise<bigint>;
  appendAudit(account: string, seq: bigint, at: number, data: string, signed: string): Promise<void>;
  saveRequest(sender: string, requestId: string, paramsHash: string, outcome: object, now: number): Promise<void>;
}

export type SignData = (data: unknown) => Promise<{ canonical: string; signed: string }>;

/** The role an operation needs; `register` is never a member's (a member acts for an existing account). */
const NEEDS: Record<OpRequest['op'], TeamAction | 'own'> = {
  register: 'own',
  getinfo: 'read',
  balance: 'read',
  history: 'read',
  members: 'read',
  act: 'read',
  transfer: 'initiate',
  setinfo: 'manage',
  setpolicy: 'manage',
  setmember: 'manage',
  audit: 'manage',
  teampolicy: 'manage',
  approvals: 'read',
  approve: 'approve',
  reject: 'approve',
  cancel: 'initiate',
  beneficiaries: 'read',
  setbeneficiary: 'manage',
  removebeneficiary: 'manage',
};

export interface Actor {
  /** Who signs: the member, or the account's own key. */
  address: string;
  role: Role;
  /** Whether the actor is a member (not the account's own key). */
  isMember: boolean;
}

export class TeamDesk {
  constructor(
    private readonly opts: { server: string; network: BitcoinNetwork; signData: SignData; now: () => number },
  ) {}

  /**
   * Who is acting and whether their role allows `req`: the account's own key may do everything; a
   * member what its role allows. Throws NOT_A_MEMBER or ROLE_FORBIDS (the caller records the refusal).
   */
  async authorize(r: TeamReads, req: OpRequest): Promise<Actor> {
    if (req.member === undefined) return { address: req.account, role: 'administrator', isMember: false };
    const row = await r.member(req.account, req.member);
    if (!row) throw new ApiError('NOT_A_MEMBER', `${req.member} is not a member of ${req.account}`);
    const need = NEEDS[req.op];
    if (need === 'own' || !roleAllows(row.role, need)) throw new ApiError('ROLE_FORBIDS', `the role ${row.role} does not allow ${req.op}`);
    return { address: req.member, role: row.role, isMember: true };
  }

  /** `act`: the member's session acts for a team account from now on (or for its own again). */
  async act(tx: TeamTx, req: OpRequest<'act'>, gateway: string | undefined): Promise<{ message: OutboundMessage; refused?: undefined } | { refused: ApiError }> {
    const target = req.params.account;
    if (!isAddressOnNetwork(target, this.opts.network)) throw new ApiError('INVALID_ADDRESS', `${target} is not a ${this.opts.network} address`);
    if (target === req.account) return { message: actingMessage({ account: target, member: target, role: 'administrator' }) };
    const row = await tx.member(target, req.account);
    if (!row) {
      // Recorded at the account the attempt was against (only when that account exists).
      if (await tx.account(target)) await this.record(tx, target, 'refused', req.account, gateway, { op: 'act', code: 'NOT_A_MEMBER' });
      return { refused: new ApiError('NOT_A_MEMBER', `${req.account} is not a member of ${target}`) };
    }
    await this.record(tx, target, 'act', req.account, gateway, { role: row.role });
    return { message: actingMessage({ account: target, member: req.account, role: row.role }) };
  }

  async membersMessage(r: TeamReads, account: string): Promise<OutboundMessage> {
    const rows = await r.members(account);
    const data: MembersData = {
      account,
      members: [{ member: account, role: 'administrator', addedAt: null, addedBy: null }, ...rows.map((m) => ({ member: m.member, role: m.role, addedAt: Number(m.added_at), addedBy: m.added_by }))],
    };
    return { msg: 'members', data: JSON.stringify(data) };
  }

  /** `setmember`: confirmed on an administrator's device with memberText; replay-safe by requestId. */
  async setmember(tx: TeamTx, req: OpRequest<'setmember'>, actor: Actor, gateway: string | undefined): Promise<{ message: OutboundMessage; revoked?: string }> {
    const p = req.params;
    const account = req.account;
    if (!isAddressOnNetwork(p.member, this.opts.network)) throw new ApiError('INVALID_ADDRESS', `${p.member} is not a ${this.opts.network} address`);
    if (p.member === account) throw new ApiError('INVALID_PARAMS', 'the account’s own key is always its administrator');
    const paramsHash = canonicalJson({ op: 'setmember', member: p.member, role: p.role });
    const prior = await tx.request(account, p.requestId);
    if (prior) {
      if (prior.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${p.requestId} was already used for another request`);
      return { message: await this.membersMessage(tx, account) }; // a retry: answered, never applied again
    }
    const text = memberText({ account, member: p.member, role: p.role, requestId: p.requestId, server: this.opts.server });
    if (!verifyMessageSignature(text, actor.address, p.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const now = this.opts.now();
    const before = await tx.member(account, p.member);
    await tx.setMember(account, p.member, p.role === 'none' ? null : p.role, actor.address, now);
    await tx.saveRequest(account, p.requestId, paramsHash, {}, now);
    await this.record(tx, account, 'member-changed', actor.address, gateway, { member: p.member, from: before?.role ?? 'none', to: p.role, requestId: p.requestId });
    return { message: await this.membersMessage(tx, account), revoked: p.role === 'none' && before ? p.member : undefined };
  }

  /** One page of the account's audit trail, each event with the back office's signature. */
  async auditMessage(r: TeamReads, account: string, p: OpParams['audit']): Promise<OutboundMessage> {
    const limit = p.limit ?? 100;
    const rows = await r.auditEvents(account, BigInt(p.afterSeq ?? 0), limit + 1);
    const data: AuditPageData = { account, events: rows.slice(0, limit).map((e) => ({ data: e.data, signed: e.signed })), more: rows.length > limit };
    return { msg: 'audit', data: JSON.stringify(data) };
  }

  /** Appends a signed event to the account's audit trail (in the caller's transaction). */
  async record(tx: TeamTx, account: string, kind: AuditEventData['kind'], actor: string | null, gateway: string | undefined, details: AuditEventData['details']): Promise<void> {
    const seq = await tx.nextAuditSeq(account);
    const at = this.opts.now();
    const event: AuditEventData = { account, seq: Number(seq), at, kind, actor, ...(gateway ? { gateway } : {}), details };
    const { canonical, signed } = await this.opts.signData(event);
    await tx.appendAudit(account, seq, at, canonical, signed);
  }
}

function actingMessage(data: { account: string; member: string; role: Role }): OutboundMessage {
  return { msg: 'acting', data: JSON.stringify(data) };
}
