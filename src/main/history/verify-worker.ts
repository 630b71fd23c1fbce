// A verification worker thread (verify-pool.ts starts one per core): answers each batch with its
// verdicts. Built as its own entry (out/main/verify-worker.cjs); in development and tests it is
// loaded through verify-worker-dev.mjs.
import { parentPort } from 'node:worker_threads';
import { runVerifyTask, type VerifyTask } from './verify-task';

parentPort!.on('message', (m: { id: number; task: VerifyTask }) => {
  let ok: Uint8Array;
  try {
    ok = runVerifyTask(m.task);
  } catch {
    ok = new Uint8Array(m.task.items.length); // nothing verified
  }
  parentPort!.postMessage({ id: m.id, ok }, [ok.buffer as ArrayBuffer]);
});
// Loaded: the pool may now send it small batches too (verify-pool.ts).
parentPort!.postMessage({ ready: true });
