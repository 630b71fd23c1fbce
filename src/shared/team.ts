// A team's treasury (docs/team-treasury.md): the roles of a company account's members, what each role
// may do, the dual-control policy's decision, and the texts a member's device signs for membership,
// policy, beneficiary and approval-queue decisions. Pure, like confirmation.ts: the app builds these
// texts to ask the device, the server rebuilds them from what it records to check the signature.
import type { CurrencyCode } from './currencies';
import { CodedError } from './errors';
import { isDeviceDisplayable } from './ledger-display';
import { parseWireAmount } from './money';
import type { Role, TeamPolicy } from './protocol';

export { ROLES, TeamPolicySchema, MAX_APPROVALS, type Role, type TeamPolicy } from './protocol';

/** What a member can ask for: read the account, initiate a transfer, approve another's, manage the team. */
export type TeamAction = 'read' | 'initiate' | 'approve' | 'manage';

const ALLOWED: Record<Role, readonly TeamAction[]> = {
  viewer: ['read'],
  initiator: ['read', 'initiate'],
  approver: ['read', 'initiate', 'approve'],
  administrator: ['read', 'initiate', 'approve', 'manage'],
};

export function roleAllows(role: Role, action: TeamAction): boolean {
  return ALLOWED[role].includes(action);
}

/** Why an approval does not count, or null when it does. The server decides; the app uses it to hide what would be refused. */
export function approvalRefusal(a: { approver: string; role: Role; initiator: string; alreadyApproved: readonly string[] }): 'ROLE_FORBIDS' | 'OWN_APPROVAL' | 'ALREADY_DECIDED' | null {
  if (!roleAllows(a.role, 'approve')) return 'ROLE_FORBIDS';
  if (a.approver === a.initiator) return 'OWN_APPROVAL';
  if (a.alreadyApproved.includes(a.approver)) return 'ALREADY_DECIDED';
  return null;
}

// ---- dual-control policy ---------------------------------------------------------------------

export const NO_TEAM_POLICY: TeamPolicy = { approvals: 0, above: {}, newBeneficiaryNeedsApproval: false, adminChangesNeedSecondAdmin: false };

export type ApprovalReason = 'amount' | 'new-beneficiary';

/** How many approvals (by approvers other than the initiator) a transfer needs, and why. */
export function approvalsRequired(policy: TeamPolicy, t: { currency: CurrencyCode; amount: bigint; beneficiaryKnown: boolean }): { count: number; reasons: ApprovalReason[] } {
  if (policy.approvals === 0) return { count: 0, reasons: [] };
  const reasons: ApprovalReason[] = [];
  const threshold = policy.above[t.currency];
  if (threshold !== undefined && t.amount > parseWireAmount(threshold, t.currency)) reasons.push('amount');
  if (policy.newBeneficiaryNeedsApproval && !t.beneficiaryKnown) reasons.push('new-beneficiary');
  return { count: reasons.length > 0 ? policy.approvals : 0, reasons };
}

// ---- the texts a member's device signs -----------------------------------------------------

export class TeamTextError extends CodedError<'TEXT_NOT_DISPLAYABLE'> {}

interface Signed {
  /** The company account. */
  account: string;
  requestId: string;
  /** The back office's address. */
  server: string;
}

/** `CCC member <M> role approver for <A> id <requestId> server <bo>`; role `none` removes the member. */
export function memberText(f: Signed & { member: string; role: Role | 'none' }): string {
  return displayable(`CCC member ${f.member} role ${f.role} for ${f.account} id ${f.requestId} server ${f.server}`);
}

/** `CCC team policy approvals 2 above 10000.00 EUR 5000.00 USD new beneficiaries need approval admin changes need 2 admins for <A> id … server …`. */
export function teamPolicyText(f: Signed & { policy: TeamPolicy }): string {
  const p = f.policy;
  const thresholds = Object.entries(p.above)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cur, amount]) => `${amount} ${cur}`);
  const above = thresholds.length > 0 ? `above ${thresholds.join(' ')}` : 'above nothing';
  const beneficiaries = p.newBeneficiaryNeedsApproval ? 'new beneficiaries need approval' : 'new beneficiaries need none';
  const admins = p.adminChangesNeedSecondAdmin ? 'admin changes need 2 admins' : 'admin changes need 1 admin';
  return displayable(`CCC team policy approvals ${p.approvals} ${above} ${beneficiaries} ${admins} for ${f.account} id ${f.requestId} server ${f.server}`);
}

/**
 * `CCC beneficiary "Acme GmbH" DE89… for <A> id … server …`, or `CCC remove beneficiary DE89… for …`.
 * The name is JSON-quoted with every non-ASCII character escaped ("M\u00fcller GmbH"): the device shows
 * exactly what is recorded, and a company's real name is never refused or transliterated.
 */
export function beneficiaryText(f: Signed & { destination: string } & ({ name: string } | { remove: true })): string {
  if ('remove' in f) return displayable(`CCC remove beneficiary ${f.destination} for ${f.account} id ${f.requestId} server ${f.server}`);
  return displayable(`CCC beneficiary ${asciiJson(f.name)} ${f.destination} for ${f.account} id ${f.requestId} server ${f.server}`);
}

/**
 * `CCC reject transfer <requestId> for <A> server <bo>` (an approver) or `CCC cancel transfer …` (its
 * initiator); `… change …` for a membership, policy or beneficiary change awaiting a second administrator.
 */
export function decisionText(f: { decision: 'reject' | 'cancel'; subject?: 'transfer' | 'change'; account: string; requestId: string; server: string }): string {
  return displayable(`CCC ${f.decision} ${f.subject ?? 'transfer'} ${f.requestId} for ${f.account} server ${f.server}`);
}

/** JSON string literal with every character outside printable ASCII as a \uXXXX escape. */
export function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function displayable(text: string): string {
  if (!isDeviceDisplayable(text)) throw new TeamTextError('TEXT_NOT_DISPLAYABLE', 'the text would not be displayed in full on the device (plain ASCII, at most 640 bytes)');
  return text;
}
