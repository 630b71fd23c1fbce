// A team account as the app's core sees it (docs/team-treasury.md): whom the logged-in key acts for and
// in which role, the members, the policy, the beneficiary book, the approval queue and the audit trail.
// Every change is a text the device signs: built here by the pure functions of src/shared/team.ts and
// confirmation.ts, never taken from the server. What the server lists for approval is rebuilt from its
// fields and offered for signing only when the server's text is exactly that rebuild, so what the user
// reads in the app, what the device shows and what the server records are the same thing.
import crypto from 'node:crypto';
import type { ApprovalItem, ApprovalQueue, AuditEntry, Beneficiary, ChangeItem, SigningPurpose, TeamMember, TeamRequestOutcome, TeamSnapshot } from '../../shared/app-api';
import type { ActingData, ApprovalData, ApprovalsData, AuditEventData, AuditPageData, BeneficiariesData, ChangeData, MembersData, Role, TeamPolicy } from '../../shared/protocol';
import { TeamPolicySchema, describeIssues, NameSchema, ROLES } from '../../shared/protocol';
import { confirmationText } from '../../shared/confirmation';
import { approvalRefusal, beneficiaryText, decisionText, memberText, NO_TEAM_POLICY, roleAllows, teamPolicyText, type TeamAction } from '../../shared/team';
import { classifyDestination } from '../../shared/destination';
import type { BitcoinNetwork } from '../../shared/bitcoin-address';
import { CodedError, codeOf, messageOf } from '../../shared/errors';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { DeviceError } from '../device/errors';
import type { CccClient } from '../session/ccc-client';

export class TeamError extends CodedError {}

export interface TeamSessionDeps {
  client: CccClient;
  /** The back office's address (signed texts name it; audit events are verified against it). */
  server: string;
  /** The logged-in key. */
  member: string;
  network: BitcoinNetwork;
  /** Asks the device to sign `text` (throws DeviceError, USER_REJECTED when declined). */
  sign(text: string, purpose: SigningPurpose): Promise<string>;
  /** What the device will show for `text` (its screens; only a hash on older apps). */
  screensFor(text: string): Promise<{ screens: string[]; showsText: boolean }>;
  onChange(): void;
}

/** The most audit events read at once (the server's page is at most 500). */
const AUDIT_PAGE = 500;
const MAX_AUDIT_EVENTS = 20_000;

export class TeamSession {
  private members: TeamMember[] = [];
  private book: Beneficiary[] = [];
  private queue: ApprovalsData | null = null;
  private screens = new Map<string, { screens: string[]; showsText: boolean }>();
  private closed = false;

  private constructor(
    private readonly deps: TeamSessionDeps,
    readonly account: string,
    private role: Role,
  ) {}

  /** The server answers team operations (a server written from the spec alone does not). */
  private answersTeamOps = true;

  get available(): boolean {
    return this.answersTeamOps;
  }

  /** Acts for `account` (a company account the key is a member of), or for the key's own (null). */
  static async open(deps: TeamSessionDeps, account: string | null): Promise<TeamSession> {
    const own = account === null || account === deps.member;
    let acting: ActingData | null = null;
    if (!own) acting = await deps.client.act(account);
    else if (deps.client.account !== deps.member) await deps.client.act(deps.member);
    const t = new TeamSession(deps, own ? deps.member : account, acting?.role ?? 'administrator');
    await t.refresh().catch((e) => {
      // A server without team accounts, or a key without an account of its own: a plain session.
      if (own) t.answersTeamOps = codeOf(e) !== 'UNKNOWN_OP';
      else throw e;
    });
    return t;
  }

  close(): void {
    this.closed = true;
  }

  get acting(): boolean {
    return this.account !== this.deps.member;
  }

  get currentRole(): Role {
    return this.role;
  }

  /** The account has members besides its own key: its transfer texts name it. */
  get teamAccount(): boolean {
    return this.members.length > 1;
  }

  can(action: TeamAction): boolean {
    return roleAllows(this.role, action);
  }

  snapshot(recentAccounts: string[], removedFrom?: string): TeamSnapshot {
    const items = this.queue?.items ?? [];
    const changes = this.queue?.changes ?? [];
    const me = this.deps.member;
    const approvable = items.filter((a) => a.status === 'awaiting' && approvalRefusal({ approver: me, role: this.role, initiator: a.initiator, alreadyApproved: a.approvals }) === null).length + changes.filter((c) => c.status === 'awaiting' && c.proposer !== me && this.can('manage')).length;
    const mine = items.filter((a) => a.status === 'awaiting' && a.initiator === me).length + changes.filter((c) => c.status === 'awaiting' && c.proposer === me).length;
    return {
      account: this.account,
      member: me,
      role: this.role,
      acting: this.acting,
      teamAccount: this.teamAccount,
      awaitingMyApproval: approvable,
      myWaiting: mine,
      recentAccounts,
      ...(removedFrom ? { removedFrom } : {}),
    };
  }

  /** Reads members, beneficiaries and the queue again (after a change, or news of one). */
  async refresh(): Promise<void> {
    const c = this.deps.client;
    const members = await c.team('members');
    this.applyMembers(members.data as MembersData);
    const [book, queue] = await Promise.all([c.team('beneficiaries'), c.team('approvals')]);
    this.applyBook(book.data as BeneficiariesData);
    this.queue = queue.data as ApprovalsData;
    if (!this.closed) this.deps.onChange();
  }

  /** News from the server (an approval or change decided or waiting): read the queue and the lists again. */
  onNews(): void {
    void this.refresh().catch(() => undefined);
  }

  private applyMembers(d: MembersData): void {
    this.members = d.members.map((m) => ({ member: m.member, role: m.role, addedAt: m.addedAt, addedBy: m.addedBy }));
    const me = this.members.find((m) => m.member === this.deps.member);
    if (me && this.acting) this.role = me.role;
  }

  private applyBook(d: BeneficiariesData): void {
    this.book = d.items.map((b) => ({ ...b, destinationKind: /^[A-Z]{2}\d{2}/.test(b.destination) ? 'iban' : 'address' }));
  }

  // ---- reads ---------------------------------------------------------------------------------------

  getMembers(): TeamMember[] {
    return this.members.map((m) => ({ ...m }));
  }

  getBeneficiaries(): Beneficiary[] {
    return this.book.map((b) => ({ ...b }));
  }

  /** The name under which `destination` is in the book. */
  beneficiaryName(destination: string): string | undefined {
    return this.book.find((b) => b.destination === destination)?.name;
  }

  /** The waiting transfer as the last (bound) `approvals` answer lists it, if it still waits. */
  queued(requestId: string): ApprovalData | undefined {
    return this.queue?.items.find((a) => a.requestId === requestId);
  }

  getPolicy(): TeamPolicy {
    return this.queue?.policy ?? NO_TEAM_POLICY;
  }

  async getQueue(): Promise<ApprovalQueue> {
    await this.refresh();
    const q = this.queue!;
    const items: ApprovalItem[] = [];
    for (const a of q.items) items.push(await this.approvalItem(a));
    const changes: ChangeItem[] = [];
    for (const c of q.changes) changes.push(await this.changeItem(c));
    return { policy: q.policy, items, changes };
  }

  /** A server's approval as the app shows it; `textMatches` only if the text is exactly the one the app rebuilds. */
  async approvalItem(a: ApprovalData): Promise<ApprovalItem> {
    const me = this.deps.member;
    let rebuilt: string | null = null;
    try {
      rebuilt = confirmationText({ amount: a.amount, currency: a.currency, destination: a.destination, reference: a.reference, requestId: a.requestId, server: this.deps.server, account: this.account });
    } catch {
      rebuilt = null;
    }
    const textMatches = rebuilt === a.text && a.account === this.account;
    const refusal = !textMatches ? 'TEXT_MISMATCH' : approvalRefusal({ approver: me, role: this.role, initiator: a.initiator, alreadyApproved: a.approvals });
    const awaiting = a.status === 'awaiting';
    const screens = await this.deviceScreens(a.text);
    return {
      requestId: a.requestId,
      initiator: a.initiator,
      destination: a.destination,
      destinationKind: /^[A-Z]{2}\d{2}/.test(a.destination) ? 'iban' : 'address',
      currency: a.currency,
      amount: a.amount,
      ...(a.reference ? { reference: a.reference } : {}),
      ...(a.beneficiary ? { beneficiary: a.beneficiary } : {}),
      text: a.text,
      deviceScreens: screens.screens,
      deviceShowsHash: !screens.showsText,
      required: a.required,
      approvals: [...a.approvals],
      status: a.status,
      ...(a.reason ? { reason: a.reason } : {}),
      ...(a.txid !== undefined ? { txid: a.txid } : {}),
      createdAt: a.createdAt,
      expiresAt: a.expiresAt,
      textMatches,
      mine: a.initiator === me,
      canApprove: awaiting && refusal === null,
      canReject: awaiting && a.initiator !== me && this.can('approve'),
      canCancel: awaiting && a.initiator === me,
      ...(refusal ? { approveRefusal: refusal } : {}),
    };
  }

  private async changeItem(c: ChangeData): Promise<ChangeItem> {
    const me = this.deps.member;
    const textMatches = c.account === this.account && this.rebuildChangeText(c) === c.text;
    const awaiting = c.status === 'awaiting';
    const manage = this.can('manage');
    const screens = await this.deviceScreens(c.text);
    return {
      requestId: c.requestId,
      op: c.op,
      params: c.params,
      text: c.text,
      deviceScreens: screens.screens,
      deviceShowsHash: !screens.showsText,
      proposer: c.proposer,
      status: c.status,
      createdAt: c.createdAt,
      expiresAt: c.expiresAt,
      textMatches,
      mine: c.proposer === me,
      canApprove: awaiting && textMatches && manage && c.proposer !== me,
      canReject: awaiting && manage && c.proposer !== me,
      canCancel: awaiting && c.proposer === me,
    };
  }

  private rebuildChangeText(c: ChangeData): string | null {
    const f = { account: this.account, requestId: c.requestId, server: this.deps.server };
    const p = c.params as Record<string, unknown>;
    try {
      if (c.op === 'setmember') return memberText({ ...f, member: String(p.member), role: p.role as Role | 'none' });
      if (c.op === 'teampolicy') return teamPolicyText({ ...f, policy: TeamPolicySchema.parse(p.policy) });
      if (c.op === 'setbeneficiary') return beneficiaryText({ ...f, name: String(p.name), destination: String(p.destination) });
      return beneficiaryText({ ...f, destination: String(p.destination), remove: true });
    } catch {
      return null;
    }
  }

  private async deviceScreens(text: string): Promise<{ screens: string[]; showsText: boolean }> {
    const known = this.screens.get(text);
    if (known) return known;
    try {
      const s = await this.deps.screensFor(text);
      this.screens.set(text, s);
      return s;
    } catch {
      // The device is not ready: the text itself is still shown; its screens appear once it is.
      return { screens: [], showsText: true };
    }
  }

  /** The audit trail, every event's back-office signature verified; one that fails stops the read. */
  async getAudit(): Promise<AuditEntry[]> {
    this.checkRole('manage');
    const out: AuditEntry[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = (await this.deps.client.team('audit', { afterSeq, limit: AUDIT_PAGE })).data as AuditPageData;
      for (const e of page.events) {
        if (!verifyMessageSignature(e.data, this.deps.server, e.signed)) throw new TeamError('BAD_SIGNATURE', `An audit event's signature does not verify against the back office's key (after event ${afterSeq}).`);
        const data = JSON.parse(e.data) as AuditEventData;
        if (data.account !== this.account || data.seq !== afterSeq + 1) throw new TeamError('AUDIT_GAP', `The audit trail is not whole: event ${afterSeq + 1} was expected, ${data.seq} came.`);
        out.push({ ...data, signedData: e.data, signature: e.signed });
        afterSeq = data.seq;
      }
      if (!page.more || page.events.length === 0 || out.length >= MAX_AUDIT_EVENTS) return out;
    }
  }

  // ---- device-signed requests ----------------------------------------------------------------------

  async setMember(input: { member: string; role: Role | 'none' }): Promise<TeamRequestOutcome> {
    this.checkRole('manage');
    const role = input?.role;
    if (!([...ROLES, 'none'] as string[]).includes(role)) throw new TeamError('INVALID_PARAMS', 'role: one of viewer, initiator, approver, administrator or none');
    const d = classifyDestination(String(input.member ?? '').trim(), this.deps.network);
    if (!d.ok || d.kind !== 'address') throw new TeamError('INVALID_ADDRESS', 'A member is a Bitcoin address (the address of their Ledger).');
    const requestId = newRequestId();
    const text = memberText({ account: this.account, member: d.destination, role, requestId, server: this.deps.server });
    return this.signAndSend(text, 'team', (confirmation) => this.deps.client.team('setmember', { member: d.destination, role, requestId, confirmation }), requestId);
  }

  async setPolicy(policy: TeamPolicy): Promise<TeamRequestOutcome> {
    this.checkRole('manage');
    const parsed = TeamPolicySchema.safeParse(policy);
    if (!parsed.success) throw new TeamError('INVALID_PARAMS', describeIssues(parsed.error));
    const requestId = newRequestId();
    const text = teamPolicyText({ account: this.account, policy: parsed.data, requestId, server: this.deps.server });
    return this.signAndSend(text, 'team', (confirmation) => this.deps.client.team('teampolicy', { policy: parsed.data, requestId, confirmation }), requestId);
  }

  async addBeneficiary(input: { name: string; destination: string }): Promise<TeamRequestOutcome> {
    this.checkRole('manage');
    const name = NameSchema.safeParse(String(input?.name ?? '').trim());
    if (!name.success) throw new TeamError('INVALID_PARAMS', `name: ${describeIssues(name.error)}`);
    const d = classifyDestination(String(input?.destination ?? ''), this.deps.network);
    if (!d.ok) throw new TeamError(d.problem === 'INVALID_IBAN' ? 'INVALID_IBAN' : 'INVALID_DESTINATION', d.problem === 'INVALID_IBAN' ? `Invalid IBAN: ${d.reason}.` : 'Enter a Bitcoin address of a CCC account or an IBAN.');
    const requestId = newRequestId();
    const text = beneficiaryText({ account: this.account, name: name.data, destination: d.destination, requestId, server: this.deps.server });
    return this.signAndSend(text, 'team', (confirmation) => this.deps.client.team('setbeneficiary', { name: name.data, destination: d.destination, requestId, confirmation }), requestId);
  }

  async removeBeneficiary(destination: string): Promise<TeamRequestOutcome> {
    this.checkRole('manage');
    const entry = this.book.find((b) => b.destination === destination);
    if (!entry) throw new TeamError('UNKNOWN_BENEFICIARY', 'That destination is not in the beneficiary book.');
    const requestId = newRequestId();
    const text = beneficiaryText({ account: this.account, destination: entry.destination, remove: true, requestId, server: this.deps.server });
    return this.signAndSend(text, 'team', (confirmation) => this.deps.client.team('removebeneficiary', { destination: entry.destination, requestId, confirmation }), requestId);
  }

  /** Approve (the device signs the item's own text, checked against the app's rebuild), reject, or cancel one's own. */
  async decide(input: { requestId: string; decision: 'approve' | 'reject' | 'cancel' }, onAnswer?: (answer: { msg: string; data: unknown }) => void): Promise<TeamRequestOutcome> {
    const decision = input?.decision;
    if (!['approve', 'reject', 'cancel'].includes(decision)) throw new TeamError('INVALID_PARAMS', 'decision: approve, reject or cancel');
    const queue = await this.getQueue();
    const item = queue.items.find((a) => a.requestId === input.requestId);
    const change = queue.changes.find((c) => c.requestId === input.requestId);
    const it = item ?? change;
    if (!it) throw new TeamError('UNKNOWN_APPROVAL', 'Nothing with that request waits for a decision.');
    if (decision === 'approve' && !it.textMatches) throw new TeamError('TEXT_MISMATCH', 'The server lists a text that is not what its fields say; it was not signed.');
    const allowed = decision === 'approve' ? it.canApprove : decision === 'reject' ? it.canReject : it.canCancel;
    if (!allowed) {
      const code = decision === 'approve' && item?.approveRefusal ? item.approveRefusal : 'ROLE_FORBIDS';
      throw new TeamError(code, code === 'OWN_APPROVAL' ? 'You started this; another approver must approve it.' : code === 'ALREADY_DECIDED' ? 'You have approved this already.' : 'Your role does not allow this.');
    }
    const text = decision === 'approve' ? it.text : decisionText({ decision, subject: change ? 'change' : 'transfer', account: this.account, requestId: it.requestId, server: this.deps.server });
    return this.signAndSend(text, decision === 'approve' && item ? 'transfer' : 'team', async (confirmation) => {
      const answer = await this.deps.client.team(decision, { requestId: it.requestId, confirmation });
      onAnswer?.(answer);
      return answer;
    }, it.requestId);
  }

  private async signAndSend(text: string, purpose: SigningPurpose, send: (confirmation: string) => Promise<{ msg: string; data: unknown }>, requestId: string): Promise<TeamRequestOutcome> {
    let confirmation: string;
    try {
      confirmation = await this.deps.sign(text, purpose);
    } catch (e) {
      if (e instanceof DeviceError && e.code === 'USER_REJECTED') return { status: 'rejected-on-device' };
      throw e;
    }
    let answer: { msg: string; data: unknown };
    try {
      answer = await send(confirmation);
    } catch (e) {
      throw new TeamError(codeOf(e), messageOf(e));
    }
    await this.refresh().catch(() => undefined);
    if (answer.msg === 'change' && (answer.data as ChangeData).status === 'awaiting') return { status: 'awaiting-second-admin', requestId };
    return { status: 'done' };
  }

  private checkRole(action: TeamAction): void {
    if (!this.can(action)) throw new TeamError('ROLE_FORBIDS', 'Your role in this account does not allow this.');
  }
}

function newRequestId(): string {
  return crypto.randomBytes(12).toString('hex');
}
