// The app's main-process core: everything that touches keys, the network and files, behind the
// typed TreasuryApi the renderer uses. Plain Node: Electron (and the Chromium dev bridge) only
// pass calls in and events out.
import crypto from 'node:crypto';
import type {
  AppEvent,
  AppSnapshot,
  DeviceStatus,
  LoginStep,
  Profile,
  ProfileInput,
  SecurityAlert,
  SigningPurpose,
  DeskPreferences,
  ReceiptResult,
  StatementRequest,
  StatementResult,
  TransferDraft,
  TransferOutcome,
  TransferReview,
  TreasuryBridge,
  TxDetail,
  TxRow,
  TxQuery,
  TxPage,
  DeskSummary,
  VirtualDeviceSettings,
  ApprovalQueue,
  AuditEntry,
  AuditExportResult,
  Beneficiary,
  TeamMember,
  TeamRequestOutcome,
} from '../../shared/app-api';
import type { ApprovalData, Role, TeamPolicy } from '../../shared/protocol';
import { TeamSession } from './team-session';
import { TeamAccountsStore } from './team-accounts';
import { writeAuditCsv } from '../statements/audit-csv';
import type { AccountData, BoundBalance, SignedRecord, TransferData } from '../../shared/protocol';
import { CurrencySchema, describeIssues, ReferenceSchema, RegisterParams, SetinfoParams } from '../../shared/protocol';
import { parseAmount, formatAmount, parseWireAmount } from '../../shared/money';
import type { BitcoinNetwork } from '../../shared/bitcoin-address';
import { confirmationText, isConfirmableReference, policyText } from '../../shared/confirmation';
import { CccClient } from '../session/ccc-client';
import { AccountView } from '../session/account-view';
import { SettingsStore } from '../settings/settings-store';
import { buildStatement, entryOf } from '../statements/statement-model';
import { FORMAT_EXTENSION, parseStatementRequest, writeStatementFiles } from '../statements/export-statement';
import { writeReceiptPdf } from '../statements/pdf-statement';
import { Signer } from '../device/signer';
import { DeviceError } from '../device/errors';
import { createTransportOpener, watchUsbDevices } from '../device/transports';
import type { SimulatedLedger } from '../device/simulated-device';
import { isThisMachine } from '../../shared/endpoint-policy';
import { TransferTracker, TransferStateError } from './transfer-tracker';
import { HistoryCache, parseCachedLine, unreconciled, verifyInPool } from '../history/history-cache';
import { sharedVerifyPool, type VerifyPool } from '../history/verify-pool';
import { HistoryQueryIndex } from '../history/history-query';
import { IdleLock } from './idle-lock';
import { PreferencesStore } from '../settings/preferences';
import { TEMPLATE_WORDS, deviceFailureWords, deviceWordParams, deviceWords, fillWords, insufficientFunds, parseTypedAmount, plainWords } from '../../shared/plain-words';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import canonicalize from 'canonicalize';
import { CodedError, codeOf, messageOf, type WordParams } from '../../shared/errors';
import { classifyDestination } from '../../shared/destination';
import { prepareDevice } from '../device/device-action';
import { NotesStore, normaliseNote } from '../history/notes-store';

/** An error for the renderer: `code` is machine-readable, the message is plain words. */
/** An error of this layer (one family: CodedError). */
export class AppError extends CodedError {}

export interface AppCoreOptions {
  dataDir: string;
  /** The embedded sandbox server, offered as the built-in "Sandbox" profile. */
  sandbox?: { endpoint: string; trustedAddress: string; network?: BitcoinNetwork };
  /** The virtual device used by profiles with transport "virtual" (created on demand otherwise). */
  simulatedDevice?: SimulatedLedger;
  /** Opens the signer for a profile (default: createTransportOpener for its transport). */
  openSigner?: (profile: Profile) => Signer;
  /** Where to save a statement; null when the user cancelled (Electron: a native save dialog). */
  chooseSavePath: (defaultName: string) => Promise<string | null>;
  /** A desktop notification (Electron: new Notification). */
  notify?: (title: string, body: string) => void;
  /** Client tuning (tests). */
  client?: { requestTimeoutMs?: number; backoff?: { initialMs?: number; maxMs?: number } };
  /** Lock after this long without input (tests; otherwise the user's preference, 10 minutes by default). */
  idleLockMs?: number;
  /** How many of the newest history rows (cached, or asked of the server at a first login) are verified before the history is shown (default 200: more than a screen). */
  historyFirstPage?: number;
  /** Where signatures of replays and of the cache check are verified (default: the process's worker pool, one thread per core). */
  verifyPool?: VerifyPool;
  /**
   * A window shows the core (Electron, the dev bridge): the background work after the newest page (a full
   * replay, the check of the cache) waits until the screen asked for what it draws first (the desk
   * summary), then this many ms for it to be drawn — at most 2 s. That work takes every core; started
   * at once, it delayed the first screen by ~0.5 s at 100,000 rows. Without a window: no wait.
   */
  firstScreenMs?: number;
}

/** How long the sandbox's "slow" virtual user takes to press the buttons. */
const SLOW_DEVICE_MS = 6_000;

export const SANDBOX_PROFILE_ID = 'sandbox';

/** The shortest time between two snapshots sent to the screens (a burst of changes is coalesced). */
const SNAPSHOT_INTERVAL_MS = 25;

export class AppCore implements TreasuryBridge {
  private readonly settings: SettingsStore;
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private profile: Profile | null = null;
  private signer: Signer | null = null;
  private client: CccClient | null = null;
  private view: AccountView | null = null;
  private notes: NotesStore | null = null;
  /** The newest signed, bound balance of the whole account: a statement's proof that no entry is missing. */
  private lastBalance: BoundBalance | null = null;
  /** The last snapshot sent to the screens, and the one scheduled after it (changed()). */
  private lastSnapshotAt = -Infinity;
  private snapshotTimer: NodeJS.Timeout | null = null;
  /** Called when the screen asks for the desk summary (afterFirstScreen). */
  private firstScreenAsked: (() => void) | null = null;
  /** A live row's txid waiting to be written as the last one seen (persistLastSeenSoon). */
  private lastSeenTimer: NodeJS.Timeout | null = null;
  /** The balance request on its way, and the one that follows it (refreshBalances). */
  private balanceInFlight: Promise<void> | null = null;
  private balanceNext: Promise<void> | null = null;
  private account: AccountData | null | undefined = undefined;
  private historyLoaded = false;
  /** Every row of the history is verified (a cached history is checked after its newest page is shown). */
  private historyComplete = false;
  private historyCheck: AppSnapshot['historyCheck'] = null;
  /** The whole history replayed in the background after a first login's newest page (retried after a reconnect). */
  private backgroundReplay: Promise<void> | null = null;
  private readonly pool: VerifyPool;
  /** Sort and search keys of every verified row, for History's paged queries. */
  private index = new HistoryQueryIndex();
  private cache: HistoryCache | null = null;
  private alerts: SecurityAlert[] = [];
  private loginStep: LoginStep | null = null;
  private device: DeviceStatus = { state: 'disconnected' };
  private lastError: AppSnapshot['lastError'] = null;
  private readonly transfer = new TransferTracker(() => this.changed());
  /** While a signature is asked, the device's truthful state is "waiting for you", whatever a probe says. */
  private deviceAwaiting: DeviceStatus | null = null;
  private readonly idle: IdleLock;
  private readonly preferences: PreferencesStore;
  private simulated: SimulatedLedger | undefined;
  private stopUsbWatch: (() => void) | null = null;
  /** The logged-in key (the Ledger's address); the account shown is `view.address` (a company's when acting for it). */
  private member: string | null = null;
  /** Whom the key acts for, its role, and the team's lists (team-session.ts). */
  private team: TeamSession | null = null;
  private readonly teamAccounts: TeamAccountsStore;
  private recentAccounts: string[] = [];
  /** The company account the member was removed from while acting for it (said until the next act or logout). */
  private removedFrom: string | undefined;

  constructor(private readonly opts: AppCoreOptions) {
    this.settings = new SettingsStore(opts.dataDir);
    this.simulated = opts.simulatedDevice;
    this.pool = opts.verifyPool ?? sharedVerifyPool();
    this.preferences = new PreferencesStore(opts.dataDir, { idleLockMinutes: 10 });
    this.teamAccounts = new TeamAccountsStore(opts.dataDir);
    this.idle = new IdleLock(opts.idleLockMs ?? this.preferences.load().idleLockMinutes * 60_000, () => {
      // Never lock in the middle of money in motion; the timer is restarted when it is done.
      if (this.transfer.busy || !this.client) return false;
      this.changed();
      return true;
    });
  }

  // ---- events ----------------------------------------------------------------------------------

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: AppEvent): void {
    for (const l of this.listeners) l(e);
  }

  /**
   * Tells the screens the state changed. The snapshot is a state, not news: a burst of changes (thousands
   * of deposits arriving) sends it at once, then at most once per SNAPSHOT_INTERVAL_MS, always ending with
   * the newest. Sent for every change, a burst queued hundreds of MiB of stale snapshots for the renderer.
   */
  private changed(): void {
    if (this.snapshotTimer) return; // the one already scheduled reads the state when it is sent
    const wait = this.lastSnapshotAt + SNAPSHOT_INTERVAL_MS - performance.now();
    if (wait <= 0) return this.sendSnapshot();
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      this.sendSnapshot();
    }, wait);
  }

  private sendSnapshot(): void {
    this.lastSnapshotAt = performance.now();
    this.emit({ type: 'snapshot', snapshot: this.snapshot() });
  }

  private snapshot(): AppSnapshot {
    const locked = this.idle.locked && !!this.client;
    return {
      profileId: this.profile?.id ?? null,
      connection: this.client?.state ?? 'idle',
      loginStep: this.loginStep,
      address: this.view?.address ?? null,
      // Locked: nothing about the account leaves the core until the device unlocks it again.
      account: locked ? undefined : this.account,
      balances: locked ? [] : (this.view?.balanceRows() ?? []),
      historyLoaded: locked ? false : this.historyLoaded,
      historyComplete: locked ? false : this.historyComplete,
      historyCheck: this.historyCheck,
      alerts: locked ? [] : [...this.alerts],
      device: this.deviceAwaiting ?? this.device,
      lastError: this.lastError,
      transfer: locked ? null : this.transfer.current,
      locked,
      team: locked || !this.team?.available ? null : this.team.snapshot(this.recentAccounts, this.removedFrom),
    };
  }

  // ---- profiles --------------------------------------------------------------------------------

  private sandboxProfile(): Profile | null {
    const s = this.opts.sandbox;
    if (!s) return null;
    const network = s.network ?? 'mainnet';
    return {
      id: SANDBOX_PROFILE_ID,
      name: 'Sandbox (this computer)',
      endpoint: s.endpoint,
      trustedAddress: s.trustedAddress,
      transport: 'virtual',
      network,
      addressKind: 'p2wpkh',
      derivationPath: `84'/${network === 'testnet' ? 1 : 0}'/0'/0/0`,
      sandbox: true,
    };
  }

  async listProfiles(): Promise<{ profiles: Profile[]; activeId: string | null }> {
    const sandbox = this.sandboxProfile();
    const stored = this.guard(() => this.settings.load());
    return { profiles: [...(sandbox ? [sandbox] : []), ...stored.profiles], activeId: this.profile?.id ?? stored.activeProfileId ?? sandbox?.id ?? null };
  }

  async saveProfile(input: ProfileInput): Promise<Profile> {
    return this.guard(() => this.settings.saveProfile(input));
  }

  async deleteProfile(id: string): Promise<void> {
    this.guard(() => this.settings.deleteProfile(id));
  }

  private async findProfile(id: string): Promise<Profile> {
    const { profiles } = await this.listProfiles();
    const p = profiles.find((x) => x.id === id);
    if (!p) throw new AppError('PROFILE_NOT_FOUND', `No profile "${id}".`);
    return p;
  }

  /** Turns SettingsError and the like into AppError with the same code and words. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new AppError(codeOf(e), messageOf(e));
    }
  }

  // ---- device & session ---------------------------------------------------------------------------

  async getSnapshot(): Promise<AppSnapshot> {
    return this.snapshot();
  }

  async getDeviceStatus(): Promise<DeviceStatus> {
    if (!this.signer) return this.device;
    return this.signer.status();
  }

  /** The virtual device of this app (sandbox and tests); the simulator is loaded on first use, never bundled in the main chunk. */
  private async virtualDevice(): Promise<SimulatedLedger> {
    this.simulated ??= new (await import('../device/simulated-device')).SimulatedLedger();
    return this.simulated;
  }

  private async makeSigner(profile: Profile): Promise<Signer> {
    if (this.opts.openSigner) return this.opts.openSigner(profile);
    const open = createTransportOpener(profile.transport, {
      endpoint: profile.endpoint,
      simulated: profile.transport === 'virtual' && isThisMachine(profile.endpoint) ? await this.virtualDevice() : undefined,
      speculosPort: profile.speculosPort,
    });
    return new Signer(open, { network: profile.network, addressKind: profile.addressKind, derivationPath: profile.derivationPath });
  }

  private step(step: LoginStep): void {
    this.loginStep = step;
    this.emit({ type: 'login-step', step });
    this.changed();
  }

  private fail(code: string, message: string, params?: WordParams): never {
    this.lastError = params ? { code, message, params } : { code, message };
    this.changed();
    throw new AppError(code, message, params);
  }

  private deviceFailure(e: unknown, doing: 'login' | 'transfer' = 'login'): never {
    const err = e instanceof DeviceError ? e : new DeviceError('UNKNOWN', messageOf(e));
    // A rejected login must not say "Nothing was sent" (that is the transfer's wording).
    const rejected = err.code === 'USER_REJECTED';
    const message = rejected ? deviceWords(err.code, doing) : deviceFailureWords(err.code, err.message);
    // The walk to readiness names what the device shows (WRONG_APP_dashboard…); other failures are title. action.
    const params = rejected ? deviceWordParams(err.code, doing) : (err.params ?? { context: 'device' });
    this.device = { state: 'error', code: err.code, message, ...(params ? { params } : {}) };
    this.emit({ type: 'device', status: this.device });
    return this.fail(err.code, message, params);
  }

  /** Asks the device to sign; while it waits, the app says so everywhere (the sidebar too). */
  private async signOnDevice(signer: Signer, text: string, action: SigningPurpose): Promise<string> {
    try {
      return await signer.signMessage(text, action, (screens) => {
        this.deviceAwaiting = { state: 'awaiting-confirmation', action, screens };
        this.emit({ type: 'device', status: this.deviceAwaiting });
        this.changed();
      });
    } finally {
      this.deviceAwaiting = null;
      this.emit({ type: 'device', status: this.device });
      this.changed();
    }
  }

  /** Logs in like Ledger Live walks a device action: connect → unlock → open app → address → server → confirm on device. */
  async login(profileId: string): Promise<AppSnapshot> {
    await this.logout();
    this.lastError = null;
    const profile = await this.findProfile(profileId);
    this.profile = profile;
    this.pool.warm(); // the verification workers load while the device and the server are asked
    let signer: Signer;
    try {
      signer = await this.makeSigner(profile);
    } catch (e) {
      this.deviceFailure(e);
    }
    this.signer = signer;
    if (profile.transport === 'usb') {
      // Plug/unplug: look at the device again so the UI follows it.
      void watchUsbDevices(() => void this.signer?.status()).then((stop) => (this.stopUsbWatch = stop));
    }
    signer.onStatusChange((s) => {
      // "Waiting for approval" is tracked by signOnDevice (it ends when the signature settles).
      if (s.state !== 'awaiting-confirmation') this.device = s;
      this.emit({ type: 'device', status: this.deviceAwaiting ?? this.device });
      this.changed(); // the screens read the snapshot: "waiting on the device" must show while it waits
    });

    let address: string;
    try {
      ({ address } = await prepareDevice(signer, (step) => this.step(step)));
    } catch (e) {
      this.deviceFailure(e);
    }
    this.member = address;
    this.recentAccounts = this.teamAccounts.recent(profile.id, address);
    this.showAccount(address);

    this.step('connect-server');
    const client = new CccClient({
      endpoint: profile.endpoint,
      trustedAddress: profile.trustedAddress,
      address,
      certificateSha256: profile.certificateSha256,
      // CccClient calls this only with a login text it checked names this profile's host, once per connection.
      signChallenge: (challenge) => {
        this.step('confirm-login');
        return this.signOnDevice(signer, challenge, 'login');
      },
      requestTimeoutMs: this.opts.client?.requestTimeoutMs,
      backoff: this.opts.client?.backoff,
      // Replays are verified on every core; nothing is applied before its verdict.
      verifyBatch: (records) => this.pool.verifyRecords(records, profile.trustedAddress),
    });
    this.client = client;
    client.on('state', () => this.changed());
    client.on('alert', (a) => {
      this.alerts = [a, ...this.alerts].slice(0, 200);
      this.emit({ type: 'alert', alert: a });
      this.changed();
    });
    client.on('transfer', (t) => void this.onTransfer(t, true));
    client.on('team', (e) => void this.onTeamNews(e));
    client.on('authenticated', ({ reconnect }) => {
      // A reconnection signed its login on the device: the session is whole again (the screens come back).
      if (reconnect && this.loginStep === 'confirm-login') this.step('authenticated');
      if (reconnect) void this.afterReconnect();
    });
    client.on('reconnectError', (e) => {
      const code = codeOf(e, 'RECONNECT_FAILED');
      // params.then: the renderer says "Retrying…" in the user's language after the code's words.
      this.lastError = { code, message: `${plainWords(code, e.message)} Retrying…`, params: { then: 'retrying' } };
      this.changed();
    });
    try {
      await client.connect();
    } catch (e) {
      this.client = null;
      if (e instanceof DeviceError) this.deviceFailure(e);
      this.fail(codeOf(e, 'CONNECTION_FAILED'), plainWords(codeOf(e, 'CONNECTION_FAILED'), messageOf(e)), e instanceof CodedError ? e.params : undefined);
    }
    this.guard(() => this.settings.setActive(profile.id));
    this.team = await this.openTeam(null);
    await this.loadAccount(true);
    await this.protectAccount(true);
    this.step('authenticated');
    this.idle.start();
    return this.snapshot();
  }

  /**
   * Switches on the account's own policy that every transfer needs a device confirmation (a request
   * the device confirms), so a stolen session or a relayed login can never move money. Done once per
   * account; if the user declines on the device, the app says the account is not protected and asks
   * again at the next login.
   */
  private async protectAccount(duringLogin: boolean): Promise<void> {
    const account = this.account;
    const client = this.client;
    const signer = this.signer;
    const profile = this.profile;
    // A member acting for a company account does not set the company's own policy.
    if (!account || !client || !signer || !profile || !this.view || account.deviceConfirmation?.byAccount || this.team?.acting) return;
    if (duringLogin) this.step('protect-account');
    const requestId = crypto.randomBytes(12).toString('hex');
    const text = policyText({ account: this.view.address, requireConfirmation: true, requestId, server: profile.trustedAddress });
    try {
      const confirmation = await this.signOnDevice(signer, text, 'policy');
      this.account = await client.setPolicy({ requireConfirmation: true, requestId, confirmation });
    } catch (e) {
      const declined = codeOf(e) === 'USER_REJECTED';
      const params: WordParams = declined ? { context: 'declined' } : { context: 'failed', reason: messageOf(e) };
      const words = declined ? TEMPLATE_WORDS.ACCOUNT_NOT_PROTECTED_declined : TEMPLATE_WORDS.ACCOUNT_NOT_PROTECTED_failed;
      this.lastError = { code: 'ACCOUNT_NOT_PROTECTED', message: fillWords(words, params), params };
    }
    this.changed();
  }

  private async loadAccount(initial: boolean): Promise<void> {
    const client = this.requireClient();
    try {
      this.account = await client.getinfo();
    } catch (e) {
      if (codeOf(e) !== 'NOT_REGISTERED') throw e;
      this.account = null;
    }
    if (this.account) {
      this.view!.preferred = this.account.currency;
      await this.refreshBalances();
      await this.fillHistory(initial);
    }
    this.changed();
  }

  /**
   * Asks the server for the balance. One request at a time: news that arrives while one is on its way
   * (a burst of deposits) is covered by one more request after it, shared by every caller meanwhile.
   * Without this, every notification of a burst sent its own `balance` at once: beyond the gateway's
   * rate limit, and the answers, read concurrently, arrived out of order and were refused as stale.
   */
  private refreshBalances(): Promise<void> {
    if (!this.balanceInFlight) return this.askBalance();
    this.balanceNext ??= this.balanceInFlight
      .catch(() => undefined)
      .then(() => {
        this.balanceNext = null;
        return this.askBalance();
      });
    return this.balanceNext;
  }

  private askBalance(): Promise<void> {
    const asked: Promise<void> = this.fetchBalance().finally(() => {
      if (this.balanceInFlight === asked) this.balanceInFlight = null;
    });
    this.balanceInFlight = asked;
    return asked;
  }

  private async fetchBalance(): Promise<void> {
    const { client, view } = this;
    if (!client || !this.account || !view) return;
    const b = await client.boundBalance();
    if (this.client !== client || this.view !== view) return; // logged out (or in again) meanwhile
    view.applyBalance(b.data);
    this.lastBalance = b;
    this.changed();
  }

  /**
   * Initial load: from the local cache when there is one (its newest page verified and shown at once,
   * then only what is new fetched), else the whole history. After a reconnect: since the last seen txid
   * (and any still-pending payout).
   */
  private async fillHistory(initial: boolean): Promise<void> {
    const client = this.requireClient();
    const view = this.view!;
    if (initial && this.profile) {
      this.cache = new HistoryCache(this.opts.dataDir, { profileId: this.profile.id, address: view.address, trustedAddress: this.profile.trustedAddress });
      if (await this.startFromCache(this.cache)) return;
      if (await this.startFromNewestPage()) return;
    }
    const from = initial ? null : view.gapFillFrom(view.lastTxid ?? this.settings.lastSeen(this.profile!.id, view.address));
    // The initial load is fetched by the renderer in one go (getTransactions); only a gap fill emits per row.
    for await (const t of client.history(from === null ? undefined : { sinceTransaction: from })) this.applyTransfer(t, false, !initial);
    this.persistLastSeen();
    if (initial) {
      this.historyLoaded = true;
      this.historyComplete = true;
      this.saveCache();
      this.changed();
    }
  }

  /** Shows the cached history's newest page (verified) and what is new since; the rest is checked in the background. */
  private async startFromCache(cache: HistoryCache): Promise<boolean> {
    const client = this.requireClient();
    const view = this.view!;
    const profile = this.profile!;
    const lines = cache.readLines();
    if (!lines?.length) return false;
    const page = this.opts.historyFirstPage ?? 200;
    const split = Math.max(0, lines.length - page);
    let first: SignedRecord<TransferData>[];
    try {
      first = lines.slice(split).map(parseCachedLine);
    } catch {
      first = [];
    }
    if (first.length === 0 || (await this.pool.firstBadLine(lines.slice(split), profile.trustedAddress, view.address)) !== -1) {
      cache.discard();
      return false;
    }
    for (const r of first) this.applyTransfer(r, false, false);
    // Fetch from the newest cached row, or from the oldest one still pending (its settlement may be new).
    // A pending row is found by its text; a forged one only makes this fetch longer, and fails its check later.
    let from = Math.max(...first.map((r) => r.data.txid));
    for (const line of lines) {
      if (!line.includes('"status":"pending"')) continue;
      try {
        const r = parseCachedLine(line);
        if (r.data.status === 'pending' && r.data.txid < from) from = r.data.txid;
      } catch {
        // a malformed line fails the background check
      }
    }
    for await (const t of client.history({ sinceTransaction: from })) this.applyTransfer(t, false, false);
    this.persistLastSeen();
    this.historyLoaded = true;
    this.historyComplete = false;
    this.historyCheck = { source: 'cache', checked: first.length, total: lines.length };
    this.changed();
    void this.afterFirstScreen().then(() => this.checkRestOfCache(lines.slice(0, split), lines.length, view));
    return true;
  }

  /**
   * No usable cache (a first login on this computer): the newest page is asked of the server first
   * (`history` with `limit`, verified like every replay) and shown at once; the whole history is then
   * replayed in the background, verified on every core, and written to the cache.
   */
  private async startFromNewestPage(): Promise<boolean> {
    const client = this.requireClient();
    const view = this.view!;
    const page = this.opts.historyFirstPage ?? 200;
    let n = 0;
    for await (const t of client.history({ limit: page })) {
      this.applyTransfer(t, false, false);
      n++;
    }
    this.persistLastSeen();
    this.historyLoaded = true;
    if (n < page) {
      // Fewer rows than asked for: that was the whole history.
      this.historyComplete = true;
      this.saveCache();
      this.changed();
      return true;
    }
    this.historyComplete = false;
    this.historyCheck = { source: 'server', checked: view.size, total: null };
    this.changed();
    this.startBackgroundReplay(view);
    return true;
  }

  private startBackgroundReplay(view: AccountView): void {
    if (this.backgroundReplay) return;
    const run = this.replayInBackground(view).finally(() => {
      if (this.backgroundReplay === run) this.backgroundReplay = null;
    });
    this.backgroundReplay = run;
  }

  /** The whole history after the newest page; a replay cut short (connection lost) is run again after the reconnect. */
  private async replayInBackground(view: AccountView): Promise<void> {
    const gone = () => this.view !== view;
    const client = this.client;
    if (!client) return;
    // The replay's stream keeps every core busy: let the renderer fetch and draw the first screen first.
    await this.afterFirstScreen();
    if (gone()) return;
    let replayed = 0;
    try {
      for await (const t of client.history()) {
        if (gone()) return;
        this.applyTransfer(t, false, false);
        if (++replayed % 10_000 === 0) {
          this.historyCheck = { source: 'server', checked: replayed, total: null };
          this.changed();
        }
      }
    } catch (e) {
      if (gone()) return;
      const code = codeOf(e, 'HISTORY_INCOMPLETE');
      this.lastError = { code, message: plainWords(code, messageOf(e)) };
      this.changed();
      return;
    }
    if (gone()) return;
    this.persistLastSeen();
    this.historyComplete = true;
    this.historyCheck = null;
    this.saveCache();
    this.changed();
    this.warmSortOrders();
  }

  /** Resolves when the screen has had its first data and time to draw it (opts.firstScreenMs), at once without a window. */
  private afterFirstScreen(): Promise<void> {
    const drawMs = this.opts.firstScreenMs;
    if (drawMs === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(latest);
        if (this.firstScreenAsked === done) this.firstScreenAsked = null;
        setTimeout(resolve, drawMs);
      };
      const latest = setTimeout(done, 2000);
      this.firstScreenAsked = done;
    });
  }

  /** Verifies the rest of the cache in slices; a row that fails, or a total that does not match the signed balance, rebuilds from the server. */
  private async checkRestOfCache(rest: string[], total: number, view: AccountView): Promise<void> {
    const profile = this.profile!;
    const gone = () => this.view !== view;
    const firstChecked = this.historyCheck?.checked ?? 0;
    let lastReport = 0;
    const ok = await verifyInPool(
      this.pool,
      rest,
      profile.trustedAddress,
      view.address,
      (slice, checked) => {
        for (const r of slice) this.applyTransfer(r, false, false);
        this.historyCheck = { source: 'cache', checked: firstChecked + checked, total };
        if (checked - lastReport >= 10_000) {
          lastReport = checked;
          this.changed();
        }
      },
      gone,
    );
    if (gone()) return;
    try {
      if (!ok || !(await this.historyAddsUp())) await this.rebuildHistory();
    } catch (e) {
      this.lastError = { code: codeOf(e), message: plainWords(codeOf(e), messageOf(e)) };
    }
    if (gone()) return;
    this.historyComplete = true;
    this.historyCheck = null;
    this.saveCache();
    this.changed();
    this.warmSortOrders();
  }

  /** History's other sort orders, sorted in the background in small steps once the history is complete (HistoryQueryIndex.warmOrders). */
  private warmSortOrders(): void {
    const index = this.index;
    const job = index.warmOrders();
    this.sortingAhead = true;
    const next = () => {
      if (this.index === index && !job.next().done) setImmediate(next); // requests and I/O go in between
      else if (this.index === index) this.sortingAhead = false;
    };
    setTimeout(next, 500).unref?.();
  }

  /** History's sort orders are being sorted in the background (benchmarks wait for it before timing History). */
  sortingAhead = false;

  /** The history reconciles with the signed balance (asked again once, in case money moved meanwhile). */
  private async historyAddsUp(): Promise<boolean> {
    const view = this.view!;
    if (unreconciled(view.rows(), view.balanceRows()).length === 0) return true;
    await this.refreshBalances();
    return unreconciled(view.rows(), view.balanceRows()).length === 0;
  }

  /** The local copy failed its check: replay the whole history from the server (every row verified by the client). */
  private async rebuildHistory(): Promise<void> {
    this.cache?.discard();
    const client = this.requireClient();
    for await (const t of client.history()) this.applyTransfer(t, false, false);
    this.persistLastSeen();
    await this.refreshBalances();
  }

  private saveCache(): void {
    if (!this.cache || !this.view) return;
    try {
      this.cache.write(this.view.signedRecords());
    } catch {
      // A cache that cannot be written is only a slower next start.
    }
  }

  /**
   * The same for live news: written once a second at most (a burst of deposits wrote the settings file,
   * write and rename, once per deposit: 40 % of the main process's time). Written at logout too; a
   * crash in between only makes the next gap fill start a little earlier.
   */
  private persistLastSeenSoon(): void {
    if (this.lastSeenTimer) return;
    this.lastSeenTimer = setTimeout(() => {
      this.lastSeenTimer = null;
      this.persistLastSeen();
    }, 1000);
    this.lastSeenTimer.unref?.();
  }

  private persistLastSeen(): void {
    if (this.lastSeenTimer) clearTimeout(this.lastSeenTimer);
    this.lastSeenTimer = null;
    const last = this.view?.lastTxid;
    if (last != null && this.profile) {
      try {
        this.settings.setLastSeen(this.profile.id, this.view!.address, last);
      } catch {
        // A broken settings file is reported on load and never overwritten.
      }
    }
  }

  private applyTransfer(t: SignedRecord<TransferData>, live: boolean, emit = true): TxRow | null {
    const view = this.view;
    if (!view || !view.concerns(t.data)) return null; // CccClient already refused and alerted; never throw here
    const { row, change } = view.applyTransfer(t);
    if (change === 'duplicate') return row;
    this.index.upsert(row);
    if (this.historyComplete) this.cache?.append(t);
    this.transfer.txUpdated(row);
    if (emit && !this.idle.locked) this.emit({ type: 'transaction', tx: row, live });
    // While the app is locked, a desktop notification says that something arrived, never what or from whom.
    const locked = this.idle.locked;
    if (live && change === 'new' && row.direction === 'in') {
      this.opts.notify?.('Deposit received', locked ? 'Unlock CCC Treasury with your Ledger to see it.' : `${row.amount} ${row.currency} from ${row.counterparty}`);
    }
    // An IBAN payout settling (pending → complete / failed) is news too (the shell decides whether to show it).
    if (live && change === 'updated' && row.direction === 'out' && row.status !== 'pending') {
      const title = row.status === 'complete' ? 'Payout completed' : 'Payout failed';
      this.opts.notify?.(title, locked ? 'Unlock CCC Treasury with your Ledger to see it.' : `${row.amount} ${row.currency} to ${row.counterparty}${row.message ? ` — ${row.message}` : ''}`);
    }
    return row;
  }

  private async onTransfer(t: SignedRecord<TransferData>, live: boolean): Promise<void> {
    this.applyTransfer(t, live);
    this.persistLastSeenSoon();
    await this.refreshBalances().catch(() => undefined);
    // Something happened to the account outside the app: its KYC state may have changed too.
    if (this.account && !this.account.isVerified) await this.refreshAccount().catch(() => undefined);
  }

  private async afterReconnect(): Promise<void> {
    try {
      // Removed from the company account while acting for it: the session now acts for the key's own.
      if (this.team && this.client && this.client.account !== this.team.account) {
        await this.switchAccount(null);
        return;
      }
      this.team?.onNews();
      if (this.account === undefined || this.account === null) await this.loadAccount(false);
      else {
        await this.fillHistory(false);
        await this.refreshBalances();
        // A first login's background replay cut short by the drop: run it again.
        if (this.historyLoaded && !this.historyComplete && this.historyCheck?.source === 'server' && this.view) this.startBackgroundReplay(this.view);
      }
      this.lastError = null;
      this.changed();
    } catch (e) {
      this.lastError = { code: codeOf(e), message: messageOf(e) };
      this.changed();
    }
  }

  async logout(): Promise<void> {
    this.leaveAccount();
    const client = this.client;
    this.client = null;
    await client?.close();
    this.stopUsbWatch?.();
    this.stopUsbWatch = null;
    await this.signer?.close();
    this.signer = null;
    this.view = null;
    this.index = new HistoryQueryIndex();
    this.sortingAhead = false;
    this.notes = null;
    this.loginStep = null;
    this.alerts = [];
    this.lastError = null;
    this.deviceAwaiting = null;
    this.idle.stop();
    this.team?.close();
    this.team = null;
    this.member = null;
    this.removedFrom = undefined;
    this.changed();
  }

  /** Leaves the account on screen (logout, or acting for another): its local history written, what was read of it forgotten. */
  private leaveAccount(): void {
    if (this.historyComplete) this.saveCache(); // one compact file for the next start
    this.cache?.flush();
    if (this.lastSeenTimer) this.persistLastSeen();
    this.lastBalance = null;
    this.account = undefined;
    this.historyLoaded = false;
    this.historyComplete = false;
    this.historyCheck = null;
    this.backgroundReplay = null;
    this.cache = null;
    this.transfer.clear();
  }

  private requireClient(): CccClient {
    if (!this.client) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    return this.client;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError(codeOf(e), messageOf(e));
    }
  }

  // ---- account -------------------------------------------------------------------------------------

  async register(input: { name: string; email: string; country: string; currency: string; address?: string; phone?: string }): Promise<AccountData> {
    const parsed = RegisterParams.safeParse(stripEmpty(input));
    if (!parsed.success) throw new AppError('INVALID_PARAMS', describeIssues(parsed.error));
    const account = await this.call(() => this.requireClient().register(parsed.data));
    this.account = account;
    this.historyLoaded = true; // a new account has no history
    this.historyComplete = true;
    if (this.profile) {
      this.cache = new HistoryCache(this.opts.dataDir, { profileId: this.profile.id, address: this.view!.address, trustedAddress: this.profile.trustedAddress });
      this.saveCache();
    }
    this.view!.preferred = account.currency;
    await this.refreshBalances();
    await this.team?.refresh().catch(() => undefined);
    await this.protectAccount(false); // the app shell shows this step (App.tsx) while the device waits
    return this.account;
  }

  async refreshAccount(): Promise<AccountData> {
    const account = await this.call(() => this.requireClient().getinfo());
    this.account = account;
    this.changed();
    return account;
  }

  async updateAccount(changes: { email?: string; address?: string; phone?: string; country?: string; currency?: string }): Promise<AccountData> {
    const parsed = SetinfoParams.safeParse(stripEmpty(changes));
    if (!parsed.success) throw new AppError('INVALID_PARAMS', describeIssues(parsed.error));
    const account = await this.call(() => this.requireClient().setinfo(parsed.data));
    this.account = account;
    this.view!.preferred = account.currency;
    await this.refreshBalances();
    return account;
  }

  async getTransactions(): Promise<TxRow[]> {
    if (this.idle.locked) return [];
    return this.view?.rows() ?? [];
  }

  async queryTransactions(query: TxQuery): Promise<TxPage> {
    if (this.idle.locked || !this.view) return { rows: [], offset: 0, total: 0, all: 0, anchorIndex: null, version: 0 };
    return this.index.query(query ?? {});
  }

  async queryTransactionIds(query: TxQuery): Promise<number[]> {
    if (this.idle.locked || !this.view) return [];
    return this.index.ids(query ?? {});
  }

  async getDeskSummary(): Promise<DeskSummary> {
    if (this.idle.locked || !this.view) return { latest: [], pending: [], currencies: [], series: [], size: 0, version: 0 };
    const r = this.index.summary(this.view.preferred);
    this.firstScreenAsked?.();
    return r;
  }

  // ---- transfers -------------------------------------------------------------------------------------

  /**
   * Checks everything the server would refuse before the device is ever asked (logged in, online,
   * verified, a valid amount the available balance covers), then builds the review. A refused draft
   * stays in the tracker with its fields and the reason.
   */
  async prepareTransfer(draft: TransferDraft): Promise<TransferReview> {
    this.requireUnlocked();
    if (this.transfer.busy) throw new AppError('TRANSFER_STATE', plainWords('TRANSFER_STATE'));
    try {
      // A KYC approval may have landed since the account was last read (its news is a balance change
      // the core reads first): ask the server before refusing on a stale "not verified".
      if (this.account && !this.account.isVerified && this.client?.state === 'online') await this.refreshAccount().catch(() => undefined);
      const review = await this.buildReview(this.precheckTransfer(draft));
      this.transfer.review(draft, review);
      return review;
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError(codeOf(e), messageOf(e));
      const words = err.code === 'INVALID_IBAN' ? `${plainWords('INVALID_IBAN')} (${err.message.replace(/^Invalid IBAN: /, '').replace(/\.$/, '')})` : err.message;
      if (this.client) this.transfer.refuseDraft(draft, { code: err.code, message: words });
      throw new AppError(err.code, words);
    }
  }

  /** The checks that need no device: session, connection, KYC, amount and available funds. */
  private precheckTransfer(draft: TransferDraft): TransferDraft {
    if (!this.client || !this.view) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    if (this.client.state !== 'online') throw new AppError('OFFLINE', plainWords('OFFLINE'));
    if (this.account && !this.account.isVerified) throw new AppError('NOT_VERIFIED', plainWords('NOT_VERIFIED'));
    const currency = CurrencySchema.safeParse(draft?.currency);
    if (!currency.success) return draft; // buildReview explains
    const amount = parseTypedAmount(String(draft.amount ?? ''), currency.data);
    if (!amount.ok) throw new AppError('INVALID_AMOUNT', amount.message);
    // The server's balance answers what is available (balance minus holds of pending payouts).
    const available = this.view.balanceRows().find((b) => b.currency === currency.data)?.amount ?? formatAmount(0n, currency.data);
    if (parseWireAmount(available, currency.data) < amount.minor) {
      const words = insufficientFunds(amount.canonical, available, currency.data);
      throw new AppError('INSUFFICIENT_FUNDS', words.message, words.params);
    }
    return { ...draft, amount: amount.canonical };
  }

  private async buildReview(draft: TransferDraft): Promise<TransferReview> {
    const signer = this.signer;
    const profile = this.profile;
    if (!signer || !profile || !this.client || !this.view) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    const currency = CurrencySchema.safeParse(draft.currency);
    if (!currency.success) throw new AppError('INVALID_PARAMS', `currency: ${describeIssues(currency.error)}`);
    const amount = parseAmount(String(draft.amount ?? '').trim(), currency.data);
    if (!amount.ok) throw new AppError('INVALID_AMOUNT', amount.error.message);
    let reference: string | undefined;
    if (draft.reference && draft.reference.trim()) {
      const r = ReferenceSchema.safeParse(draft.reference);
      if (!r.success) throw new AppError('INVALID_PARAMS', `reference: ${describeIssues(r.error)}`);
      // The device must show the reference as typed: no accents or symbols it cannot display.
      if (!isConfirmableReference(r.data)) {
        throw new AppError('REFERENCE_NOT_ASCII', plainWords('REFERENCE_NOT_ASCII'));
      }
      reference = r.data;
    }
    const d = classifyDestination(String(draft.destination ?? ''), profile.network);
    if (!d.ok) {
      if (d.problem === 'INVALID_IBAN') throw new AppError('INVALID_IBAN', `Invalid IBAN: ${d.reason}.`);
      throw new AppError('INVALID_DESTINATION', d.problem === 'WRONG_NETWORK' ? `${d.reason}; this profile is on ${profile.network}.` : 'Enter a Bitcoin address of a CCC account or an IBAN.');
    }
    if (d.kind === 'address' && d.destination === this.view.address) throw new AppError('SELF_TRANSFER', 'That is your own address.');
    const destination = d.destination;
    const destinationKind = d.kind;
    const requestId = crypto.randomBytes(12).toString('hex');
    const canonicalAmount = formatAmount(amount.minor, currency.data);
    // A team account's text names it, whoever confirms it (docs/team-treasury.md).
    const team = this.team?.teamAccount ? this.team : null;
    const text = confirmationText({ amount: canonicalAmount, currency: currency.data, destination, reference, requestId, server: profile.trustedAddress, ...(team ? { account: team.account } : {}) });
    const beneficiary = this.team?.beneficiaryName(destination);
    let screens: { screens: string[]; showsText: boolean };
    try {
      screens = await signer.screensFor(text);
    } catch (e) {
      this.deviceFailure(e);
    }
    const review: TransferReview = {
      requestId,
      destination,
      destinationKind,
      currency: currency.data,
      amount: canonicalAmount,
      ...(reference ? { reference } : {}),
      confirmationText: text,
      deviceScreens: screens.screens,
      deviceShowsHash: !screens.showsText,
      ...(beneficiary ? { beneficiary } : {}),
    };
    return review;
  }

  async cancelTransfer(requestId: string): Promise<void> {
    if (!this.transfer.reviewFor(requestId, ['review', 'awaiting-device', 'rejected', 'failed'])) return;
    this.trackerCall(() => this.transfer.cancel());
  }

  async saveTransferDraft(draft: TransferDraft): Promise<void> {
    this.requireUnlocked();
    this.trackerCall(() => this.transfer.saveDraft(draft));
  }

  async editTransfer(): Promise<void> {
    this.trackerCall(() => this.transfer.edit());
  }

  async dismissTransfer(): Promise<void> {
    this.trackerCall(() => this.transfer.dismiss());
  }

  private trackerCall(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof TransferStateError) throw new AppError(e.code, e.message);
      throw e;
    }
  }

  /** Asks the device to sign the confirmation text; sends the transfer only after approval. */
  async confirmTransfer(requestId: string): Promise<TransferOutcome> {
    this.requireUnlocked();
    const review = this.transfer.reviewFor(requestId);
    if (!review) throw new AppError('UNKNOWN_REVIEW', plainWords('UNKNOWN_REVIEW'));
    return this.askDeviceAndSend(review);
  }

  /** After a rejection or a device failure: ask again; after a send whose outcome is unknown: resend the same request. */
  async retryTransfer(): Promise<TransferOutcome> {
    this.requireUnlocked();
    const t = this.transfer.current;
    if (!t?.review || !((t.phase === 'rejected' || t.phase === 'failed') && t.canRetry)) throw new AppError('TRANSFER_STATE', 'There is no transfer to retry.');
    if (t.phase === 'failed' && t.error?.where === 'send') {
      this.trackerCall(() => this.transfer.resend());
      return this.send(t.review, this.transfer.signature!);
    }
    return this.askDeviceAndSend(t.review);
  }

  private async askDeviceAndSend(review: TransferReview): Promise<TransferOutcome> {
    const signer = this.signer;
    const client = this.client;
    if (!signer || !client) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    // Never ask the device for what cannot be sent now.
    if (client.state !== 'online') throw new AppError('OFFLINE', plainWords('OFFLINE'));
    const attempt = this.transfer.awaitDevice();
    let confirmation: string;
    try {
      confirmation = await this.signOnDevice(signer, review.confirmationText, 'transfer');
    } catch (e) {
      const err = e instanceof DeviceError ? e : new DeviceError('UNKNOWN', messageOf(e));
      if (!this.transfer.stillWanted(attempt)) return { status: 'failed', code: 'CANCELLED', message: 'Cancelled; nothing was sent.' };
      if (err.code === 'USER_REJECTED') {
        this.transfer.rejectedOnDevice();
        return { status: 'rejected-on-device' };
      }
      const message = deviceFailureWords(err.code, err.message);
      this.transfer.failed({ code: err.code, message, params: err.params ?? { context: 'device' } }, 'device');
      return { status: 'failed', code: err.code, message };
    }
    // Cancelled while the device was asked (or logged out): the signature is thrown away, nothing is sent.
    if (!this.transfer.stillWanted(attempt)) return { status: 'failed', code: 'CANCELLED', message: 'Cancelled; nothing was sent.' };
    this.transfer.sending(confirmation);
    return this.send(review, confirmation);
  }

  private async send(review: TransferReview, confirmation: string): Promise<TransferOutcome> {
    const client = this.requireClient();
    try {
      const answer = await client.sendTransferOrApproval({ destination: review.destination, currency: review.currency, amount: review.amount, requestId: review.requestId, confirmation, reference: review.reference });
      if ('approval' in answer) return await this.awaitingApproval(answer.approval);
      const data = answer.transfer;
      const row = this.applyTransfer(data, true)!;
      this.transfer.sent(row);
      this.persistLastSeen();
      await this.refreshBalances().catch(() => undefined);
      return { status: 'sent', tx: row };
    } catch (e) {
      const code = codeOf(e);
      const err = { code, message: messageOf(e) };
      const message = plainWords(code, err.message);
      if (this.client === client) this.transfer.failed({ code, message }, 'send');
      return { status: 'failed', code, message };
    }
  }

  // ---- transaction detail, idle lock ------------------------------------------------------------------

  async setTransactionNote(txid: number, input: { note?: string; labels?: string[] }): Promise<TxRow> {
    const view = this.view;
    const notes = this.notes;
    if (!view || !notes || this.idle.locked) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    if (!Number.isSafeInteger(txid) || txid < 1) throw new AppError('INVALID_PARAMS', 'No such transaction.');
    const note = this.guard(() => normaliseNote(input ?? {}));
    if (!view.rows().some((r) => r.txid === txid)) throw new AppError('UNKNOWN_TRANSACTION', plainWords('UNKNOWN_TRANSACTION'));
    this.guard(() => notes.set(txid, note));
    const row = view.annotate(txid, note)!;
    this.index.upsert(row);
    this.emit({ type: 'transaction', tx: row, live: false });
    return row;
  }

  async getTransactionDetail(txid: number): Promise<TxDetail> {
    this.requireUnlocked();
    const view = this.view;
    const record = Number.isSafeInteger(txid) ? view?.evidence(txid) : undefined;
    const tx = record ? view!.rows().find((r) => r.txid === txid) : undefined;
    if (!record || !tx || !this.profile) throw new AppError('UNKNOWN_TRANSACTION', plainWords('UNKNOWN_TRANSACTION'));
    return { tx, signedData: canonicalize(record.data) ?? '', signature: record.signed, verifiedBy: this.profile.trustedAddress };
  }

  async lock(): Promise<void> {
    if (!this.client) return;
    if (this.transfer.busy) throw new AppError('TRANSFER_STATE', 'A transfer is waiting on your Ledger or being sent; the app locks when it is done.');
    this.idle.lockNow();
    this.changed();
  }

  /** The device signs an unlock text naming this address and the time; the signature must be this address's. */
  async unlock(): Promise<void> {
    const signer = this.signer;
    const address = this.member;
    if (!signer || !address) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    if (!this.idle.locked) return;
    const text = `Unlock CCC Treasury for ${address} at ${new Date().toISOString()}`;
    let signature: string;
    try {
      signature = await this.signOnDevice(signer, text, 'unlock');
    } catch (e) {
      const code = e instanceof DeviceError ? e.code : 'UNKNOWN';
      throw new AppError(code, code === 'USER_REJECTED' ? deviceWords(code, 'unlock') : plainWords(code, messageOf(e)), deviceWordParams(code, 'unlock'));
    }
    if (!verifyMessageSignature(text, address, signature)) throw new AppError('UNLOCK_FAILED', plainWords('UNLOCK_FAILED'));
    this.idle.unlock();
    this.changed();
  }

  async reportActivity(): Promise<void> {
    this.idle.activity();
  }

  async getPreferences(): Promise<DeskPreferences> {
    return this.preferences.load();
  }

  async setPreferences(changes: Partial<DeskPreferences>): Promise<DeskPreferences> {
    const saved = this.guard(() => this.preferences.save(changes?.idleLockMinutes === undefined ? {} : { idleLockMinutes: changes.idleLockMinutes }));
    this.idle.setTimeout(saved.idleLockMinutes * 60_000);
    return saved;
  }

  private requireUnlocked(): void {
    if (this.idle.locked && this.client) throw new AppError('LOCKED_APP', plainWords('LOCKED_APP'));
  }

  // ---- statements & alerts ----------------------------------------------------------------------------

  async exportStatement(request: StatementRequest): Promise<StatementResult> {
    const view = this.view;
    if (!view || !this.profile) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    this.requireUnlocked();
    // A statement must hold every row: not while a saved history is still being checked.
    if (!this.historyComplete) throw new AppError('HISTORY_LOADING', plainWords('HISTORY_LOADING'));
    const parsed = parseStatementRequest(request);
    if (!parsed.ok) throw new AppError('STATEMENT_INVALID', `This statement cannot be made: ${parsed.message}.`);
    const { format, ...options } = parsed.value;
    const day = new Date().toISOString().slice(0, 10);
    const file = await this.opts.chooseSavePath(`ccc-statement-${options.currency ?? 'all'}-${day}.${FORMAT_EXTENSION[format]}`);
    if (!file) return { saved: false };
    const statement = buildStatement({
      holder: { name: this.account?.name ?? null, address: view.address, iban: this.account?.iban ?? null },
      backOfficeKey: this.profile.trustedAddress,
      rows: view.rows(),
      evidence: (txid) => view.evidence(txid),
      options,
      currencies: view.preferred ? [view.preferred] : [],
    });
    // A statement of the whole account up to now carries the back office's signed balance, so an auditor can
    // tell that no entry was left out (ccc-verify-statement compares it with the signed records).
    if (this.client && this.client.state === 'online') await this.refreshBalances().catch(() => undefined);
    const whole = !options.currency && (!options.status || options.status === 'all') && !options.txids && this.lastBalance !== null && statement.to >= this.lastBalance.bind.at;
    const { rows, signaturesPath } = await writeStatementFiles(statement, file, format, { balance: whole ? this.lastBalance! : undefined });
    return { saved: true, path: file, rows, format, signaturesPath, backOfficeKey: statement.backOfficeKey };
  }

  async exportReceipt(txid: number): Promise<ReceiptResult> {
    const view = this.view;
    if (!view || !this.profile) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    if (!Number.isSafeInteger(txid) || txid <= 0) throw new AppError('RECEIPT_INVALID', plainWords('RECEIPT_INVALID'));
    const row = view.rows().find((r) => r.txid === txid);
    const record = view.evidence(txid);
    if (!row || !record) throw new AppError('UNKNOWN_TRANSACTION', plainWords('UNKNOWN_TRANSACTION'));
    const file = await this.opts.chooseSavePath(`ccc-receipt-${txid}.pdf`);
    if (!file) return { saved: false };
    const holder = { name: this.account?.name ?? null, address: view.address, iban: this.account?.iban ?? null };
    const { verified } = await writeReceiptPdf({ entry: entryOf(row, 0n, record), record, holder, backOfficeKey: this.profile.trustedAddress }, file);
    return { saved: true, path: file, verified };
  }

  async dismissAlert(id: string): Promise<void> {
    this.alerts = this.alerts.filter((a) => a.id !== id);
    this.changed();
  }

  async getVirtualDevice(): Promise<VirtualDeviceSettings | null> {
    const p = this.profile ?? this.sandboxProfile();
    if (!p || p.transport !== 'virtual' || !isThisMachine(p.endpoint)) return null;
    const d = (await this.virtualDevice()).settings;
    return { behaviour: d.behaviour ?? 'approve', slow: (d.confirmDelayMs ?? 0) > 0, appName: d.appName ?? 'Bitcoin', appVersion: d.appVersion ?? '2.4.6' };
  }

  async configureVirtualDevice(settings: Partial<VirtualDeviceSettings>): Promise<VirtualDeviceSettings> {
    if (!(await this.getVirtualDevice())) throw new AppError('NO_VIRTUAL_DEVICE', plainWords('NO_VIRTUAL_DEVICE'));
    const allowed: { behaviour?: VirtualDeviceSettings['behaviour']; appName?: string; appVersion?: string; confirmDelayMs?: number } = {};
    if (settings.behaviour && ['approve', 'reject', 'locked'].includes(settings.behaviour)) allowed.behaviour = settings.behaviour;
    if (typeof settings.appName === 'string' && settings.appName.length <= 32) allowed.appName = settings.appName;
    if (typeof settings.appVersion === 'string' && /^\d+\.\d+\.\d+$/.test(settings.appVersion)) allowed.appVersion = settings.appVersion;
    if (typeof settings.slow === 'boolean') allowed.confirmDelayMs = settings.slow ? SLOW_DEVICE_MS : 0;
    (await this.virtualDevice()).configure(allowed);
    if (this.signer) void this.signer.status();
    return (await this.getVirtualDevice())!;
  }

  // ---- team accounts (docs/team-treasury.md; the logic is in team-session.ts) ------------------------------

  /** Shows `address`'s account: a fresh view, index and notes (history, balances and cache follow in loadAccount). */
  private showAccount(address: string): void {
    const view = new AccountView(address);
    this.view = view;
    this.index = new HistoryQueryIndex();
    // The user's own notes on this account's transactions (local, never signed).
    this.notes = new NotesStore(this.opts.dataDir, this.profile!.id, address);
    for (const [txid, n] of this.notes.all()) view.annotate(txid, n);
    if (this.notes.problem) this.lastError = { code: 'NOTES_UNREADABLE', message: this.notes.problem };
    this.changed();
  }

  private async openTeam(account: string | null): Promise<TeamSession> {
    const client = this.requireClient();
    const signer = this.signer!;
    return TeamSession.open(
      {
        client,
        server: this.profile!.trustedAddress,
        member: this.member!,
        network: this.profile!.network,
        sign: (text, purpose) => this.signOnDevice(signer, text, purpose),
        screensFor: (text) => signer.screensFor(text),
        onChange: () => this.changed(),
      },
      account,
    );
  }

  /** Acts for a company account (or the key's own again) and shows it: its balances, history and team. */
  private async switchAccount(account: string | null): Promise<void> {
    const removed = this.team?.acting && this.client?.account !== this.team.account ? this.team.account : undefined;
    const team = await this.openTeam(account);
    this.leaveAccount();
    this.team?.close();
    this.team = team;
    this.removedFrom = removed;
    if (removed && this.profile && this.member) this.teamAccounts.forget(this.profile.id, this.member, removed);
    if (team.acting && this.profile && this.member) this.teamAccounts.remember(this.profile.id, this.member, team.account);
    this.recentAccounts = this.profile && this.member ? this.teamAccounts.recent(this.profile.id, this.member) : [];
    this.showAccount(team.account);
    await this.loadAccount(true);
  }

  async actFor(account: string | null): Promise<AppSnapshot> {
    this.requireUnlocked();
    if (!this.client || !this.member) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    if (this.transfer.busy) throw new AppError('TRANSFER_STATE', plainWords('TRANSFER_STATE'));
    const target = account === null || account === undefined ? null : String(account).trim();
    const d = target === null ? null : classifyDestination(target, this.profile!.network);
    if (d && !(d.ok && d.kind === 'address')) throw new AppError('INVALID_ADDRESS', plainWords('INVALID_ADDRESS'));
    try {
      await this.switchAccount(target === this.member ? null : target);
    } catch (e) {
      throw e instanceof AppError ? e : new AppError(codeOf(e), plainWords(codeOf(e), messageOf(e)));
    }
    return this.snapshot();
  }

  private requireTeam(): TeamSession {
    this.requireUnlocked();
    if (!this.team || !this.client) throw new AppError('NOT_LOGGED_IN', plainWords('NOT_LOGGED_IN'));
    return this.team;
  }

  /** A team call: its own errors and the device's keep their codes, in plain words. */
  private async teamCall<T>(fn: (team: TeamSession) => Promise<T>): Promise<T> {
    const team = this.requireTeam();
    try {
      return await fn(team);
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (e instanceof DeviceError) throw new AppError(e.code, deviceFailureWords(e.code, e.message), e.params ?? { context: 'device' });
      throw new AppError(codeOf(e), plainWords(codeOf(e), messageOf(e)));
    }
  }

  async getTeamMembers(): Promise<TeamMember[]> {
    return this.teamCall(async (t) => (await t.refresh(), t.getMembers()));
  }

  async setTeamMember(input: { member: string; role: Role | 'none' }): Promise<TeamRequestOutcome> {
    return this.teamCall((t) => t.setMember(input));
  }

  async getTeamPolicy(): Promise<TeamPolicy> {
    return this.teamCall(async (t) => (await t.refresh(), t.getPolicy()));
  }

  async setTeamPolicy(policy: TeamPolicy): Promise<TeamRequestOutcome> {
    return this.teamCall((t) => t.setPolicy(policy));
  }

  async getBeneficiaries(): Promise<Beneficiary[]> {
    return this.teamCall(async (t) => (await t.refresh(), t.getBeneficiaries()));
  }

  async addBeneficiary(input: { name: string; destination: string }): Promise<TeamRequestOutcome> {
    return this.teamCall((t) => t.addBeneficiary(input));
  }

  async removeBeneficiary(destination: string): Promise<TeamRequestOutcome> {
    return this.teamCall((t) => t.removeBeneficiary(destination));
  }

  async getApprovalQueue(): Promise<ApprovalQueue> {
    return this.teamCall((t) => t.getQueue());
  }

  async decideApproval(input: { requestId: string; decision: 'approve' | 'reject' | 'cancel' }): Promise<TeamRequestOutcome> {
    // The answer is this session's news of the decision (the others hear it as news): the tracked transfer follows it.
    const outcome = await this.teamCall((t) => t.decide(input, (answer) => void this.onTeamNews(answer)));
    // Approving may have released a transfer: its signed message updates the balances and the history.
    await this.refreshBalances().catch(() => undefined);
    return outcome;
  }

  async getAuditTrail(): Promise<AuditEntry[]> {
    return this.teamCall((t) => t.getAudit());
  }

  async exportAuditTrail(): Promise<AuditExportResult> {
    return this.teamCall(async (t) => {
      const events = await t.getAudit();
      const day = new Date().toISOString().slice(0, 10);
      const file = await this.opts.chooseSavePath(`ccc-audit-trail-${day}.csv`);
      if (!file) return { saved: false } as const;
      const { rows } = await writeAuditCsv(file, t.account, this.profile!.trustedAddress, events);
      return { saved: true, path: file, rows, backOfficeKey: this.profile!.trustedAddress } as const;
    });
  }

  /** The transfer waits for other approvers: the tracker says so (never "sent"), and the hold shows in the balance. */
  private async awaitingApproval(a: ApprovalData): Promise<TransferOutcome> {
    const item = await this.team!.approvalItem(a);
    this.transfer.awaitingApproval(item);
    this.team!.onNews();
    await this.refreshBalances().catch(() => undefined);
    return { status: 'awaiting-approval', approval: item };
  }

  /** News of a team account: a waiting transfer or change, decided or new; or the member's removal. */
  private async onTeamNews(e: { msg: string; data: unknown }): Promise<void> {
    const team = this.team;
    if (!team) return;
    if (e.msg === 'acting') return; // a removal: afterReconnect shows the key's own account
    const read = team.refresh().catch(() => undefined);
    if (e.msg !== 'approval') return;
    const news = e.data as ApprovalData;
    // A new transfer this member may approve: a desktop notification (the shell shows it when the window is not in front).
    if (news?.status === 'awaiting' && news.approvals?.length === 0 && news.initiator !== this.member && team.can('approve')) {
      const locked = this.idle.locked;
      this.opts.notify?.('Approval requested', locked ? 'Unlock CCC Treasury with your Ledger to see it.' : `${news.amount} ${news.currency} to ${news.beneficiary ?? news.destination}`);
    }
    if (news && this.transfer.current?.approval?.requestId === news.requestId) {
      // News is not signed: while the bound queue still lists the transfer as waiting, that is what is shown
      // (a forged "rejected" cannot make a waiting transfer look dead); "sent" needs its signed transaction.
      await read;
      const a = team.queued(news.requestId) ?? news;
      this.transfer.approvalUpdated(await team.approvalItem(a), (txid) => this.view?.rows().find((r) => r.txid === txid) ?? null);
    }
    await this.refreshBalances().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.logout();
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.snapshotTimer = null;
  }
}

function stripEmpty<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !(typeof v === 'string' && v.trim() === '') && v !== undefined)) as T;
}
