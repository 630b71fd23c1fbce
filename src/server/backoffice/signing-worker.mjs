// A thread of the signing pool (signing-pool.ts): holds the back-office keys it was given (each
// sent once) and signs texts in the Bitcoin Signed Message format of shared/node/message-signature.ts
// signMessage — compact, compressed-key header, RFC 6979 nonce, low S — byte for byte the same
// signature (test/server/signing-pool.test.ts checks it against signMessage). Plain JavaScript
// (types in signing-worker.d.mts): a worker thread does not inherit the parent's TypeScript loader,
// and this file needs none.
//
// Why not signMessage itself: the native secp256k1 addon bitcoinjs-message loads is not
// context-aware, so a worker thread cannot load it once the main thread has (bitcoinjs-message would
// silently use a pure-JS curve, ten times slower). Workers sign with libsecp256k1 through the newer
// N-API binding of the same library (the `secp256k1` package, also used to verify on worker threads:
// main/history/verify-pool.ts). Where that fails, @noble/curves signs (pure, audited; the same bytes,
// about 8× slower).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { secp256k1 } from '@noble/curves/secp256k1';

const PREFIX = Buffer.from('\u0018Bitcoin Signed Message:\n', 'utf8');

/** Bitcoin's variable-length integer (the length of the message in bytes). */
function varint(n) {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) {
    const b = Buffer.alloc(3);
    b[0] = 0xfd;
    b.writeUInt16LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0xfe;
  b.writeUInt32LE(n, 1);
  return b;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();

/**
 * libsecp256k1 (RFC 6979 nonce, low S) through the `secp256k1` package's N-API binding, which (unlike the
 * older binding bitcoinjs-message loads) is context-aware and loads in every worker thread; null if it
 * cannot load here.
 */
function loadNativeSign() {
  try {
    const native = createRequire(import.meta.url)('secp256k1');
    if (typeof native.ecdsaSign !== 'function') return null;
    return (hash, privateKey) => {
      const { signature, recid } = native.ecdsaSign(hash, privateKey);
      return { signature, recovery: recid };
    };
  } catch {
    return null;
  }
}

function nobleSign(hash, privateKey) {
  const sig = secp256k1.sign(hash, privateKey, { lowS: true });
  return { signature: sig.toCompactRawBytes(), recovery: sig.recovery };
}

/** Which implementation this thread signs with. */
export let signerImplementation = 'noble';
let recoverableSign = nobleSign;

/** Uses this thread's own libsecp256k1 when it loads (call once). */
export function useNativeSigner() {
  const native = loadNativeSign();
  if (native) {
    recoverableSign = native;
    signerImplementation = 'libsecp256k1';
  }
}

/** The base64 signature of `text`: header 31 + recovery id (compressed key, P2PKH), then r and s. */
export function signBitcoinMessage(text, privateKey, sign = recoverableSign) {
  const message = Buffer.from(text, 'utf8');
  const hash = sha256(sha256(Buffer.concat([PREFIX, varint(message.length), message])));
  const { signature, recovery } = sign(hash, Buffer.from(privateKey));
  const out = Buffer.alloc(65);
  out[0] = 31 + recovery;
  out.set(signature, 1);
  return out.toString('base64');
}

/** The pure-JS path alone (tests compare both paths with signMessage). */
export const signBitcoinMessageNoble = (text, privateKey) => signBitcoinMessage(text, privateKey, nobleSign);

// ---- the worker: {t:'key', id, privateKey} once per key, then {t:'sign', id, items: [[key id, text], …]} ----
const keys = new Map();
const port = parentPort;
if (port) {
  useNativeSigner();
  port.postMessage({ t: 'ready', implementation: signerImplementation });
  port.on('message', (m) => {
    if (m.t === 'key') {
      keys.set(m.id, m.privateKey);
      return;
    }
    try {
      const signatures = m.items.map(([id, text]) => {
        const key = keys.get(id);
        if (!key) throw new Error(`unknown key ${id}`);
        return signBitcoinMessage(text, key);
      });
      port.postMessage({ t: 'signed', id: m.id, signatures });
    } catch (e) {
      port.postMessage({ t: 'failed', id: m.id, message: e.message });
    }
  });
}
