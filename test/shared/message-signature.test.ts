// verifyMessageSignature (libsecp256k1 through N-API, so that it also runs in worker threads) gives
// exactly bitcoinjs-message's verdicts: every header class (uncompressed, compressed for any address of
// the key, BIP137 P2SH-P2WPKH and P2WPKH), every address kind on both networks, and altered messages,
// signatures, headers and addresses.
import crypto from 'node:crypto';
import bitcoinMessage from 'bitcoinjs-message';
import { secp256k1 } from '@noble/curves/secp256k1';
import { describe, expect, it } from 'vitest';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';
import { addressFromPublicKey, type AddressKind, type BitcoinNetwork } from '../../src/shared/bitcoin-address';

function reference(message: string, address: string, signature: string): boolean {
  try {
    const raw = Buffer.from(signature, 'base64');
    return bitcoinMessage.verify(message, address, raw, undefined as unknown as string, raw[0] >= 31 && raw[0] <= 34);
  } catch {
    return false;
  }
}

const KINDS: AddressKind[] = ['p2pkh', 'p2sh', 'p2wpkh'];
const NETWORKS: BitcoinNetwork[] = ['mainnet', 'testnet'];

describe('verifyMessageSignature', () => {
  it('agrees with bitcoinjs-message on every header class, address kind and tampering', () => {
    let checked = 0;
    let valid = 0;
    for (let k = 0; k < 6; k++) {
      const priv = secp256k1.utils.randomPrivateKey();
      const other = secp256k1.utils.randomPrivateKey();
      const pub = secp256k1.getPublicKey(priv, true);
      const addresses = NETWORKS.flatMap((n) => KINDS.map((kind) => addressFromPublicKey(pub, kind, n)));
      const strangers = NETWORKS.flatMap((n) => KINDS.map((kind) => addressFromPublicKey(secp256k1.getPublicKey(other, true), kind, n)));
      const message = k === 5 ? 'x'.repeat(300) : `CCC login ${crypto.randomBytes(8).toString('hex')} ünïcødé`; // a 3-byte varint length too
      const signatures = [
        bitcoinMessage.sign(message, Buffer.from(priv), false), // 27-30
        bitcoinMessage.sign(message, Buffer.from(priv), true), // 31-34
        bitcoinMessage.sign(message, Buffer.from(priv), true, { segwitType: 'p2sh(p2wpkh)' }), // 35-38
        bitcoinMessage.sign(message, Buffer.from(priv), true, { segwitType: 'p2wpkh' }), // 39-42
      ].map((b) => Buffer.from(b).toString('base64'));
      const variants = signatures.flatMap((sig) => {
        const raw = Buffer.from(sig, 'base64');
        const flipped = Buffer.from(raw);
        flipped[20] ^= 1;
        const headers = [27, 31, 35, 39].map((h) => {
          const x = Buffer.from(raw);
          x[0] = h + ((raw[0] - 27) & 3);
          return x.toString('base64');
        });
        return [sig, flipped.toString('base64'), ...headers];
      });
      for (const sig of variants) {
        for (const address of [...addresses, ...strangers]) {
          for (const m of [message, `${message}.`]) {
            const want = reference(m, address, sig);
            expect(verifyMessageSignature(m, address, sig), `${address} ${sig.slice(0, 8)}`).toBe(want);
            checked++;
            if (want) valid++;
          }
        }
      }
    }
    expect(valid).toBeGreaterThan(100); // the valid cases are really exercised, not only refusals
    expect(checked).toBeGreaterThan(2000);
  });

  it('refuses what is not a signature', () => {
    const priv = secp256k1.utils.randomPrivateKey();
    const address = addressFromPublicKey(secp256k1.getPublicKey(priv, true), 'p2wpkh');
    const sig = Buffer.from(bitcoinMessage.sign('hello', Buffer.from(priv), true)).toString('base64');
    expect(verifyMessageSignature('hello', address, sig)).toBe(true);
    expect(verifyMessageSignature('hello', address, sig.slice(4))).toBe(false);
    expect(verifyMessageSignature('hello', address, `${sig}AAAA`)).toBe(false);
    expect(verifyMessageSignature('hello', address, Buffer.alloc(65).toString('base64'))).toBe(false);
    expect(verifyMessageSignature('hello', 'not an address', sig)).toBe(false);
    const high = Buffer.from(sig, 'base64');
    high[0] = 43;
    expect(verifyMessageSignature('hello', address, high.toString('base64'))).toBe(false);
  });
});
