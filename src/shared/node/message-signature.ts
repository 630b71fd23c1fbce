// Bitcoin message signatures (the "Bitcoin Signed Message" scheme) for login challenges,
// transfer confirmations and back-office notifications. Node only (uses Buffer).
//
// Accepted headers: 27-30 (uncompressed P2PKH), 31-34 (compressed; Electrum-style, also used
// by Ledger for every address type), 35-38 (BIP137 P2SH-P2WPKH), 39-42 (BIP137 P2WPKH).
import bitcoinMessage from 'bitcoinjs-message';
import { secp256k1 } from '@noble/curves/secp256k1';
import { parseBitcoinAddress } from '../bitcoin-address';
import { canonicalJson } from '../canonical-json';

/** True when `signature` (base64, 65 bytes) is a valid signature of `message` by the key behind `address`. */
export function verifyMessageSignature(message: string, address: string, signature: string): boolean {
  if (!parseBitcoinAddress(address)) return false;
  let raw: Buffer;
  try {
    raw = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  if (raw.length !== 65 || raw.toString('base64') !== signature.replace(/\s/g, '')) return false;
  const header = raw[0];
  if (header < 27 || header > 42) return false;
  try {
    // Electrum-style compressed headers say "P2PKH" even for segwit addresses: checkSegwitAlways
    // makes the library compare against every address type derivable from the recovered key.
    return bitcoinMessage.verify(message, address, raw, undefined as unknown as string, header >= 31 && header <= 34);
  } catch {
    return false;
  }
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
  return secp256k1.utils.randomPrivateKey();
}
