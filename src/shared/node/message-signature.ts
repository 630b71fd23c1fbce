// Bitcoin message signatures (the "Bitcoin Signed Message" scheme) for login challenges,
// transfer confirmations and back-office notifications. Node only (uses Buffer).
//
// Accepted headers: 27-30 (uncompressed P2PKH), 31-34 (compressed; Electrum-style, also used
// by Ledger for every address type), 35-38 (BIP137 P2SH-P2WPKH), 39-42 (BIP137 P2WPKH).
import crypto from 'node:crypto';
import bitcoinMessage from 'bitcoinjs-message';
import secp256k1 from 'secp256k1';
import { secp256k1 as nobleSecp256k1 } from '@noble/curves/secp256k1';
import { base58check, bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha256';
import { hash160, parseBitcoinAddress } from '../bitcoin-address';

const b58 = base58check(sha256);
import { canonicalJson } from '../canonical-json';

/** The "Bitcoin Signed Message" digest: double SHA-256 of the prefix, the message's varint length and the message. */
function magicHash(message: string): Uint8Array {
  const body = Buffer.from(message, 'utf8');
  const n = body.length;
  const size = n < 0xfd ? Buffer.from([n]) : n <= 0xffff ? Buffer.from([0xfd, n & 0xff, n >> 8]) : Buffer.from([0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
  const once = crypto.createHash('sha256').update(MESSAGE_PREFIX).update(size).update(body).digest();
  return crypto.createHash('sha256').update(once).digest();
}

const MESSAGE_PREFIX = Buffer.from('\u0018Bitcoin Signed Message:\n', 'utf8');

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * True when `signature` (base64, 65 bytes) is a valid signature of `message` by the key behind `address`.
 * The rules are bitcoinjs-message's `verify` (with checkSegwitAlways for the compressed headers); the
 * public key is recovered by libsecp256k1 through its N-API binding, which, unlike the older binding
 * bitcoinjs-message loads, also runs in worker threads (main/history/verify-pool.ts).
 */
export function verifyMessageSignature(message: string, address: string, signature: string): boolean {
  const parsed = parseBitcoinAddress(address);
  if (!parsed) return false;
  let raw: Buffer;
  try {
    raw = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  if (raw.length !== 65 || raw.toString('base64') !== signature.replace(/\s/g, '')) return false;
  const header = raw[0];
  if (header < 27 || header > 42) return false;
  const flag = header - 27;
  const compressed = flag >= 4;
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.ecdsaRecover(raw.subarray(1), flag & 3, magicHash(message), compressed);
  } catch {
    return false;
  }
  const keyHash = hash160(publicKey);
  // The 20 bytes the address commits to: the witness program (P2WPKH) or the base58 payload (P2PKH, P2SH).
  const committed = parsed.kind === 'p2wpkh' ? bech32.fromWords(bech32.decode(address as `${string}1${string}`).words.slice(1)) : b58.decode(address).subarray(1);
  const redeemHash = () => hash160(Uint8Array.of(0x00, 0x14, ...keyHash)); // P2SH-P2WPKH: the script 0014{hash160(key)}
  if (flag < 4) return parsed.kind !== 'p2wpkh' && sameBytes(committed, keyHash); // 27-30: uncompressed key, legacy address
  if (flag < 8) return parsed.kind === 'p2wpkh' ? sameBytes(committed, keyHash) : sameBytes(committed, keyHash) || sameBytes(committed, redeemHash()); // 31-34: any address of the key (Electrum, Ledger)
  if (flag < 12) return parsed.kind !== 'p2wpkh' && sameBytes(committed, redeemHash()); // 35-38: BIP137 P2SH-P2WPKH
  return parsed.kind === 'p2wpkh' && sameBytes(committed, keyHash); // 39-42: BIP137 P2WPKH
}

/** Sign with a raw 32-byte private key; returns the base64 compact signature (compressed P2PKH header). */
export function signMessage(message: string, privateKey: Uint8Array): string {
  return Buffer.from(bitcoinMessage.sign(message, Buffer.from(privateKey), true)).toString('base64');
}

/** The signature of a signed message: over the RFC 8785 canonical JSON of its data. */
export function signData(data: unknown, privateKey: Uint8Array): { canonical: string; signed: string } {
  const canonical = canonicalJson(data);
  return { canonical, signed: signMessage(canonical, privateKey) };
}

export function verifySignedData(data: unknown, signed: unknown, trustedAddress: string): boolean {
  if (typeof signed !== 'string' || signed.length === 0) return false;
  let canonical: string;
  try {
    canonical = canonicalJson(data);
  } catch {
    return false;
  }
  return verifyMessageSignature(canonical, trustedAddress, signed);
}

export function generatePrivateKey(): Uint8Array {
  return nobleSecp256k1.utils.randomPrivateKey();
}
