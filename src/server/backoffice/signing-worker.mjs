// A thread of the signing pool (signing-pool.ts): holds the back-office keys it was given (each
// sent once) and signs texts in the Bitcoin Signed Message format of shared/node/message-signature.ts
// signMessage — compact, compressed-key header, RFC 6979 nonce, low S — byte for byte the same
// signature (test/server/signing-pool.test.ts checks it against signMessage). Plain JavaScript
// (types in signing-worker.d.mts): a worker thread does not inherit the parent's TypeScript loader,
// and this file needs none.
//
// Why not signMessage itself: its native secp256k1 addon (libsecp256k1, used by bitcoinjs-message)
// is not context-aware, so once the main thread has loaded it, a worker thread cannot load it
// again from the same file (bitcoinjs-message would silently use a pure-JS curve, ten times slower).
// Each worker therefore loads its own instance of the addon from a private copy (a file in a
// fresh 0700 temp directory, removed once loaded), and signs with libsecp256k1 exactly as the main
// thread does. Where that fails, @noble/curves signs (pure, audited; the same bytes, about 8× slower).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parentPort, threadId } from 'node:worker_threads';
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

/** libsecp256k1 (RFC 6979 nonce, low S), from this thread's own copy of the addon; null if it cannot load. */
function loadNativeSign() {
  let dir = null;
  try {
    const addon = createRequire(import.meta.url).resolve('secp256k1/build/Release/secp256k1.node');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-signing-'));
    const copy = path.join(dir, `secp256k1-${threadId}.node`);
    fs.copyFileSync(addon, copy);
    const mod = { exports: {} };
    process.dlopen(mod, copy);
    return typeof mod.exports.sign === 'function' ? mod.exports.sign : null;
  } catch {
    return null;
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
