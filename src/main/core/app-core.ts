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
  ReceiptResult,
  StatementRequest,
  StatementResult,
  TransferDraft,
  TransferOutcome,
  TransferReview,
  TreasuryBridge,
  TxRow,
  VirtualDeviceSettings,
} from '../../shared/app-api';
import type { AccountData, SignedRecord, TransferData } from '../../shared/protocol';
import { CurrencySchema, describeIssues, ReferenceSchema, RegisterParams, SetinfoParams } from '../../shared/protocol';
import { parseAmount, formatAmount } from '../../shared/money';
import { parseBitcoinAddress, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { checkIban, looksLikeIban } from '../../shared/iban';
import { confirmationText, isConfirmableReference, policyText } from '../../shared/confirmation';
import { CccClient, ClientError } from '../session/ccc-client';
import { AccountView } from '../session/account-view';
import { SettingsStore } from '../settings/settings-store';
import { buildStatement, entryOf } from '../statements/statement-model';
import { FORMAT_EXTENSION, parseStatementRequest, writeStatementFiles } from '../statements/export-statement';
import { writeReceiptPdf } from '../statements/pdf-statement';
import { Signer } from '../device/signer';
import { DeviceError, describeDeviceError } from '../device/errors';
import { createTransportOpener, watchUsbDevices } from '../device/transports';
import { SimulatedLedger, virtualDeviceAllowed } from '../device/simulated-device';

/** An error for the renderer: `code` is machine-readable, the message is plain words. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

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
}

export const SANDBOX_PROFILE_ID = 'sandbox';

export class AppCore implements TreasuryBridge {
  private readonly settings: SettingsStore;
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private profile: Profile | null = null;
  private signer: Signer | null = null;
  private client: CccClient | null = null;
  private view: AccountView | null = null;
  private account: AccountData | null | undefined = undefined;
  private historyLoaded = false;
  private alerts: SecurityAlert[] = [];
  private loginStep: LoginStep | null = null;
  private device: DeviceStatus = { state: 'disconnected' };
  private lastError: { code: string; message: string } | null = null;
  private readonly reviews = new Map<string, TransferReview>();
  private simulated: SimulatedLedger | undefined;
  private stopUsbWatch: (() => void) | null = null;

  constructor(private readonly opts: AppCoreOptions) {
    this.settings = new SettingsStore(opts.dataDir);
    this.simulated = opts.simulatedDevice;
  }

  // ---- events ----------------------------------------------------------------------------------

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: AppEvent): void {
    for (const l of this.listeners) l(e);
  }

  private changed(): void {
    this.emit({ type: 'snapshot', snapshot: this.snapshot() });
  }

  private snapshot(): AppSnapshot {
    return {
      profileId: this.profile?.id ?? null,
      connection: this.client?.state ?? 'idle',
      loginStep: this.loginStep,
      address: this.view?.address ?? null,
      account: this.account,
      balances: this.view?.balanceRows() ?? [],
      historyLoaded: this.historyLoaded,
      alerts: [...this.alerts],
      device: this.device,
      lastError: this.lastError,
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
      const err = e as Error & { code?: string };
      throw new AppError(err.code ?? 'UNKNOWN', err.message);
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

  /** The virtual device of this app (for the sandbox and tests). */
  virtualDevice(): SimulatedLedger {
    this.simulated ??= new SimulatedLedger();
    return this.simulated;
  }

  private makeSigner(profile: Profile): Signer {
    if (this.opts.openSigner) return this.opts.openSigner(profile);
    const open = createTransportOpener(profile.transport, {
      endpoint: profile.endpoint,
      simulated: profile.transport === 'virtual' ? this.virtualDevice() : undefined,
      speculosPort: profile.speculosPort,
    });
    return new Signer(open, { network: profile.network, addressKind: profile.addressKind, derivationPath: profile.derivationPath });
  }

  private step(step: LoginStep): void {
    this.loginStep = step;
    this.emit({ type: 'login-step', step });
    this.changed();
  }

  private fail(code: string, message: string): never {
    this.lastError = { code, message };
    this.changed();
    throw new AppError(code, message);
  }

  private deviceFailure(e: unknown): never {
    const err = e instanceof DeviceError ? e : new DeviceError('UNKNOWN', (e as Error).message);
    const words = describeDeviceError(err.code);
    this.device = { state: 'error', code: err.code, message: `${err.message}. ${words.action}` };
    this.emit({ type: 'device', status: this.device });
    return this.fail(err.code, `${err.message}. ${words.action}`);
  }

  /** Logs in like Ledger Live walks a device action: connect → unlock → open app → address → server → confirm on device. */
  async login(profileId: string): Promise<AppSnapshot> {
    await this.logout();
    this.lastError = null;
    const profile = await this.findProfile(profileId);
    this.profile = profile;
    let signer: Signer;
    try {
      signer = this.makeSigner(profile);
    } catch (e) {
      this.deviceFailure(e);
    }
    this.signer = signer;
    if (profile.transport === 'usb') {
      // Plug/unplug: look at the device again so the UI follows it.
      void watchUsbDevices(() => void this.signer?.status()).then((stop) => (this.stopUsbWatch = stop));
    }
    signer.onStatusChange((s) => {
      this.device = s;
      this.emit({ type: 'device', status: s });
      this.changed(); // the screens read the snapshot: "waiting on the device" must show while it waits
    });

    this.step('connect-device');
    const status = await signer.status();
    if (status.state === 'disconnected') this.deviceFailure(new DeviceError('NO_DEVICE'));
    this.step('unlock');
    if (status.state === 'locked') this.deviceFailure(new DeviceError('LOCKED'));
    this.step('open-app');
    if (status.state === 'wrong-app') this.deviceFailure(new DeviceError('WRONG_APP', `${describeDeviceError('WRONG_APP').title} (the device shows ${status.appName === 'BOLOS' ? 'the dashboard' : `the ${status.appName} app`})`));
    if (status.state === 'error') this.deviceFailure(new DeviceError(status.code, status.message));
    this.step('get-address');
    let address: string;
    try {
      address = await signer.getAddress();
    } catch (e) {
      this.deviceFailure(e);
    }
    const view = new AccountView(address);
    this.view = view;
    this.changed();

    this.step('connect-server');
    const client = new CccClient({
      endpoint: profile.endpoint,
      trustedAddress: profile.trustedAddress,
      address,
      certificateSha256: profile.certificateSha256,
      // CccClient calls this only with a login text it checked names this profile's host, once per connection.
      signChallenge: (challenge) => {
        this.step('confirm-login');
        return signer.signMessage(challenge, 'login');
      },
      requestTimeoutMs: this.opts.client?.requestTimeoutMs,
      backoff: this.opts.client?.backoff,
    });
    this.client = client;
    client.on('state', () => this.changed());
    client.on('alert', (a) => {
      this.alerts = [a, ...this.alerts].slice(0, 200);
      this.emit({ type: 'alert', alert: a });
      this.changed();
    });
    client.on('transfer', (t) => void this.onTransfer(t, true));
    client.on('authenticated', ({ reconnect }) => {
      if (reconnect) void this.afterReconnect();
    });
    client.on('reconnectError', (e) => {
      this.lastError = { code: (e as DeviceError).code ?? 'RECONNECT_FAILED', message: `Reconnecting failed: ${e.message}. Retrying…` };
      this.changed();
    });
    try {
      await client.connect();
    } catch (e) {
      this.client = null;
      if (e instanceof DeviceError) this.deviceFailure(e);
      const err = e as ClientError;
      this.fail(err.code ?? 'CONNECTION_FAILED', err.message);
    }
    this.guard(() => this.settings.setActive(profile.id));
    await this.loadAccount(true);
    await this.protectAccount(true);
    this.step('authenticated');
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
    if (!account || !client || !signer || !profile || !this.view || account.deviceConfirmation?.byAccount) return;
    if (duringLogin) this.step('protect-account');
    const requestId = crypto.randomBytes(12).toString('hex');
    const text = policyText({ account: this.view.address, requireConfirmation: true, requestId, server: profile.trustedAddress });
    try {
      const confirmation = await signer.signMessage(text, 'policy');
      this.account = await client.setPolicy({ requireConfirmation: true, requestId, confirmation });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'UNKNOWN';
      this.lastError = {
        code: 'ACCOUNT_NOT_PROTECTED',
        message:
          code === 'USER_REJECTED'
            ? 'Your account does not yet require a Ledger confirmation for every transfer (declined on the device). You will be asked again at the next login.'
            : `Your account does not yet require a Ledger confirmation for every transfer: ${(e as Error).message}. You will be asked again at the next login.`,
      };
    }
    this.changed();
  }

  private async loadAccount(initial: boolean): Promise<void> {
    const client = this.requireClient();
    try {
      this.account = await client.getinfo();
    } catch (e) {
      if ((e as ClientError).code !== 'NOT_REGISTERED') throw e;
      this.account = null;
    }
    if (this.account) {
      this.view!.preferred = this.account.currency;
      await this.refreshBalances();
      await this.fillHistory(initial);
    }
    this.changed();
  }

  private async refreshBalances(): Promise<void> {
    if (!this.client || !this.account || !this.view) return;
    this.view.applyBalance(await this.client.balance());
    this.changed();
  }

  /** Initial load: the whole history. After a reconnect: since the last seen txid (and any still-pending payout). */
  private async fillHistory(initial: boolean): Promise<void> {
    const client = this.requireClient();
    const view = this.view!;
    const from = initial ? null : view.gapFillFrom(view.lastTxid ?? this.settings.lastSeen(this.profile!.id, view.address));
    // The initial load is fetched by the renderer in one go (getTransactions); only a gap fill emits per row.
    for await (const t of client.history(from === null ? undefined : { sinceTransaction: from })) this.applyTransfer(t, false, !initial);
    this.persistLastSeen();
    if (initial) {
      this.historyLoaded = true;
      this.changed();
    }
  }

  private persistLastSeen(): void {
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
    if (emit) this.emit({ type: 'transaction', tx: row, live });
    if (live && change === 'new' && row.direction === 'in') {
      this.opts.notify?.('Deposit received', `${row.amount} ${row.currency} from ${row.counterparty}`);
    }
    // An IBAN payout settling (pending → complete / failed) is news too (the shell decides whether to show it).
    if (live && change === 'updated' && row.direction === 'out' && row.status !== 'pending') {
      this.opts.notify?.(row.status === 'complete' ? 'Payout completed' : 'Payout failed', `${row.amount} ${row.currency} to ${row.counterparty}${row.message ? ` — ${row.message}` : ''}`);
    }
    return row;
  }

  private async onTransfer(t: SignedRecord<TransferData>, live: boolean): Promise<void> {
    this.applyTransfer(t, live);
    this.persistLastSeen();
    await this.refreshBalances().catch(() => undefined);
  }

  private async afterReconnect(): Promise<void> {
    try {
      if (this.account === undefined || this.account === null) await this.loadAccount(false);
      else {
        await this.fillHistory(false);
        await this.refreshBalances();
      }
      this.lastError = null;
      this.changed();
    } catch (e) {
      this.lastError = { code: (e as ClientError).code ?? 'UNKNOWN', message: (e as Error).message };
      this.changed();
    }
  }

  async logout(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.close();
    this.stopUsbWatch?.();
    this.stopUsbWatch = null;
    await this.signer?.close();
    this.signer = null;
    this.view = null;
    this.account = undefined;
    this.historyLoaded = false;
    this.loginStep = null;
    this.reviews.clear();
    this.changed();
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
      const err = e as ClientError;
      throw new AppError(err.code ?? 'UNKNOWN', err.message);
    }
  }

  // ---- account -------------------------------------------------------------------------------------

  async register(input: { name: string; email: string; country: string; currency: string; address?: string; phone?: string }): Promise<AccountData> {
    const parsed = RegisterParams.safeParse(stripEmpty(input));
    if (!parsed.success) throw new AppError('INVALID_PARAMS', describeIssues(parsed.error));
    const account = await this.call(() => this.requireClient().register(parsed.data));
    this.account = account;
    this.historyLoaded = true; // a new account has no history
    this.view!.preferred = account.currency;
    await this.refreshBalances();
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
    return this.view?.rows() ?? [];
  }

  // ---- transfers -------------------------------------------------------------------------------------

  async prepareTransfer(draft: TransferDraft): Promise<TransferReview> {
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
        throw new AppError('REFERENCE_NOT_ASCII', 'The reference can only use plain letters A–Z, digits, spaces and punctuation, so that your Ledger can show it exactly (no accents or symbols).');
      }
      reference = r.data;
    }
    const raw = String(draft.destination ?? '').trim();
    let destination: string;
    let destinationKind: 'address' | 'iban';
    const addr = parseBitcoinAddress(raw);
    if (addr) {
      if (addr.network !== profile.network) throw new AppError('INVALID_DESTINATION', `${raw} is a ${addr.network} address; this profile is on ${profile.network}.`);
      if (raw === this.view.address) throw new AppError('SELF_TRANSFER', 'That is your own address.');
      destination = raw;
      destinationKind = 'address';
    } else {
      const iban = checkIban(raw);
      if (!iban.ok) throw new AppError(looksLikeIban(raw) ? 'INVALID_IBAN' : 'INVALID_DESTINATION', looksLikeIban(raw) ? `Invalid IBAN: ${iban.reason}.` : 'Enter a Bitcoin address of a CCC account or an IBAN.');
      destination = iban.iban;
      destinationKind = 'iban';
    }
    const requestId = crypto.randomBytes(12).toString('hex');
    const canonicalAmount = formatAmount(amount.minor, currency.data);
    const text = confirmationText({ amount: canonicalAmount, currency: currency.data, destination, reference, requestId, server: profile.trustedAddress });
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
    };
    this.reviews.set(requestId, review);
    return review;
  }

  async cancelTransfer(requestId: string): Promise<void> {
    this.reviews.delete(requestId);
  }

  /** Asks the device to sign the confirmation text; sends the transfer only after approval. */
  async confirmTransfer(requestId: string): Promise<TransferOutcome> {
    const review = this.reviews.get(requestId);
    if (!review) throw new AppError('UNKNOWN_REVIEW', 'This transfer was not prepared (or was already sent); start again.');
    const signer = this.signer;
    const client = this.client;
    if (!signer || !client) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    let confirmation: string;
    try {
      confirmation = await signer.signMessage(review.confirmationText, 'transfer');
    } catch (e) {
      const err = e instanceof DeviceError ? e : new DeviceError('UNKNOWN', (e as Error).message);
      if (err.code === 'USER_REJECTED') {
        this.reviews.delete(requestId);
        return { status: 'rejected-on-device' };
      }
      return { status: 'failed', code: err.code, message: `${describeDeviceError(err.code).title}. ${describeDeviceError(err.code).action}` };
    }
    this.reviews.delete(requestId);
    try {
      const data = await client.sendTransfer({ destination: review.destination, currency: review.currency, amount: review.amount, requestId, confirmation, reference: review.reference });
      const row = this.applyTransfer(data, true)!;
      this.persistLastSeen();
      await this.refreshBalances().catch(() => undefined);
      return { status: 'sent', tx: row };
    } catch (e) {
      const err = e as ClientError;
      return { status: 'failed', code: err.code ?? 'UNKNOWN', message: err.message };
    }
  }

  // ---- statements & alerts ----------------------------------------------------------------------------

  async exportStatement(request: StatementRequest): Promise<StatementResult> {
    const view = this.view;
    if (!view || !this.profile) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
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
    const { rows, signaturesPath } = await writeStatementFiles(statement, file, format);
    return { saved: true, path: file, rows, format, signaturesPath, backOfficeKey: statement.backOfficeKey };
  }

  async exportReceipt(txid: number): Promise<ReceiptResult> {
    const view = this.view;
    if (!view || !this.profile) throw new AppError('NOT_LOGGED_IN', 'Log in first.');
    if (!Number.isSafeInteger(txid) || txid <= 0) throw new AppError('RECEIPT_INVALID', 'A receipt needs a transaction ID (a positive whole number).');
    const row = view.rows().find((r) => r.txid === txid);
    const record = view.evidence(txid);
    if (!row || !record) throw new AppError('UNKNOWN_TRANSACTION', `Transaction ${txid} is not in this account's history.`);
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
    if (!p || p.transport !== 'virtual' || !virtualDeviceAllowed(p.endpoint)) return null;
    const d = this.virtualDevice().settings;
    return { behaviour: d.behaviour ?? 'approve', appName: d.appName ?? 'Bitcoin', appVersion: d.appVersion ?? '2.4.6' };
  }

  async configureVirtualDevice(settings: Partial<VirtualDeviceSettings>): Promise<VirtualDeviceSettings> {
    if (!(await this.getVirtualDevice())) throw new AppError('NO_VIRTUAL_DEVICE', 'The virtual device exists only for a sandbox profile on this machine.');
    const allowed: Partial<VirtualDeviceSettings> = {};
    if (settings.behaviour && ['approve', 'reject', 'locked'].includes(settings.behaviour)) allowed.behaviour = settings.behaviour;
    if (typeof settings.appName === 'string' && settings.appName.length <= 32) allowed.appName = settings.appName;
    if (typeof settings.appVersion === 'string' && /^\d+\.\d+\.\d+$/.test(settings.appVersion)) allowed.appVersion = settings.appVersion;
    this.virtualDevice().configure(allowed);
    if (this.signer) void this.signer.status();
    return (await this.getVirtualDevice())!;
  }

  async close(): Promise<void> {
    await this.logout();
  }
}

function stripEmpty<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !(typeof v === 'string' && v.trim() === '') && v !== undefined)) as T;
}
