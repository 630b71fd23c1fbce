// The one typed contract between the app's main process and its renderer. The preload
// exposes exactly this (as `window.treasury`); the Chromium dev bridge implements it over a
// local WebSocket. The renderer cannot send raw protocol operations: it can only ask for these
// high-level actions, and a transfer is only ever sent by the main process after the device
// signed its confirmation text.
import type { AccountData, AdminChangeOp, ApprovalData, ApprovalStatus, AuditEventData, Role, TeamPolicy, TransferStatus } from './protocol';
import type { CurrencyCode } from './currencies';
import type { AddressKind, BitcoinNetwork } from './bitcoin-address';

// ---- profiles & settings ---------------------------------------------------------------

export type TransportKind = 'virtual' | 'usb' | 'speculos';

export interface Profile {
  id: string;
  name: string;
  /** ws:// or wss:// URL of the CCC API. */
  endpoint: string;
  /** The back-office address whose signatures are trusted for this endpoint. */
  trustedAddress: string;
  /** SHA-256 fingerprint of the server's TLS certificate (AA:BB:…); when set, only that certificate is accepted. */
  certificateSha256?: string;
  transport: TransportKind;
  /** Speculos REST API port when transport is 'speculos' (default 5000). */
  speculosPort?: number;
  network: BitcoinNetwork;
  addressKind: AddressKind;
  /** BIP32 path of the signing key, e.g. "84'/0'/0'/0/0". */
  derivationPath: string;
  /** Built-in sandbox profile (embedded server, virtual device). */
  sandbox?: boolean;
}

export type ProfileInput = Omit<Profile, 'id' | 'sandbox'> & { id?: string };

// ---- device -------------------------------------------------------------------------------

export type DeviceErrorCode =
  | 'NO_DEVICE'
  | 'LOCKED'
  | 'WRONG_APP'
  | 'USER_REJECTED'
  | 'UNPLUGGED'
  | 'TIMEOUT'
  | 'BUSY'
  | 'UNSUPPORTED_PATH'
  | 'UNKNOWN';

export type DeviceStatus =
  | { state: 'disconnected' }
  | { state: 'locked' }
  | { state: 'wrong-app'; appName: string }
  | { state: 'ready'; appName: string; appVersion: string; /** the app shows message text (else only its hash) */ displaysText: boolean }
  | { state: 'awaiting-confirmation'; action: SigningPurpose; /** what the device screen shows, in order */ screens: string[] }
  | { state: 'error'; code: DeviceErrorCode; message: string; params?: Record<string, string> };

/** Why the device is asked to sign: the app always says, the signer never guesses from the text. */
/** What a signature is for ('unlock': the idle lock's local unlock text, never sent anywhere). */
export type SigningPurpose = 'login' | 'transfer' | 'policy' | 'unlock' | 'team';

/** Steps of the login flow, shown the way Ledger Live does. `protect-account`: the device confirms the
 * account's policy that every transfer needs a device confirmation (once per account). */
export type LoginStep = 'connect-device' | 'unlock' | 'open-app' | 'get-address' | 'connect-server' | 'confirm-login' | 'protect-account' | 'authenticated';

// ---- session --------------------------------------------------------------------------------

export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'online' | 'reconnecting' | 'offline';

export interface BalanceRow {
  currency: CurrencyCode;
  /** Canonical decimal string. */
  amount: string;
  preferred: boolean;
}

export interface TxRow {
  txid: number;
  timestamp: number;
  direction: 'in' | 'out';
  /** The other side: an address or an IBAN. */
  counterparty: string;
  counterpartyKind: 'address' | 'iban';
  currency: CurrencyCode;
  /** Canonical positive decimal. */
  amount: string;
  /** Canonical decimal with sign from this account's view: "-12.50" or "12.50". */
  signedAmount: string;
  status: TransferStatus;
  /** Failure reason of a failed IBAN payout. */
  message?: string;
  reference?: string;
  /** The back office's signature over this transaction's latest message verified. Rows are only ever built from verified messages. */
  verified: true;
  /** The user's own note and labels (kept locally, never signed, never sent). */
  note?: string;
  labels?: string[];
}

/** A user's annotation of a transaction: a free-text note and one-word labels. */
export interface TxNote {
  note: string;
  labels: string[];
}

export interface SecurityAlert {
  id: string;
  time: number;
  /** bad/missing-signature: a signed message failed verification; misbound-answer: genuine but for another account,
   * request or connection (or a replay that did not arrive whole); login-refused: a challenge the app would not sign;
   * certificate-mismatch: the server's TLS certificate is not the pinned one. */
  kind: 'bad-signature' | 'missing-signature' | 'unexpected-message' | 'misbound-answer' | 'login-refused' | 'certificate-mismatch';
  /** The message type that was refused, e.g. "transfer". */
  msg: string;
  summary: string;
  /** The summary's words by code and values (alerts.summary.* in the renderer's catalogues); optional. */
  code?: string;
  params?: Record<string, string>;
  /** The refused frame, for investigation (never applied). */
  raw: string;
}

export interface AppSnapshot {
  profileId: string | null;
  connection: ConnectionState;
  loginStep: LoginStep | null;
  address: string | null;
  /** undefined: not known yet; null: the address has no account (register). */
  account: AccountData | null | undefined;
  balances: BalanceRow[];
  /** The initial history replay has completed (the renderer fetches getTransactions then). */
  historyLoaded: boolean;
  /** Every row is verified. False while a locally cached history is checked after its newest page was shown (fetch again when it turns true). */
  historyComplete: boolean;
  /** Progress while the history is not complete: the check of a cached history (`cache`, of `total` rows), or a
   * first login's full replay from the server after its newest page (`server`, total not known until it ends). */
  historyCheck: { source: 'cache'; checked: number; total: number } | { source: 'server'; checked: number; total: null } | null;
  alerts: SecurityAlert[];
  device: DeviceStatus;
  lastError: { code: string; message: string; params?: Record<string, string> } | null;
  /** The transfer in progress (or its result until dismissed); lives in the core, not in a screen. */
  transfer: TrackedTransfer | null;
  /** Locked after inactivity: nothing is shown until the device signs again. */
  locked: boolean;
  /** Who acts for which account in which role (null before login, while locked, or when the server has no team accounts). */
  team: TeamSnapshot | null;
}

// ---- history queries (the index lives in the main process; the renderer asks for windows) -------------

export type TxSortKey = 'timestamp' | 'txid' | 'direction' | 'counterparty' | 'signedAmount' | 'status';

export interface TxFilter {
  /** Inclusive / exclusive, epoch ms (the renderer turns local calendar days into these). */
  from?: number;
  to?: number;
  currency?: string;
  direction?: 'in' | 'out';
  status?: TransferStatus;
  /** Matched against what the screen shows in `locale` (grouped amounts, spaced IBANs, dates…). */
  text?: string;
  /** The renderer's locale (BCP 47); search keys are kept in it. Default en-US. */
  locale?: string;
}

export interface TxQuery extends TxFilter {
  sort?: { key: TxSortKey; desc: boolean };
  /** The window of matching rows wanted (default 0, 100; at most 1,000 rows). */
  offset?: number;
  limit?: number;
  /** Also say where this transaction now is in the result (keeping the user's place when rows arrive above it). */
  anchorTxid?: number;
}

export interface TxPage {
  rows: TxRow[];
  offset: number;
  /** Rows matching the filter. */
  total: number;
  /** Rows in the history. */
  all: number;
  /** Index of `anchorTxid` in the result, or null. */
  anchorIndex: number | null;
  /** Changes whenever a row is added or changed. */
  version: number;
}

/** A point of the dashboard's balance chart (balance after a transaction; `y` is only a drawing coordinate). */
export interface BalanceChartPoint {
  t: number;
  amount: string;
  y: number;
}

/** What the dashboard and the other screens need of the history, without the history itself. */
export interface DeskSummary {
  /** The newest rows, newest first. */
  latest: TxRow[];
  /** Payouts still pending. */
  pending: TxRow[];
  /** Currencies with any history, the preferred one first. */
  currencies: CurrencyCode[];
  /** The balance over time per currency (at most 400 points each). */
  series: { currency: CurrencyCode; points: BalanceChartPoint[] }[];
  /** Rows in the history. */
  size: number;
  version: number;
}

// ---- transfers -------------------------------------------------------------------------------

export interface TransferDraft {
  destination: string;
  currency: string;
  amount: string;
  reference?: string;
}

export interface TransferReview {
  requestId: string;
  destination: string;
  destinationKind: 'address' | 'iban';
  currency: CurrencyCode;
  amount: string;
  reference?: string;
  /** The exact text the device will be asked to sign. */
  confirmationText: string;
  /** What the device will show: the text itself, or (older apps) its SHA-256 in upper-case hex. */
  deviceScreens: string[];
  deviceShowsHash: boolean;
  /** The destination's name in the team account's beneficiary book. */
  beneficiary?: string;
}

/** draft → review → awaiting-device → sending → sent (or, in a team account under dual control, awaiting-approval), or failed / rejected (then Retry or Edit). */
export type TransferPhase = 'draft' | 'review' | 'awaiting-device' | 'sending' | 'sent' | 'awaiting-approval' | 'failed' | 'rejected';

export interface TrackedTransfer {
  phase: TransferPhase;
  /** What the user typed, kept through every failure. */
  draft: TransferDraft;
  review: TransferReview | null;
  /** The sent transaction, kept current (a payout settling). */
  tx: TxRow | null;
  /** A team transfer the server holds until other approvers approve it (phase awaiting-approval), kept current. */
  approval?: ApprovalItem | null;
  /** Why it stopped; `where` says whether anything could have reached the server. */
  error: { code: string; message: string; params?: Record<string, string>; where?: 'device' | 'send' } | null;
  /** Retry is safe: nothing was sent (device), or the same requestId is resent (the server answers once). */
  canRetry: boolean;
  updatedAt: number;
}

/** One transaction with the proof behind it, for the detail view. */
export interface TxDetail {
  tx: TxRow;
  /** The signed message's data exactly as verified (canonical JSON). */
  signedData: string;
  /** Base64 Bitcoin message signature over signedData. */
  signature: string;
  /** The trusted back-office address whose key the signature was verified against. */
  verifiedBy: string;
}

export type TransferOutcome =
  | { status: 'sent'; tx: TxRow }
  | { status: 'awaiting-approval'; approval: ApprovalItem }
  | { status: 'rejected-on-device' }
  | { status: 'failed'; code: string; message: string };

// ---- statements ---------------------------------------------------------------------------------

export interface StatementOptions {
  /** Inclusive, epoch milliseconds. */
  from?: number;
  /** Exclusive, epoch milliseconds. */
  to?: number;
  currency?: CurrencyCode;
  status?: TransferStatus | 'all';
  /** Only these transactions are listed (History's current view: "Export these"); balances stay whole. */
  txids?: number[];
}

export const STATEMENT_FORMATS = ['csv', 'camt053', 'pdf'] as const;
/** csv: spreadsheet/accounting import; camt053: ISO 20022 camt.053.001.08 XML for ERPs; pdf: to file and sign off. */
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export interface StatementRequest extends StatementOptions {
  /** Default csv. */
  format?: StatementFormat;
}

/** Every statement is saved with `<path>.signatures.jsonl` beside it (verify with ccc-verify-statement). */
export type StatementResult = { saved: true; path: string; rows: number; format: StatementFormat; signaturesPath: string; /** the key the entries were verified against */ backOfficeKey: string } | { saved: false };

export type ReceiptResult = { saved: true; path: string; /** the transaction's signature verified against the profile's back-office key */ verified: boolean } | { saved: false };

// ---- team accounts (docs/team-treasury.md) -------------------------------------------------------------

export interface TeamSnapshot {
  /** The account the app shows and acts for: the key's own, or a company account it is a member of. */
  account: string;
  /** The key that signs (the Ledger's address). */
  member: string;
  /** The member's role in `account` (a key's own account: administrator). */
  role: Role;
  /** Acting for a company account rather than the key's own. */
  acting: boolean;
  /** The account has members besides its own key (its transfer texts name it: "from <account>"). */
  teamAccount: boolean;
  /** Waiting transfers and changes this member may approve (not their own). */
  awaitingMyApproval: number;
  /** Transfers and changes this member started that still wait for others. */
  myWaiting: number;
  /** Company accounts this profile acted for, the latest first. */
  recentAccounts: string[];
  /** The member was removed from this account while acting for it; the app shows the key's own account again. */
  removedFrom?: string;
}

export interface TeamMember {
  member: string;
  role: Role;
  addedAt: number | null;
  addedBy: string | null;
}

export interface Beneficiary {
  name: string;
  destination: string;
  destinationKind: 'address' | 'iban';
  addedAt: number;
  addedBy: string;
}

/** What the app adds to anything waiting for a decision: what the device will show, and what this member may do. */
export interface DecisionView {
  deviceScreens: string[];
  deviceShowsHash: boolean;
  /** The text is exactly what the app rebuilds from the fields shown (else nothing may be signed: the server may be lying). */
  textMatches: boolean;
  mine: boolean;
  /** What this member may do with it. */
  canApprove: boolean;
  canReject: boolean;
  canCancel: boolean;
}

/** A transfer waiting under dual control (the `approval` message's data), with exactly what the device will show. */
export interface ApprovalItem extends Omit<ApprovalData, 'account'>, DecisionView {
  destinationKind: 'address' | 'iban';
  /** Why approving is not offered: OWN_APPROVAL, ALREADY_DECIDED, ROLE_FORBIDS or TEXT_MISMATCH. */
  approveRefusal?: string;
}

/** A membership, policy or beneficiary change waiting for a second administrator. */
export interface ChangeItem extends DecisionView {
  requestId: string;
  op: AdminChangeOp;
  params: Record<string, unknown>;
  text: string;
  proposer: string;
  status: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApprovalQueue {
  policy: TeamPolicy;
  items: ApprovalItem[];
  changes: ChangeItem[];
}

/** One event of the audit trail, its back-office signature verified. */
export interface AuditEntry extends AuditEventData {
  /** The signed text (RFC 8785 JSON) and its signature, as the server sent them. */
  signedData: string;
  signature: string;
}

/** A device-signed team request: done, waiting for a second administrator, or declined on the device. */
export type TeamRequestOutcome = { status: 'done' } | { status: 'awaiting-second-admin'; requestId: string } | { status: 'rejected-on-device' };

export type AuditExportResult = { saved: true; path: string; rows: number; /** the key to check it against (ccc-verify-statement) */ backOfficeKey: string } | { saved: false };

// ---- events ----------------------------------------------------------------------------------------

export type AppEvent =
  | { type: 'snapshot'; snapshot: AppSnapshot }
  | { type: 'transaction'; tx: TxRow; live: boolean }
  | { type: 'alert'; alert: SecurityAlert }
  | { type: 'device'; status: DeviceStatus }
  | { type: 'login-step'; step: LoginStep };

/** An error crosses as its code, its English words and (optional) the values its words are built from, so
 * the renderer can say it in the user's language (errors.<code> in its catalogues). */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; params?: Record<string, string> } };

/** The API the renderer sees. Every method is async and may reject with an Error whose message is for humans and whose `code` is machine-readable. */
export interface TreasuryApi {
  listProfiles(): Promise<{ profiles: Profile[]; activeId: string | null }>;
  saveProfile(input: ProfileInput): Promise<Profile>;
  deleteProfile(id: string): Promise<void>;

  getSnapshot(): Promise<AppSnapshot>;
  getDeviceStatus(): Promise<DeviceStatus>;
  login(profileId: string): Promise<AppSnapshot>;
  logout(): Promise<void>;

  register(input: { name: string; email: string; country: string; currency: string; address?: string; phone?: string }): Promise<AccountData>;
  refreshAccount(): Promise<AccountData>;
  updateAccount(changes: { email?: string; address?: string; phone?: string; country?: string; currency?: string }): Promise<AccountData>;

  getTransactions(): Promise<TxRow[]>;
  /** A window of the history, filtered, searched and sorted by the main process's index. */
  queryTransactions(query: TxQuery): Promise<TxPage>;
  /** Every matching transaction's id, in the query's order ("Export these"). */
  queryTransactionIds(query: TxQuery): Promise<number[]>;
  /** The newest rows, pending payouts, currencies and balance chart of the history. */
  getDeskSummary(): Promise<DeskSummary>;
  prepareTransfer(draft: TransferDraft): Promise<TransferReview>;
  /** Asks the device to sign the review's confirmation text; sends only on approval. */
  confirmTransfer(requestId: string): Promise<TransferOutcome>;
  /** Cancel: from review back to the fields; while the device is asked, its later answer is ignored. */
  cancelTransfer(requestId: string): Promise<void>;
  /** Keeps the form's fields in the core so navigating away loses nothing. */
  saveTransferDraft(draft: TransferDraft): Promise<void>;
  /** After a rejection or a failure: ask the device again, or resend the same signed request. */
  retryTransfer(): Promise<TransferOutcome>;
  /** Back to the form with the same fields. */
  editTransfer(): Promise<void>;
  /** Forget the finished transfer (the form starts empty). */
  dismissTransfer(): Promise<void>;
  /** One transaction with its signed message and the key it was verified against. */
  getTransactionDetail(txid: number): Promise<TxDetail>;
  /** Sets the user's note and labels on a transaction (empty both: removes them); kept locally, never signed. */
  setTransactionNote(txid: number, note: { note?: string; labels?: string[] }): Promise<TxRow>;

  /** Lock now (also done by the core after the idle time); the screen shows nothing until unlocked. */
  lock(): Promise<void>;
  /** The device signs an unlock message for the logged-in address. */
  unlock(): Promise<void>;
  /** The renderer reports user input so the idle timer restarts (throttled by the renderer). */
  reportActivity(): Promise<void>;
  getPreferences(): Promise<DeskPreferences>;
  /** Saves the desk's preferences (the idle lock applies at once). */
  setPreferences(changes: Partial<DeskPreferences>): Promise<DeskPreferences>;

  exportStatement(request: StatementRequest): Promise<StatementResult>;
  /** A one-page PDF payment receipt for one transaction, with its signed data. */
  exportReceipt(txid: number): Promise<ReceiptResult>;
  dismissAlert(id: string): Promise<void>;

  /** The sandbox's virtual Ledger (null unless the active profile uses the virtual device on this machine). */
  getVirtualDevice(): Promise<VirtualDeviceSettings | null>;
  /** Flip the virtual Ledger's behaviour (approve / reject / locked, which app is open) to try every device state. */
  configureVirtualDevice(settings: Partial<VirtualDeviceSettings>): Promise<VirtualDeviceSettings>;

  // Team accounts (docs/team-treasury.md). Every change is signed on the device over the exact text shown.
  /** Act for a company account the key is a member of (null: the key's own account again). */
  actFor(account: string | null): Promise<AppSnapshot>;
  getTeamMembers(): Promise<TeamMember[]>;
  /** Add a member, change its role, or remove it (role 'none'). */
  setTeamMember(input: { member: string; role: Role | 'none' }): Promise<TeamRequestOutcome>;
  getTeamPolicy(): Promise<TeamPolicy>;
  setTeamPolicy(policy: TeamPolicy): Promise<TeamRequestOutcome>;
  getBeneficiaries(): Promise<Beneficiary[]>;
  addBeneficiary(input: { name: string; destination: string }): Promise<TeamRequestOutcome>;
  removeBeneficiary(destination: string): Promise<TeamRequestOutcome>;
  /** What waits for approval, each item with the device's screens and what this member may do. */
  getApprovalQueue(): Promise<ApprovalQueue>;
  /** Approve (the device signs the item's own text), reject, or cancel one's own. */
  decideApproval(input: { requestId: string; decision: 'approve' | 'reject' | 'cancel' }): Promise<TeamRequestOutcome>;
  /** The audit trail, every event's signature verified (newest last). */
  getAuditTrail(): Promise<AuditEntry[]>;
  /** The audit trail as CSV, each row with its signed data and the back office's signature. */
  exportAuditTrail(): Promise<AuditExportResult>;
}

export interface DeskPreferences {
  /** Lock after this many minutes without input; 0 = never. */
  idleLockMinutes: number;
}

export interface VirtualDeviceSettings {
  behaviour: 'approve' | 'reject' | 'locked';
  /** The virtual user takes several seconds to press the buttons (to see the waiting states). */
  slow: boolean;
  appName: string;
  appVersion: string;
}

/** Method names, shared by main (ipcMain.handle), preload and the dev bridge: nothing else crosses the boundary. */
export const TREASURY_METHODS = [
  'listProfiles',
  'saveProfile',
  'deleteProfile',
  'getSnapshot',
  'getDeviceStatus',
  'login',
  'logout',
  'register',
  'refreshAccount',
  'updateAccount',
  'getTransactions',
  'queryTransactions',
  'queryTransactionIds',
  'getDeskSummary',
  'prepareTransfer',
  'confirmTransfer',
  'cancelTransfer',
  'saveTransferDraft',
  'retryTransfer',
  'editTransfer',
  'dismissTransfer',
  'getTransactionDetail',
  'setTransactionNote',
  'lock',
  'unlock',
  'reportActivity',
  'getPreferences',
  'setPreferences',
  'exportStatement',
  'exportReceipt',
  'dismissAlert',
  'getVirtualDevice',
  'configureVirtualDevice',
  'actFor',
  'getTeamMembers',
  'setTeamMember',
  'getTeamPolicy',
  'setTeamPolicy',
  'getBeneficiaries',
  'addBeneficiary',
  'removeBeneficiary',
  'getApprovalQueue',
  'decideApproval',
  'getAuditTrail',
  'exportAuditTrail',
] as const satisfies readonly (keyof TreasuryApi)[];

export type TreasuryMethod = (typeof TREASURY_METHODS)[number];
export const TREASURY_INVOKE_CHANNEL = 'treasury:invoke';
export const TREASURY_EVENT_CHANNEL = 'treasury:event';

/** What the renderer gets on `window.treasury`. */
export interface TreasuryBridge extends TreasuryApi {
  onEvent(listener: (event: AppEvent) => void): () => void;
}
