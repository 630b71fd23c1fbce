// A thread of the signing pool (signing-pool.ts): holds the back-office keys it was given (each
// sent once) and signs texts with exactly the function the back office used before the pool
// (shared/node/message-signature.ts signMessage), so the signature format does not change.
import { parentPort } from 'node:worker_threads';
import { signMessage } from '../../shared/node/message-signature';

/** `items`: [key id, text] pairs, signed in order. */
export type ToWorker = { t: 'key'; id: number; privateKey: Uint8Array } | { t: 'sign'; id: number; items: [number, string][] };
export type FromWorker = { t: 'signed'; id: number; signatures: string[] } | { t: 'failed'; id: number; message: string };

const keys = new Map<number, Uint8Array>();
const port = parentPort;
if (!port) throw new Error('signing-worker.ts runs as a worker thread of the signing pool');
port.on('message', (m: ToWorker) => {
  if (m.t === 'key') {
    keys.set(m.id, m.privateKey);
    return;
  }
  try {
    const signatures = m.items.map(([id, text]) => {
      const key = keys.get(id);
      if (!key) throw new Error(`unknown key ${id}`);
      return signMessage(text, key);
    });
    port.postMessage({ t: 'signed', id: m.id, signatures } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ t: 'failed', id: m.id, message: (e as Error).message } satisfies FromWorker);
  }
});
