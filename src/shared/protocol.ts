// The wire protocol of the CCC End-User API: operation envelopes, the schema of every
// operation's params, and the shapes of the messages the server sends. Validation at the
// boundary happens here, once, for the gateway, the back office and the app alike.
import { z } from 'zod';
import countries from 'i18n-iso-countries';
import { isSupportedCurrency, SUPPORTED_CURRENCIES, type CurrencyCode } from './currencies';
import { parseWireAmount } from './money';
import { checkText, TEXT_LIMITS } from './text-policy';

export const OPERATIONS = ['auth', 'register', 'getinfo', 'setinfo', 'balance', 'history', 'transfer', 'setpolicy', 'act', 'members', 'setmember', 'audit', 'teampolicy', 'approvals', 'approve', 'reject', 'cancel', 'beneficiaries', 'setbeneficiary', 'removebeneficiary'] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** Operations that need an authenticated session; `register` additionally needs no existing account. */
export const AUTHENTICATED_OPERATIONS: readonly OperationName[] = ['register', 'getinfo', 'setinfo', 'balance', 'history', 'transfer', 'setpolicy', 'act', 'members', 'setmember', 'audit', 'teampolicy', 'approvals', 'approve', 'reject', 'cancel', 'beneficiaries', 'setbeneficiary', 'removebeneficiary'];

export const MAX_FRAME_BYTES = 16 * 1024;

export const NonceSchema = z.union([z.number().int().safe(), z.string().max(64)]);
export type Nonce = z.infer<typeof NonceSchema>;

export const EnvelopeSchema = z.object({
  op: z.string().max(64),
  nonce: NonceSchema.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

// ---- field schemas -------------------------------------------------------

/** A free-text field under the one text policy (text-policy.ts): checked, NFC-normalised, trimmed. */
export const freeText = (max: number) =>
  z.string().transform((s, ctx) => {
    const r = checkText(s, max);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.reason });
    return z.NEVER;
  });

export const CountrySchema = z
  .string()
  .length(2)
  .transform((s) => s.toUpperCase())
  .refine((s) => /^[A-Z]{2}$/.test(s) && countries.isValid(s), 'must be an ISO 3166-1 alpha-2 country code such as "PA"');

export const CurrencySchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine(isSupportedCurrency, `must be one of the supported currencies: ${SUPPORTED_CURRENCIES.join(', ')}`)
  .transform((s) => s as CurrencyCode);

export const EmailSchema = z.string().trim().max(254).pipe(z.email('must be a valid email address'));

/** E.164 after removing spaces, dashes, dots and parentheses: "+507 123-1234" → "+5071231234". */
export const PhoneSchema = z
  .string()
  .max(32)
  .transform((s) => s.replace(/[\s\-().]/g, ''))
  .refine((s) => /^\+[1-9][0-9]{6,14}$/.test(s), 'must be an international number with country code, e.g. "+5071231234"');

export const NameSchema = freeText(TEXT_LIMITS.name);
export const PostalAddressSchema = freeText(TEXT_LIMITS.postalAddress);

export const RequestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 characters of A-Z, a-z, 0-9, "_" or "-"');
export const ReferenceSchema = freeText(TEXT_LIMITS.reference);
/** A failure reason given by the operator (shown to the customer, signed, exported). */
export const ReasonSchema = freeText(TEXT_LIMITS.reason);
/** An amount as it arrives: a decimal string, or a number that is exactly representable (checked by money.parseAmount). */
export const AmountInputSchema = z.union([z.string().max(40), z.number()]);

// ---- operation params ------------------------------------------------------

export const AuthParams = z.strictObject({
  key: z.string().min(1).max(100),
  signature: z.string().min(1).max(200),
});

export const RegisterParams = z.strictObject({
  name: NameSchema,
  email: EmailSchema,
  country: CountrySchema,
  currency: CurrencySchema,
  address: PostalAddressSchema.optional(),
  phone: PhoneSchema.optional(),
});

export const GetinfoParams = z.strictObject({});

export const SetinfoParams = z
  .strictObject({
    email: EmailSchema.optional(),
    address: PostalAddressSchema.optional(),
    phone: PhoneSchema.optional(),
    country: CountrySchema.optional(),
    currency: CurrencySchema.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give at least one field to change');

export const BalanceParams = z.strictObject({ currency: CurrencySchema.optional() });

export const MAX_HISTORY_LIMIT = 100_000;
export const HistoryParams = z
  .strictObject({
    limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).optional(),
    sinceTransaction: z.number().int().min(0).safe().optional(),
    sinceTime: z.number().int().min(0).safe().optional(),
  })
  .refine((p) => [p.limit, p.sinceTransaction, p.sinceTime].filter((v) => v !== undefined).length <= 1, 'give at most one of limit, sinceTransaction, sinceTime');

export const TransferParams = z.strictObject({
  destination: z.string().trim().min(1).max(100),
  currency: CurrencySchema,
  amount: AmountInputSchema,
  requestId: RequestIdSchema.optional(),
  reference: ReferenceSchema.optional(),
  confirmation: z.string().min(1).max(200).optional(),
});

/** Extension: switch the account's device-confirmation policy, itself confirmed on the device (policyText). */
export const SetpolicyParams = z.strictObject({
  requireConfirmation: z.boolean(),
  requestId: RequestIdSchema,
  confirmation: z.string().min(1).max(200),
});

// ---- team accounts (extension; docs/team-treasury.md) ------------------------------------------

export const ROLES = ['viewer', 'initiator', 'approver', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

const AddressParam = z.string().trim().min(1).max(100);
const Confirmation = z.string().min(1).max(200);

/** Act for a team account (or, with one's own address, for one's own account again). */
export const ActParams = z.strictObject({ account: AddressParam });
export const MembersParams = z.strictObject({});
/** Add a member, change its role, or remove it (role `none`): device-signed by an administrator (team.memberText). */
export const SetmemberParams = z.strictObject({ member: AddressParam, role: z.enum([...ROLES, 'none']), requestId: RequestIdSchema, confirmation: Confirmation });
export const MAX_AUDIT_PAGE = 500;
export const AuditParams = z.strictObject({ afterSeq: z.number().int().min(0).safe().optional(), limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).optional() });

export const MAX_APPROVALS = 5;
/** The dual-control policy of a team account; amounts are canonical wire decimals, never floats. */
export const TeamPolicySchema = z.strictObject({
  /** Approvals a transfer needs when the policy applies to it (0: never). */
  approvals: z.number().int().min(0).max(MAX_APPROVALS),
  /** Per currency: transfers above this amount need approvals. A currency not listed has no threshold. */
  above: z
    .partialRecord(CurrencySchema, z.string().max(40))
    .refine((above) => Object.entries(above).every(([cur, amount]) => amount !== undefined && !amount.startsWith('-') && isCanonicalAmount(amount, cur as CurrencyCode, false)), 'every threshold a canonical, non-negative decimal of its currency, e.g. "10000.00"'),
  /** A destination not in the beneficiary book needs approvals too. */
  newBeneficiaryNeedsApproval: z.boolean(),
  /** Member, policy and beneficiary changes need a second administrator. */
  adminChangesNeedSecondAdmin: z.boolean(),
});
export type TeamPolicy = z.infer<typeof TeamPolicySchema>;

/** Set the dual-control policy: device-signed by an administrator (team.teamPolicyText). */
export const TeampolicyParams = z.strictObject({ policy: TeamPolicySchema, requestId: RequestIdSchema, confirmation: Confirmation });
export const ApprovalsParams = z.strictObject({});
/** approve (the same text as the initiator's), reject or cancel (team.decisionText) a waiting transfer. */
export const DecideParams = z.strictObject({ requestId: RequestIdSchema, confirmation: Confirmation });
export const BeneficiariesParams = z.strictObject({});
/** Save a destination under a name: device-signed by an administrator (team.beneficiaryText). */
export const SetbeneficiaryParams = z.strictObject({ name: NameSchema, destination: z.string().trim().min(1).max(100), requestId: RequestIdSchema, confirmation: Confirmation });
export const RemovebeneficiaryParams = z.strictObject({ destination: z.string().trim().min(1).max(100), requestId: RequestIdSchema, confirmation: Confirmation });

export const PARAM_SCHEMAS = {
  auth: AuthParams,
  register: RegisterParams,
  getinfo: GetinfoParams,
  setinfo: SetinfoParams,
  balance: BalanceParams,
  history: HistoryParams,
  transfer: TransferParams,
  setpolicy: SetpolicyParams,
  act: ActParams,
  members: MembersParams,
  setmember: SetmemberParams,
  audit: AuditParams,
  teampolicy: TeampolicyParams,
  approvals: ApprovalsParams,
  approve: DecideParams,
  reject: DecideParams,
  cancel: DecideParams,
  beneficiaries: BeneficiariesParams,
  setbeneficiary: SetbeneficiaryParams,
  removebeneficiary: RemovebeneficiaryParams,
} as const;

export type OpParams = { [K in OperationName]: z.infer<(typeof PARAM_SCHEMAS)[K]> };
export type OpInput = { [K in OperationName]: z.input<(typeof PARAM_SCHEMAS)[K]> };

export function isOperationName(x: unknown): x is OperationName {
  return typeof x === 'string' && (OPERATIONS as readonly string[]).includes(x);
}

/** Human summary of a zod error: "amount: must be …; currency: …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

// ---- messages ---------------------------------------------------------------

export type TransferStatus = 'pending' | 'complete' | 'failed';

/** The data of a `transfer` message (live and replayed). Signed by the back office. */
export interface TransferData {
  txid: number;
  timestamp: number;
  sender: string;
  destination: string;
  currency: CurrencyCode;
  amount: string;
  /** Only on IBAN payouts: pending, then complete or failed. */
  status?: TransferStatus;
  /** Reason, on a failed IBAN payout. */
  message?: string;
  /** Free-text statement reference given by the sender (extension). */
  reference?: string;
}

/** The data of a `balance` message: currency → canonical decimal. Signed by the back office. */
export type BalanceData = Partial<Record<CurrencyCode, string>>;

/** The data of `account` and `register` messages. */
export interface AccountData {
  name: string;
  email: string;
  address: string | null;
  phone: string | null;
  country: string;
  currency: CurrencyCode;
  isVerified: boolean;
  iban: string | null;
  /** Extension: whether transfers need a device confirmation, and who requires it. */
  deviceConfirmation?: DeviceConfirmationPolicy;
}

export interface DeviceConfirmationPolicy {
  /** Transfers without a valid device confirmation are refused. */
  required: boolean;
  /** The account switched it on (by a device-signed `setpolicy`). */
  byAccount: boolean;
  /** The operator requires it for every account. */
  byServer: boolean;
}

/** Closing message of a history replay (extension). */
export interface HistoryEndData {
  count: number;
  /** SHA-256 (hex) of the replayed messages' `signed` values, each followed by "\n": with the signed
   * binding of this message it proves the replay arrived whole and unaltered. */
  digest?: string;
}

/** What a signed answer is for (extension; signed by src/shared/node/answer-binding.ts, PROTOCOL.md). */
export interface AnswerBinding {
  account: string;
  msg: string;
  nonce: Nonce | null;
  session: string;
  at: number;
}

/** Extension beside the spec's fields of every answer to an operation. */
export interface Bound {
  bind?: AnswerBinding;
  bindSigned?: string;
}

/** The data of an `acting` message (extension): whom the session acts for from now on, in which role. */
export interface ActingData {
  account: string;
  member: string;
  role: Role;
}

/** The data of a `members` message (extension): the account's own key first, as its first administrator. */
export interface MembersData {
  account: string;
  members: { member: string; role: Role; addedAt: number | null; addedBy: string | null }[];
}

export const AUDIT_KINDS = [
  'login',
  'login-failed',
  'act',
  'member-changed',
  'policy-changed',
  'beneficiary-added',
  'beneficiary-removed',
  'change-proposed',
  'change-approved',
  'change-rejected',
  'change-cancelled',
  'change-expired',
  'transfer-initiated',
  'transfer-approved',
  'transfer-released',
  'transfer-rejected',
  'transfer-cancelled',
  'transfer-expired',
  'transfer-failed',
  'refused',
] as const;

export const APPROVAL_STATUSES = ['awaiting', 'released', 'rejected', 'cancelled', 'expired', 'failed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** The data of an `approval` message (extension): a team transfer under dual control. */
export interface ApprovalData {
  account: string;
  requestId: string;
  initiator: string;
  destination: string;
  currency: CurrencyCode;
  amount: string;
  reference?: string;
  /** The destination's name in the account's beneficiary book, when it is there. */
  beneficiary?: string;
  /** Exactly what the initiator's device showed and signed, and what each approver's device signs. */
  text: string;
  required: number;
  /** Approvers who have signed, in order. */
  approvals: string[];
  status: ApprovalStatus;
  reason?: string;
  /** Once released: the transfer it became. */
  txid?: number;
  createdAt: number;
  expiresAt: number;
}

/** The data of a `beneficiaries` message (extension): the account's saved destinations. */
export interface BeneficiariesData {
  account: string;
  items: { name: string; destination: string; addedAt: number; addedBy: string }[];
}

/** Operations that change who may do what; with `adminChangesNeedSecondAdmin` they wait for a second administrator. */
export const ADMIN_CHANGE_OPS = ['setmember', 'teampolicy', 'setbeneficiary', 'removebeneficiary'] as const;
export type AdminChangeOp = (typeof ADMIN_CHANGE_OPS)[number];

/** The data of a `change` message (extension): a membership, policy or beneficiary change awaiting a second administrator. */
export interface ChangeData {
  account: string;
  requestId: string;
  op: AdminChangeOp;
  /** The request as proposed (without its confirmation). */
  params: Record<string, unknown>;
  /** What the proposer's device signed, and what the second administrator's device signs to apply it. */
  text: string;
  proposer: string;
  status: 'awaiting' | 'applied' | 'rejected' | 'cancelled' | 'expired' | 'failed';
  reason?: string;
  decidedBy?: string;
  createdAt: number;
  expiresAt: number;
}

/** The data of an `approvals` message (extension): what awaits approval, oldest first. */
export interface ApprovalsData {
  account: string;
  policy: TeamPolicy;
  items: ApprovalData[];
  /** Membership, policy and beneficiary changes awaiting a second administrator. */
  changes: ChangeData[];
}

/** One event of an account's audit trail, as the back office signs it (RFC 8785 canonical JSON). */
export interface AuditEventData {
  account: string;
  /** 1, 2, 3, … per account, without gaps: a missing event shows. */
  seq: number;
  at: number;
  kind: (typeof AUDIT_KINDS)[number];
  /** Who did it (a member's or the account's own address). */
  actor: string | null;
  /** The gateway the request came through. */
  gateway?: string;
  details: Record<string, string | number | boolean | null>;
}

/** The data of an `audit` message (extension): a page of signed events, oldest first. */
export interface AuditPageData {
  account: string;
  events: { data: string; signed: string }[];
  more: boolean;
}

export type ServerMessage =
  | { msg: 'challenge'; data: string }
  | { msg: 'auth'; nonce?: Nonce; data: 'User Authenticated' }
  | ({ msg: 'register'; nonce?: Nonce; data: AccountData } & Bound)
  | ({ msg: 'account'; nonce?: Nonce; data: AccountData } & Bound)
  | ({ msg: 'balance'; nonce?: Nonce; data: BalanceData; signed: string } & Bound)
  | ({ msg: 'transfer'; nonce?: Nonce; data: TransferData; signed: string } & Bound)
  | ({ msg: 'history'; nonce?: Nonce; data: HistoryEndData } & Bound)
  | ({ msg: 'acting'; nonce?: Nonce; data: ActingData } & Bound)
  | ({ msg: 'members'; nonce?: Nonce; data: MembersData } & Bound)
  | ({ msg: 'audit'; nonce?: Nonce; data: AuditPageData } & Bound)
  | ({ msg: 'approval'; nonce?: Nonce; data: ApprovalData } & Bound)
  | ({ msg: 'approvals'; nonce?: Nonce; data: ApprovalsData } & Bound)
  | ({ msg: 'beneficiaries'; nonce?: Nonce; data: BeneficiariesData } & Bound)
  | ({ msg: 'change'; nonce?: Nonce; data: ChangeData } & Bound)
  | { msg: 'error'; nonce?: Nonce; data: { code: string; message: string; details?: unknown } };

/** A verified signed message as the app keeps it: its data and the back office's signature over the
 * RFC 8785 canonical JSON of that data — enough for anyone to re-check it later (statements, caches). */
export interface SignedRecord<T> {
  data: T;
  signed: string;
}

// ---- what a client accepts from the server (checked after the signature, before anything is applied) ----

/** A transfer message's data: canonical amount for its currency, positive; the state names are the spec's. */
export const TransferDataSchema = z
  .object({
    txid: z.number().int().min(1).safe(),
    timestamp: z.number().int().min(0).safe(),
    sender: z.string().min(1).max(100),
    destination: z.string().min(1).max(100),
    currency: z.string().refine(isSupportedCurrency, 'a supported currency'),
    amount: z.string().max(40),
    status: z.enum(['pending', 'complete', 'failed']).optional(),
    message: z.string().max(1000).optional(),
    reference: z.string().max(1000).optional(),
  })
  .refine((t) => isCanonicalAmount(t.amount, t.currency as CurrencyCode, true), { message: 'amount must be a canonical positive decimal for its currency', path: ['amount'] });

/** A balance message's data: supported currency → canonical decimal. */
export const BalanceDataSchema = z
  .record(z.string(), z.string().max(40))
  .refine((b) => Object.entries(b).every(([cur, amount]) => isSupportedCurrency(cur) && isCanonicalAmount(amount, cur, false)), 'every key a supported currency, every value a canonical amount');

export const AccountDataSchema = z.object({
  name: z.string(),
  email: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  country: z.string(),
  currency: z.string().refine(isSupportedCurrency, 'a supported currency'),
  isVerified: z.boolean(),
  iban: z.string().nullable(),
  deviceConfirmation: z.object({ required: z.boolean(), byAccount: z.boolean(), byServer: z.boolean() }).optional(),
});

export const HistoryEndDataSchema = z.object({ count: z.number().int().min(0).safe(), digest: z.string().regex(/^[0-9a-f]{64}$/).optional() });

function isCanonicalAmount(text: string, currency: CurrencyCode, positive: boolean): boolean {
  try {
    const v = parseWireAmount(text, currency);
    return positive ? v > 0n : true;
  } catch {
    return false;
  }
}

/** A signed balance answer as received: data, its signature, and the signed binding (account, time). */
export interface BoundBalance {
  data: BalanceData;
  signed: string;
  bind: AnswerBinding;
  bindSigned: string;
}

/** Messages whose `data` carries the back office's signature. */
export const SIGNED_MESSAGES = ['transfer', 'balance'] as const;
