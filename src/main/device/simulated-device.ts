// A simulated Ledger running the Bitcoin app, at the APDU level: @ledgerhq/hw-app-btc talks to
// it through a real Transport, unchanged. It holds a real secp256k1 key tree derived from a BIP39
// seed and answers the app's real commands:
//  - app-and-version (B0 01), answered "BOLOS" on the dashboard;
//  - the NEW protocol of app-bitcoin-new >= 2.1.0 (CLA E1): GET_EXTENDED_PUBKEY, GET_WALLET_ADDRESS,
//    GET_MASTER_FINGERPRINT, SIGN_MESSAGE, with the interrupted-execution loop (SW E000) in which
//    the device asks the client for preimages and merkle proofs (CLA F8 CONTINUE_INTERRUPTED), and
//    verifies every proof;
//  - the LEGACY protocol (CLA E0) of apps < 2.1.0 and "Bitcoin Legacy": getWalletPublicKey (40),
//    signMessage (4E).
// It can be told to approve, reject, be locked, run another app, be unplugged mid-operation or never
// answer, and it records what it would have displayed. It powers the tests and the sandbox's
// "virtual device", and is never offered for a non-loopback endpoint (isThisMachine in shared/endpoint-policy).
import TransportModule from '@ledgerhq/hw-transport';
import { DisconnectedDeviceDuringOperation } from '@ledgerhq/errors';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { addressFromPublicKey, hash160, type AddressKind } from '../../shared/bitcoin-address';
import { messageScreens } from './display';
import { usesLegacyProtocol } from '../../shared/ledger-display';

// The package is CommonJS with a default export; under ESM interop it may arrive wrapped.
const Transport = ((TransportModule as unknown as { default?: unknown }).default ?? TransportModule) as typeof TransportModule;
type TransportInstance = InstanceType<typeof TransportModule>;

/** Speculos' default seed (LedgerHQ/speculos), so known-answer vectors from Ledger's own tests apply. */
export const SPECULOS_MNEMONIC =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin';

export type DeviceBehaviour = 'approve' | 'reject' | 'locked';

export interface SimulatedLedgerOptions {
  mnemonic?: string;
  /** "Bitcoin", "Bitcoin Test", "Bitcoin Legacy", "BOLOS" (dashboard), or any other app name. */
  appName?: string;
  appVersion?: string;
  behaviour?: DeviceBehaviour;
  /** Throw DisconnectedDeviceDuringOperation on the APDU after this many more exchanges. */
  unplugAfterApdus?: number;
  /** Never answer (a stuck device). */
  neverAnswer?: boolean;
  /** How long the "user" takes to press the buttons. */
  confirmDelayMs?: number;
}

export interface DisplayEntry {
  kind: 'message' | 'address';
  screens: string[];
  outcome: 'approved' | 'rejected';
}

class StatusWord extends Error {
  constructor(readonly sw: number) {
    super(`SW ${sw.toString(16)}`);
  }
}

type Interaction = Generator<Buffer, Buffer, Buffer>;

const H = 0x80000000;
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
const sha = (b: Uint8Array) => Buffer.from(sha256(b));

function varint(n: number): Buffer {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) return Buffer.from([0xfd, n & 0xff, n >> 8]);
  const b = Buffer.alloc(5);
  b[0] = 0xfe;
  b.writeUInt32LE(n, 1);
  return b;
}

function readVarint(buf: Buffer, off: number): [number, number] {
  const first = buf[off];
  if (first === undefined) throw new StatusWord(0x6a80);
  if (first < 0xfd) return [first, off + 1];
  if (first === 0xfd) return [buf.readUInt16LE(off + 1), off + 3];
  if (first === 0xfe) return [buf.readUInt32LE(off + 1), off + 5];
  throw new StatusWord(0x6a80);
}

function readPath(buf: Buffer, off: number): [number[], number] {
  const n = buf[off];
  if (n === undefined || n > 10 || buf.length < off + 1 + 4 * n) throw new StatusWord(0x6a80);
  const path: number[] = [];
  for (let i = 0; i < n; i++) path.push(buf.readUInt32BE(off + 1 + 4 * i));
  return [path, off + 1 + 4 * n];
}

export function formatPath(path: number[]): string {
  return path.map((e) => (e >= H ? `${e - H}'` : String(e))).join('/');
}

function highestPowerOf2LessThan(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** Recomputes a merkle root from a leaf hash and its proof (siblings from the bottom up), as app-bitcoin-new does. */
function merkleRootFromProof(leafHash: Buffer, proof: Buffer[], index: number, size: number): Buffer {
  const wentLeft: boolean[] = [];
  let n = size;
  let i = index;
  while (n > 1) {
    const left = highestPowerOf2LessThan(n);
    if (i < left) {
      wentLeft.push(true);
      n = left;
    } else {
      wentLeft.push(false);
      i -= left;
      n -= left;
    }
  }
  if (wentLeft.length !== proof.length) throw new StatusWord(0x6a80);
  let h = leafHash;
  for (let k = 0; k < proof.length; k++) {
    const sib = proof[k];
    const left = wentLeft[wentLeft.length - 1 - k];
    h = sha(Buffer.concat([NODE, left ? h : sib, left ? sib : h]));
  }
  return h;
}

function magicHash(message: Buffer): Buffer {
  const prefix = Buffer.from('\x18Bitcoin Signed Message:\n', 'latin1');
  return sha(sha256(Buffer.concat([prefix, varint(message.length), message])));
}

function derEncodeInt(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SimulatedLedger {
  readonly displayLog: DisplayEntry[] = [];
  /** Every APDU received (hex), for inspection. */
  readonly apduLog: string[] = [];
  private readonly master: HDKey;
  private options: Required<Omit<SimulatedLedgerOptions, 'mnemonic' | 'unplugAfterApdus'>> & { unplugAfterApdus?: number };
  private interaction: Interaction | null = null;
  private currentIns = -1;
  private legacySign: { path: number[]; length: number; data: Buffer } | null = null;
  private listeners = new Set<() => void>();

  constructor(opts: SimulatedLedgerOptions = {}) {
    this.master = HDKey.fromMasterSeed(mnemonicToSeedSync(opts.mnemonic ?? SPECULOS_MNEMONIC));
    this.options = {
      appName: opts.appName ?? 'Bitcoin',
      appVersion: opts.appVersion ?? '2.4.6',
      behaviour: opts.behaviour ?? 'approve',
      neverAnswer: opts.neverAnswer ?? false,
      confirmDelayMs: opts.confirmDelayMs ?? 0,
      unplugAfterApdus: opts.unplugAfterApdus,
    };
  }

  /** Change how the device behaves (tests and the sandbox UI flip these). */
  configure(opts: Partial<Omit<SimulatedLedgerOptions, 'mnemonic'>>): void {
    this.options = { ...this.options, ...opts };
    this.interaction = null;
    for (const l of this.listeners) l();
  }

  get settings(): Readonly<Omit<SimulatedLedgerOptions, 'mnemonic'>> {
    return { ...this.options };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async openTransport(): Promise<TransportInstance> {
    if (this.options.unplugAfterApdus === 0) throw Object.assign(new Error('No device found'), { name: 'CantOpenDevice' });
    const device = this;
    class SimulatedTransport extends Transport {
      override exchange(apdu: Buffer): Promise<Buffer> {
        return device.exchange(apdu);
      }
      override close(): Promise<void> {
        return Promise.resolve();
      }
    }
    return new SimulatedTransport();
  }

  /** The address the device derives at `path` (for tests and the sandbox). */
  addressAt(path: string, kind: AddressKind, network: 'mainnet' | 'testnet'): string {
    return addressFromPublicKey(this.master.derive(`m/${path.replace(/^m\//, '')}`).publicKey!, kind, network);
  }

  private get coinType(): number {
    return /Test/.test(this.options.appName) ? 1 : 0;
  }

  private get isBitcoinApp(): boolean {
    return /^Bitcoin( Test)?( Legacy)?$/.test(this.options.appName);
  }

  async exchange(apdu: Buffer): Promise<Buffer> {
    this.apduLog.push(apdu.toString('hex'));
    if (this.options.unplugAfterApdus !== undefined) {
      if (this.options.unplugAfterApdus <= 0) throw new DisconnectedDeviceDuringOperation('Ledger unplugged during the operation');
      this.options.unplugAfterApdus -= 1;
    }
    if (this.options.neverAnswer) return new Promise<Buffer>(() => {});
    try {
      const body = await this.dispatch(apdu);
      return Buffer.concat([body, Buffer.from([0x90, 0x00])]);
    } catch (e) {
      if (e instanceof StatusWord) {
        const sw = Buffer.alloc(2);
        sw.writeUInt16BE(e.sw);
        return sw;
      }
      if (e instanceof Interrupt) return Buffer.concat([e.request, Buffer.from([0xe0, 0x00])]);
      throw e;
    }
  }

  private async dispatch(apdu: Buffer): Promise<Buffer> {
    if (apdu.length < 5) throw new StatusWord(0x6700);
    const [cla, ins, p1, p2, lc] = apdu;
    const data = apdu.subarray(5, 5 + lc);
    if (this.options.behaviour === 'locked') throw new StatusWord(0x5515);
    if (cla === 0xb0 && ins === 0x01) return this.appAndVersion();
    if (!this.isBitcoinApp) throw new StatusWord(0x6e00); // dashboard or another app
    const legacy = usesLegacyProtocol(this.options.appName, this.options.appVersion);
    if (cla === 0xe1 || cla === 0xf8) {
      if (legacy) throw new StatusWord(0x6e00);
      if (p1 !== 0 || p2 !== 1) throw new StatusWord(0x6a86);
      return this.newProtocol(cla, ins, data);
    }
    if (cla === 0xe0) {
      if (!legacy) throw new StatusWord(0x6e00); // apps >= 2.1.0 answer any E0 command with 6E00
      return this.legacyProtocol(ins, p1, p2, data);
    }
    throw new StatusWord(0x6e00);
  }

  private appAndVersion(): Buffer {
    const name = Buffer.from(this.options.appName, 'ascii');
    const version = Buffer.from(this.options.appName === 'BOLOS' ? '2.1.0' : this.options.appVersion, 'ascii');
    return Buffer.concat([Buffer.from([1, name.length]), name, Buffer.from([version.length]), version, Buffer.from([1, 0x02])]);
  }

  // ---- the new protocol ----------------------------------------------------------------------------

  private async newProtocol(cla: number, ins: number, data: Buffer): Promise<Buffer> {
    let step: IteratorResult<Buffer, Buffer>;
    if (cla === 0xf8) {
      if (ins !== 0x01 || !this.interaction) throw new StatusWord(0xb007); // bad state
      step = this.interaction.next(data);
    } else {
      this.interaction = null;
      this.currentIns = ins;
      const gen = this.command(ins, data);
      step = gen.next(Buffer.alloc(0));
      this.interaction = gen;
    }
    if (!step.done) throw new Interrupt(step.value);
    this.interaction = null;
    if (this.currentIns === 0x10 && this.options.confirmDelayMs) await sleep(this.options.confirmDelayMs);
    return step.value;
  }

  private *command(ins: number, data: Buffer): Generator<Buffer, Buffer, Buffer> {
    switch (ins) {
      case 0x00:
        return this.getExtendedPubkey(data);
      case 0x05:
        return Buffer.from(hash160(this.master.publicKey!).subarray(0, 4));
      case 0x03:
        return yield* this.getWalletAddress(data);
      case 0x10:
        return yield* this.signMessageNew(data);
      default:
        throw new StatusWord(0x6d00);
    }
  }

  private node(path: number[]): HDKey {
    return this.master.derive(`m/${formatPath(path)}`);
  }

  private xpub(path: number[]): string {
    const versions = this.coinType === 1 ? { private: 0x04358394, public: 0x043587cf } : { private: 0x0488ade4, public: 0x0488b21e };
    const n = this.node(path);
    return new HDKey({ versions, publicKey: n.publicKey!, chainCode: n.chainCode!, depth: n.depth, index: n.index, parentFingerprint: n.parentFingerprint }).publicExtendedKey;
  }

  private checkCoinType(path: number[]): void {
    // Apps >= 2.4.3 derive standard-purpose keys only under their own coin type.
    const purposes = [44, 49, 84, 86, 48].map((p) => p + H);
    if (path.length >= 2 && purposes.includes(path[0]) && path[1] !== this.coinType + H) throw new StatusWord(0x6a82);
  }

  private getExtendedPubkey(data: Buffer): Buffer {
    const [path] = readPath(data, 1);
    if (path.length > 6) throw new StatusWord(0x6a80);
    this.checkCoinType(path);
    return Buffer.from(this.xpub(path), 'ascii');
  }

  /** GET_PREIMAGE, then GET_MORE_ELEMENTS while the preimage is incomplete; checks the hash. */
  private *getPreimage(hash: Buffer): Generator<Buffer, Buffer, Buffer> {
    const resp = yield Buffer.concat([Buffer.from([0x40, 0x00]), hash]);
    const [total, off] = readVarint(resp, 0);
    const size = resp[off];
    let preimage = Buffer.from(resp.subarray(off + 1, off + 1 + size));
    while (preimage.length < total) {
      const more = yield Buffer.from([0xa0]);
      const [count, len] = more;
      if (!count || !len) throw new StatusWord(0x6a80);
      for (let i = 0; i < count; i++) preimage = Buffer.concat([preimage, more.subarray(2 + i * len, 2 + (i + 1) * len)]);
    }
    if (preimage.length !== total || !sha(preimage).equals(hash)) throw new StatusWord(0x6a80);
    return preimage;
  }

  /** GET_MERKLE_LEAF_PROOF (+ GET_MORE_ELEMENTS), verifying the proof against the root; returns the leaf hash. */
  private *getLeafHash(root: Buffer, size: number, index: number): Generator<Buffer, Buffer, Buffer> {
    const resp = yield Buffer.concat([Buffer.from([0x41]), root, varint(size), varint(index)]);
    const leafHash = Buffer.from(resp.subarray(0, 32));
    const proofLen = resp[32];
    const n = resp[33];
    const proof: Buffer[] = [];
    for (let i = 0; i < n; i++) proof.push(Buffer.from(resp.subarray(34 + 32 * i, 66 + 32 * i)));
    while (proof.length < proofLen) {
      const more = yield Buffer.from([0xa0]);
      const [count, len] = more;
      if (len !== 32 || !count) throw new StatusWord(0x6a80);
      for (let i = 0; i < count; i++) proof.push(Buffer.from(more.subarray(2 + 32 * i, 34 + 32 * i)));
    }
    if (!merkleRootFromProof(leafHash, proof, index, size).equals(root)) throw new StatusWord(0x6a80);
    return leafHash;
  }

  private *getListElement(root: Buffer, size: number, index: number): Generator<Buffer, Buffer, Buffer> {
    const leafHash = yield* this.getLeafHash(root, size, index);
    const preimage = yield* this.getPreimage(leafHash);
    if (preimage[0] !== 0) throw new StatusWord(0x6a80);
    return preimage.subarray(1);
  }

  private *getWalletAddress(data: Buffer): Generator<Buffer, Buffer, Buffer> {
    if (data.length !== 1 + 32 + 32 + 1 + 4) throw new StatusWord(0x6a80);
    const display = data[0] === 1;
    const walletId = data.subarray(1, 33);
    const hmac = data.subarray(33, 65);
    const change = data[65];
    const index = data.readUInt32BE(66);
    if (!hmac.equals(Buffer.alloc(32))) throw new StatusWord(0x6a80); // only default (unregistered) wallets here
    if (change > 1) throw new StatusWord(0x6a80);
    const policy = yield* this.getPreimage(walletId);
    let off = 0;
    if (policy[off++] !== 0x02) throw new StatusWord(0x6a80);
    if (policy[off++] !== 0) throw new StatusWord(0x6a80); // default wallets have no name
    const [descLen, o1] = readVarint(policy, off);
    const descHash = policy.subarray(o1, o1 + 32);
    const [nKeys, o2] = readVarint(policy, o1 + 32);
    const keysRoot = policy.subarray(o2, o2 + 32);
    const descriptor = (yield* this.getPreimage(descHash)).toString('ascii');
    if (descriptor.length !== descLen) throw new StatusWord(0x6a80);
    const kinds: Record<string, { kind: AddressKind; purpose: number }> = {
      'pkh(@0/**)': { kind: 'p2pkh', purpose: 44 },
      'sh(wpkh(@0/**))': { kind: 'p2sh', purpose: 49 },
      'wpkh(@0/**)': { kind: 'p2wpkh', purpose: 84 },
    };
    const kind = kinds[descriptor];
    if (!kind || nKeys !== 1) throw new StatusWord(0x6a82);
    const keyInfo = (yield* this.getListElement(keysRoot, nKeys, 0)).toString('ascii');
    const m = /^\[([0-9a-f]{8})\/([0-9'/]+)\](\w+)$/.exec(keyInfo);
    if (!m) throw new StatusWord(0x6a80);
    const path = m[2].split('/').map((e) => (e.endsWith("'") ? parseInt(e, 10) + H : parseInt(e, 10)));
    const fingerprint = Buffer.from(hash160(this.master.publicKey!).subarray(0, 4)).toString('hex');
    // A default wallet must be this device's own standard account key.
    if (m[1] !== fingerprint || m[3] !== this.xpub(path) || path.length !== 3 || path[0] !== kind.purpose + H || path[1] !== this.coinType + H || path[2] < H) throw new StatusWord(0x6a80);
    const address = addressFromPublicKey(this.node([...path, change, index]).publicKey!, kind.kind, this.coinType === 1 ? 'testnet' : 'mainnet');
    if (display) this.displayLog.push({ kind: 'address', screens: ['Verify address', address, 'Approve'], outcome: 'approved' });
    return Buffer.from(address, 'ascii');
  }

  private *signMessageNew(data: Buffer): Generator<Buffer, Buffer, Buffer> {
    const [path, off] = readPath(data, 0);
    const [length, o2] = readVarint(data, off);
    const root = data.subarray(o2, o2 + 32);
    if (root.length !== 32) throw new StatusWord(0x6a80);
    const chunks = Math.ceil(length / 64);
    let message = Buffer.alloc(0);
    for (let i = 0; i < chunks; i++) message = Buffer.concat([message, yield* this.getListElement(root, chunks, i)]);
    if (message.length !== length) throw new StatusWord(0x6a80);
    return this.approveAndSign(path, message, 'new');
  }

  /** Shows the message, waits for the "user", and signs: 65 bytes (27 + 4 + recovery | r | s), or DER for the legacy app. */
  private approveAndSign(path: number[], message: Buffer, protocol: 'new' | 'legacy'): Buffer {
    // The device sees bytes: decide and hash on those bytes (decoding them as latin1 and re-encoding as
    // UTF-8 would show a hash the real device never shows for non-ASCII text).
    const screens = messageScreens(this.options.appName, this.options.appVersion, formatPath(path), message);
    const rejected = this.options.behaviour === 'reject';
    this.displayLog.push({ kind: 'message', screens, outcome: rejected ? 'rejected' : 'approved' });
    if (rejected) throw new StatusWord(0x6985);
    const sig = secp256k1.sign(magicHash(message), this.node(path).privateKey!);
    if (protocol === 'new') {
      const out = Buffer.alloc(65);
      out[0] = 27 + 4 + sig.recovery;
      out.set(Buffer.from(sig.r.toString(16).padStart(64, '0'), 'hex'), 1);
      out.set(Buffer.from(sig.s.toString(16).padStart(64, '0'), 'hex'), 33);
      return out;
    }
    const r = derEncodeInt(sig.r);
    const s = derEncodeInt(sig.s);
    const seq = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
    return Buffer.concat([Buffer.from([0x30 | sig.recovery, seq.length]), seq]);
  }

  // ---- the legacy protocol ---------------------------------------------------------------------------

  private async legacyProtocol(ins: number, p1: number, p2: number, data: Buffer): Promise<Buffer> {
    if (ins === 0xc4) return Buffer.alloc(0); // an old-API probe hw-app-btc uses: legacy apps accept it
    if (ins === 0x40) {
      const [path] = readPath(data, 0);
      const kinds: AddressKind[] = ['p2pkh', 'p2sh', 'p2wpkh'];
      const kind = kinds[p2];
      if (!kind) throw new StatusWord(0x6b00);
      const node = this.node(path);
      const pub = Buffer.from(secp256k1.ProjectivePoint.fromHex(node.publicKey!).toRawBytes(false));
      const address = Buffer.from(addressFromPublicKey(node.publicKey!, kind, this.coinType === 1 ? 'testnet' : 'mainnet'), 'ascii');
      if (p1 === 1) this.displayLog.push({ kind: 'address', screens: ['Verify address', address.toString('ascii'), 'Approve'], outcome: 'approved' });
      return Buffer.concat([Buffer.from([pub.length]), pub, Buffer.from([address.length]), address, Buffer.from(node.chainCode!)]);
    }
    if (ins === 0x4e) {
      if (p1 === 0x00 && p2 === 0x01) {
        const [path, off] = readPath(data, 0);
        const length = data.readUInt16BE(off);
        this.legacySign = { path, length, data: Buffer.from(data.subarray(off + 2)) };
        return Buffer.from([0x00, 0x00]); // hw-app-btc ignores this body
      }
      if (p1 === 0x00 && p2 === 0x80) {
        if (!this.legacySign) throw new StatusWord(0x6985);
        this.legacySign.data = Buffer.concat([this.legacySign.data, data]);
        return Buffer.alloc(0);
      }
      if (p1 === 0x80) {
        const pending = this.legacySign;
        this.legacySign = null;
        if (!pending || pending.data.length !== pending.length) throw new StatusWord(0x6a80);
        if (this.options.confirmDelayMs) await sleep(this.options.confirmDelayMs);
        return this.approveAndSign(pending.path, pending.data, 'legacy');
      }
      throw new StatusWord(0x6b00);
    }
    throw new StatusWord(0x6d00);
  }
}

/** Raised inside dispatch to hand a client command back with SW E000. */
class Interrupt extends Error {
  constructor(readonly request: Buffer) {
    super('interrupted');
  }
}
