// The app's signer: a Ledger running the Bitcoin app, through @ledgerhq/hw-app-btc. It gets the
// address at a standard BIP32 path and signs messages (login challenges, transfer confirmations)
// so the key never touches the host. Every failure becomes a DeviceError with a typed code.
import BtcModule from '@ledgerhq/hw-app-btc';
import type TransportModule from '@ledgerhq/hw-transport';
import { secp256k1 } from '@noble/curves/secp256k1';
import type { AddressKind, BitcoinNetwork } from '../../shared/bitcoin-address';
import { addressFromPublicKey } from '../../shared/bitcoin-address';
import type { DeviceStatus, SigningPurpose } from '../../shared/app-api';
import { DeviceError, describeDeviceError, toDeviceError } from './errors';
import { checkDerivationPath } from './derivation-path';
import { readinessError } from './device-action';
import { getAppAndVersion } from '@ledgerhq/hw-app-btc/getAppAndVersion';
import { messageScreens } from './display';
import { appShowsText, showsMessageText } from '../../shared/ledger-display';

const Btc = ((BtcModule as unknown as { default?: unknown }).default ?? BtcModule) as typeof BtcModule;
type Transport = InstanceType<typeof TransportModule>;
/** hw-app-btc's name for each address kind. */
const FORMAT = { p2pkh: 'legacy', p2sh: 'p2sh', p2wpkh: 'bech32' } as const;
export type TransportOpener = () => Promise<Transport>;

export interface SignerOptions {
  network: BitcoinNetwork;
  addressKind: AddressKind;
  /** e.g. "84'/0'/0'/0/0" (a leading "m/" is accepted). */
  derivationPath: string;
  /** Timeout for quick exchanges (status, address). */
  timeoutMs?: number;
  /** Timeout while waiting for the user to approve a signature. */
  confirmTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout?.();
      reject(new DeviceError('TIMEOUT'));
    }, ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

export class Signer {
  readonly path: string;
  private transport: Transport | null = null;
  private listeners = new Set<(s: DeviceStatus) => void>();
  private lastStatus: DeviceStatus = { state: 'disconnected' };
  /** A signature is waiting on the device: a second request is refused at once (as the device would). */
  private signing = false;

  constructor(
    private readonly open: TransportOpener,
    private readonly opts: SignerOptions,
  ) {
    this.path = checkDerivationPath(opts.derivationPath, opts.addressKind, opts.network);
  }

  onStatusChange(listener: (s: DeviceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(s: DeviceStatus): DeviceStatus {
    this.lastStatus = s;
    for (const l of this.listeners) l(s);
    return s;
  }

  private async getTransport(): Promise<Transport> {
    if (this.transport) return this.transport;
    try {
      this.transport = await withTimeout(this.open(), this.opts.timeoutMs ?? 10_000);
      return this.transport;
    } catch (e) {
      throw toDeviceError(e);
    }
  }

  private async drop(): Promise<void> {
    const t = this.transport;
    this.transport = null;
    await t?.close().catch(() => undefined);
  }

  /** Runs a device action; a lost device is forgotten so the next action reconnects. */
  private async run<T>(fn: (t: Transport) => Promise<T>, timeoutMs: number): Promise<T> {
    const t = await this.getTransport();
    try {
      return await withTimeout(fn(t), timeoutMs, () => void this.drop());
    } catch (e) {
      const err = toDeviceError(e);
      if (err.code === 'UNPLUGGED' || err.code === 'NO_DEVICE' || err.code === 'TIMEOUT') await this.drop();
      throw err;
    }
  }

  /** Probes the device: connected? unlocked? which app? */
  async status(): Promise<DeviceStatus> {
    try {
      const info = await this.run((t) => getAppAndVersion(t), this.opts.timeoutMs ?? 10_000);
      const expected = this.opts.network === 'testnet' ? /^Bitcoin Test( Legacy)?$/ : /^Bitcoin( Legacy)?$/;
      if (!expected.test(info.name)) return this.emit({ state: 'wrong-app', appName: info.name });
      return this.emit({ state: 'ready', appName: info.name, appVersion: info.version, displaysText: appShowsText(info.name, info.version) });
    } catch (e) {
      const err = toDeviceError(e);
      if (err.code === 'NO_DEVICE' || err.code === 'UNPLUGGED') return this.emit({ state: 'disconnected' });
      if (err.code === 'LOCKED') return this.emit({ state: 'locked' });
      if (err.code === 'WRONG_APP') return this.emit({ state: 'wrong-app', appName: 'unknown' });
      return this.emit({ state: 'error', code: err.code, message: err.message });
    }
  }

  /** Throws the DeviceError that explains why the device is not ready, or returns its app. */
  async requireReady(): Promise<{ appName: string; appVersion: string }> {
    const s = await this.status();
    const problem = readinessError(s);
    if (problem || s.state !== 'ready') throw problem ?? new DeviceError('BUSY');
    return s;
  }

  private btc(t: Transport) {
    return new Btc({ transport: t, currency: this.opts.network === 'testnet' ? 'bitcoin_testnet' : 'bitcoin' });
  }

  /** The address at the configured path, cross-checked against the public key the device returned. */
  async getAddress(): Promise<string> {
    await this.requireReady();
    const r = await this.run((t) => this.btc(t).getWalletPublicKey(this.path, { format: FORMAT[this.opts.addressKind] }), this.opts.timeoutMs ?? 10_000);
    const compressed = secp256k1.ProjectivePoint.fromHex(r.publicKey).toRawBytes(true);
    const expected = addressFromPublicKey(compressed, this.opts.addressKind, this.opts.network);
    if (expected !== r.bitcoinAddress) throw new DeviceError('UNKNOWN', `the device returned address ${r.bitcoinAddress}, but its public key gives ${expected}`);
    return r.bitcoinAddress;
  }

  /** What the device will show for this message (text, or its hash on apps that cannot show text). */
  async screensFor(message: string): Promise<{ screens: string[]; showsText: boolean }> {
    const app = await this.requireReady();
    return { screens: messageScreens(app.appName, app.appVersion, this.path, message), showsText: showsMessageText(app.appName, app.appVersion, message) };
  }

  /** Asks the device to sign; resolves with the base64 compact signature (header 31 + recovery). */
  async signMessage(message: string, purpose: SigningPurpose, onScreens?: (screens: string[]) => void): Promise<string> {
    if (this.signing) throw new DeviceError('BUSY');
    this.signing = true;
    try {
      return await this.signNow(message, purpose, onScreens);
    } finally {
      this.signing = false;
    }
  }

  private async signNow(message: string, purpose: SigningPurpose, onScreens?: (screens: string[]) => void): Promise<string> {
    const { screens } = await this.screensFor(message);
    onScreens?.(screens);
    this.emit({ state: 'awaiting-confirmation', action: purpose, screens });
    try {
      const r = await this.run((t) => this.btc(t).signMessage(this.path, Buffer.from(message, 'utf8').toString('hex')), this.opts.confirmTimeoutMs ?? 120_000);
      const sig = Buffer.concat([Buffer.from([r.v + 27 + 4]), Buffer.from(r.r.padStart(64, '0'), 'hex'), Buffer.from(r.s.padStart(64, '0'), 'hex')]);
      if (sig.length !== 65) throw new DeviceError('UNKNOWN', 'the device returned a malformed signature');
      void this.status();
      return sig.toString('base64');
    } catch (e) {
      const err = toDeviceError(e);
      void this.status();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.drop();
  }
}
