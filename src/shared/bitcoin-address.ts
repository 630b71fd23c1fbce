// Bitcoin address parsing for the three address kinds the API accepts as identities:
// P2PKH (1… / m… n…), P2SH — meant as P2SH-P2WPKH — (3… / 2…), and native segwit P2WPKH (bc1q… / tb1q…).
// Pure JS (@scure/base + @noble/hashes) so the renderer can validate as the user types.
import { base58check, bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha256';
import { ripemd160 } from '@noble/hashes/ripemd160';

export type BitcoinNetwork = 'mainnet' | 'testnet';
export type AddressKind = 'p2pkh' | 'p2sh' | 'p2wpkh';
export type ParsedAddress = { address: string; kind: AddressKind; network: BitcoinNetwork };

const b58 = base58check(sha256);
const VERSIONS: Record<number, { kind: AddressKind; network: BitcoinNetwork }> = {
  0x00: { kind: 'p2pkh', network: 'mainnet' },
  0x05: { kind: 'p2sh', network: 'mainnet' },
  0x6f: { kind: 'p2pkh', network: 'testnet' },
  0xc4: { kind: 'p2sh', network: 'testnet' },
};

/** Returns the parsed address, or null when it is not a supported address at all. */
export function parseBitcoinAddress(input: unknown): ParsedAddress | null {
  if (typeof input !== 'string' || input.length < 26 || input.length > 90) return null;
  if (/^(bc|tb)1/i.test(input)) {
    // Mixed case is invalid in bech32; we only accept the lower-case form as an identity.
    if (input !== input.toLowerCase()) return null;
    try {
      const { prefix, words } = bech32.decode(input as `${string}1${string}`);
      if (words[0] !== 0) return null; // only witness v0 (bech32, not bech32m)
      const program = bech32.fromWords(words.slice(1));
      if (program.length !== 20) return null; // P2WPKH only; P2WSH cannot sign messages
      return { address: input, kind: 'p2wpkh', network: prefix === 'bc' ? 'mainnet' : 'testnet' };
    } catch {
      return null;
    }
  }
  try {
    const bytes = b58.decode(input);
    if (bytes.length !== 21) return null;
    const v = VERSIONS[bytes[0]];
    return v ? { address: input, ...v } : null;
  } catch {
    return null;
  }
}

export function isAddressOnNetwork(input: unknown, network: BitcoinNetwork): boolean {
  const p = parseBitcoinAddress(input);
  return p !== null && p.network === network;
}

/** hash160 = RIPEMD-160(SHA-256(x)). */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** The address of a compressed public key (33 bytes) for the given kind and network. */
export function addressFromPublicKey(publicKey: Uint8Array, kind: AddressKind, network: BitcoinNetwork = 'mainnet'): string {
  if (publicKey.length !== 33) throw new Error('expected a 33-byte compressed public key');
  const h = hash160(publicKey);
  if (kind === 'p2wpkh') return bech32.encode(network === 'mainnet' ? 'bc' : 'tb', [0, ...bech32.toWords(h)]);
  if (kind === 'p2pkh') return b58.encode(Uint8Array.of(network === 'mainnet' ? 0x00 : 0x6f, ...h));
  // P2SH-P2WPKH: the script hash of the redeem script 0014{hash160(pubkey)}.
  const redeem = Uint8Array.of(0x00, 0x14, ...h);
  return b58.encode(Uint8Array.of(network === 'mainnet' ? 0x05 : 0xc4, ...hash160(redeem)));
}
