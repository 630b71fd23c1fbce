// Signature verification on every core: a small pool of worker threads (one per available core)
// that check batches of signed messages against the trusted back-office key, so a full history
// replay and the background check of the local cache no longer run on the main process's event
// loop one signature at a time. Callers keep order themselves (await the batches in the order they
// were submitted) and apply nothing before its verdict. If no worker can start (a packaging
// problem), the same checks run inline: slower, never skipped.
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SignedRecord, TransferData } from '../../shared/protocol';
import { runVerifyTask, type VerifyTask } from './verify-task';

interface Job {
  id: number;
  task: VerifyTask;
  resolve: (ok: Uint8Array) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** The worker has loaded its code (its first message); until then a small batch is checked inline. */
  ready: boolean;
}

/** A batch this small is checked on the main thread rather than wait for a worker still starting (tens of ms inline, a worker's start takes longer). */
const INLINE_WHILE_STARTING = 256;

/** The worker's entry: the built one beside the bundle, else the TypeScript source through tsx. */
function workerEntry(): { file: URL; workerData?: unknown } {
  const built = new URL('./verify-worker.cjs', import.meta.url);
  if (built.protocol === 'file:' && fs.existsSync(fileURLToPath(built))) return { file: built };
  return { file: new URL('./verify-worker-dev.mjs', import.meta.url), workerData: { entry: new URL('./verify-worker.ts', import.meta.url).href } };
}

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private broken = false;
  /** What the pool did (benchmarks, tests). */
  readonly stats = { batches: 0, items: 0, inlineBatches: 0, threadIds: new Set<number>(), readyWorkers: 0 };

  constructor(readonly size = Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)) {}

  /** Verdicts for replayed messages (signature only), in order. */
  async verifyRecords(items: SignedRecord<TransferData>[], trustedAddress: string): Promise<boolean[]> {
    const ok = await this.run({ kind: 'records', trustedAddress, items });
    return Array.from(ok, (v) => v === 1);
  }

  /** Index of the first cached line that is malformed, foreign or not signed by the back office; -1 if all pass. */
  async firstBadLine(items: string[], trustedAddress: string, address: string): Promise<number> {
    const ok = await this.run({ kind: 'lines', trustedAddress, address, items });
    return ok.indexOf(0);
  }

  /** Starts every worker now (at login, beside the device and the server), so the first replay finds them ready. */
  warm(): void {
    while (!this.broken && this.slots.length < this.size) if (!this.start()) return;
  }

  run(task: VerifyTask): Promise<Uint8Array> {
    this.stats.batches++;
    this.stats.items += task.items.length;
    if (task.items.length === 0) return Promise.resolve(new Uint8Array(0));
    if (this.broken) return this.inline(task);
    // The newest page of a first login: not kept waiting for a worker that is still loading.
    if (task.items.length <= INLINE_WHILE_STARTING && !this.slots.some((s) => s.ready)) {
      if (this.slots.length < this.size) this.warm();
      return this.inline(task);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.nextId, task, resolve, reject });
      this.dispatch();
    });
  }

  private inline(task: VerifyTask): Promise<Uint8Array> {
    this.stats.inlineBatches++;
    return new Promise((resolve) => setImmediate(() => resolve(runVerifyTask(task))));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.start();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // the process waits for an answer it is owed
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
  }

  private start(): Slot | undefined {
    let worker: Worker;
    try {
      const entry = workerEntry();
      worker = new Worker(entry.file, { workerData: entry.workerData });
    } catch {
      this.fallBackInline();
      return undefined;
    }
    const slot: Slot = { worker, job: null, ready: false };
    this.stats.threadIds.add(worker.threadId);
    worker.unref();
    worker.on('message', (m: { id: number; ok: Uint8Array } | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        this.stats.readyWorkers++;
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      worker.unref(); // idle workers never keep the process alive
      job.resolve(m.ok);
      this.dispatch();
    });
    worker.on('error', () => {
      // The batch it held is checked inline; so is everything after (a worker that cannot run is a packaging fault).
      const job = slot.job;
      slot.job = null;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (job) this.queue.unshift(job);
      this.fallBackInline();
    });
    this.slots.push(slot);
    return slot;
  }

  private fallBackInline(): void {
    if (!this.broken) console.warn('ccc-treasury: signature verification workers could not start; verifying on the main thread');
    this.broken = true;
    for (const job of this.queue.splice(0)) void this.inline(job.task).then(job.resolve, job.reject);
  }

  /** Stops the workers; batches still queued are verified inline. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const s of slots) if (s.job) void this.inline(s.job.task).then(s.job.resolve, s.job.reject);
  }
}

let shared: VerifyPool | null = null;

/** The process's pool (workers start on first use and idle without holding the process). */
export function sharedVerifyPool(): VerifyPool {
  shared ??= new VerifyPool();
  return shared;
}
