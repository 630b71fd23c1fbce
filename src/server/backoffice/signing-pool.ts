// Signatures off the event loop: a pool of worker threads (one per core) that sign texts with the
// back-office key, so a burst of transfers does not stall the gateway's heartbeats and small ops.
// Each worker is given each key once; a signature is requested as `sign(text, priority, lane)`:
// `interactive` (answers a customer waits for: balance, getinfo, answer bindings) goes before
// `bulk` (transfer messages of a batch, history rows), and interactive requests are taken round
// robin by lane (the customer's account), so one account flooding the pool with requests delays
// only itself, not the next customer. The format is unchanged: workers run the
// same signMessage (signing-worker.ts), so data signatures are still signData's and bindings
// signBinding's.
//
// A lone interactive signature is made on the calling thread when no interactive request is
// waiting and the thread has spent less than INLINE_BUDGET of the last 10 ms signing: one signature
// costs ~0.1 ms, far less than two hops between threads on a busy machine, and it never waits behind
// a batch's bulk signatures. A flood of interactive requests exceeds the budget and goes to the pool.
//
// The pool is process-wide (`sharedSigningPool`): several back offices in one process (tests) share
// its threads. Idle workers do not keep the process alive. Should the worker threads not start at
// all, the pool signs on the calling thread (said once on stderr) rather than refuse to work.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { signMessage } from '../../shared/node/message-signature';
import type { FromWorker, ToWorker } from './signing-worker.mjs';

export type SignPriority = 'interactive' | 'bulk';

export interface Signer {
  /**
   * The base64 Bitcoin-message signature of `text` by this signer's key (signMessage's format).
   * `lane` (interactive only): whose request it is; lanes are served round robin. `inline: false`: never
   * on the calling thread (a write batch's bindings: many at once, and the batch waits for its drafts anyway).
   */
  sign(text: string, priority?: SignPriority, lane?: string, opts?: { inline?: boolean }): Promise<string>;
}

interface Job {
  key: number;
  text: string;
  resolve: (signature: string) => void;
  reject: (e: Error) => void;
}

interface PoolThread {
  worker: Worker;
  keys: Set<number>;
  inFlight: Map<number, Job[]>;
  answered: boolean;
}

/** Messages in flight per worker: two keep it busy while the next is on its way, and leave room for priority. */
const MAX_IN_FLIGHT = 2;
/** The calling thread's signing budget: at most `inlineBudgetMs` per INLINE_WINDOW_MS. */
const INLINE_WINDOW_MS = 10;
const DEFAULT_INLINE_BUDGET_MS = 2;

/** Texts per message: a message takes a worker under 2 ms, so a newly queued interactive text waits little. */
const CHUNK = 16;

const WORKER = fileURLToPath(new URL('./signing-worker.mjs', import.meta.url));

export class SigningPool {
  private readonly size: number;
  private readonly threads: PoolThread[] = [];
  /** Interactive jobs by lane, lanes in round-robin order (a Map keeps insertion order). */
  private readonly lanes = new Map<string, Job[]>();
  private interactiveCount = 0;
  private readonly bulk: Job[] = [];
  private readonly keys = new Map<number, Uint8Array>();
  private nextKey = 0;
  private nextMessage = 0;
  /** Set when worker threads cannot start here: sign on the calling thread instead. */
  private inline = false;
  private closed = false;
  /** What the workers sign with (libsecp256k1, or @noble/curves where the addon cannot load). */
  readonly implementations = new Set<string>();
  /** Figures: signatures made by the workers and on the calling thread. */
  readonly stats = { signed: 0, inline: 0 };

  private readonly inlineBudgetMs: number;
  private inlineWindowStart = 0;
  private inlineSpentMs = 0;

  /**
   * `size` threads; 0 signs on the calling thread (CCC_SIGNING_THREADS overrides the default, one per core).
   * `inlineBudgetMs`: how much of every 10 ms the calling thread may spend on lone interactive signatures (0: none).
   */
  constructor(size = defaultSize(), opts: { inlineBudgetMs?: number } = {}) {
    this.size = size;
    this.inline = size === 0;
    this.inlineBudgetMs = opts.inlineBudgetMs ?? DEFAULT_INLINE_BUDGET_MS;
  }

  signer(privateKey: Uint8Array): Signer {
    const key = this.nextKey++;
    this.keys.set(key, Uint8Array.from(privateKey));
    this.spawn();
    return { sign: (text, priority = 'bulk', lane = '', opts) => this.sign(key, text, priority, lane, opts?.inline ?? true) };
  }

  /** Signatures waiting for a worker. */
  queueDepth(): number {
    return this.interactiveCount + this.bulk.length;
  }

  private sign(key: number, text: string, priority: SignPriority, lane: string, mayInline: boolean): Promise<string> {
    if (this.closed) return Promise.reject(new Error('signing pool closed'));
    if (this.inline) return Promise.resolve(this.signInline(key, text));
    if (priority === 'interactive' && mayInline && this.interactiveCount === 0 && this.inlineAllowed()) {
      const t0 = performance.now();
      const signature = this.signInline(key, text);
      this.inlineSpentMs += performance.now() - t0;
      return Promise.resolve(signature);
    }
    return new Promise((resolve, reject) => {
      const job = { key, text, resolve, reject };
      if (priority === 'bulk') this.bulk.push(job);
      else this.enqueueInteractive(lane, [job]);
      this.dispatch();
    });
  }

  private enqueueInteractive(lane: string, jobs: Job[]): void {
    const queue = this.lanes.get(lane);
    if (queue) queue.push(...jobs);
    else this.lanes.set(lane, jobs);
    this.interactiveCount += jobs.length;
  }

  /** Up to CHUNK jobs: interactive ones first, one per lane in turn; then bulk ones. */
  private takeChunk(): Job[] {
    const jobs: Job[] = [];
    while (jobs.length < CHUNK && this.interactiveCount > 0) {
      for (const [lane, queue] of this.lanes) {
        jobs.push(queue.shift()!);
        this.interactiveCount -= 1;
        // The lane goes to the back of the round (or leaves it when empty).
        this.lanes.delete(lane);
        if (queue.length > 0) this.lanes.set(lane, queue);
        break;
      }
    }
    if (jobs.length < CHUNK) jobs.push(...this.bulk.splice(0, CHUNK - jobs.length));
    return jobs;
  }

  private drainQueued(): Job[] {
    const jobs = [...[...this.lanes.values()].flat(), ...this.bulk.splice(0)];
    this.lanes.clear();
    this.interactiveCount = 0;
    return jobs;
  }

  private inlineAllowed(): boolean {
    const now = performance.now();
    if (now - this.inlineWindowStart >= INLINE_WINDOW_MS) {
      this.inlineWindowStart = now;
      this.inlineSpentMs = 0;
    }
    return this.inlineSpentMs < this.inlineBudgetMs;
  }

  private signInline(key: number, text: string): string {
    this.stats.inline += 1;
    return signMessage(text, this.keys.get(key)!);
  }

  private spawn(): void {
    while (!this.inline && !this.closed && this.threads.length < this.size) {
      const worker = new Worker(WORKER);
      const thread: PoolThread = { worker, keys: new Set(), inFlight: new Map(), answered: false };
      worker.on('message', (m: FromWorker) => this.onMessage(thread, m));
      worker.on('error', (e) => this.onExit(thread, e));
      worker.on('exit', (code) => this.onExit(thread, new Error(`signing worker exited with code ${code}`)));
      worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
      this.threads.push(thread);
    }
  }

  private onMessage(thread: PoolThread, m: FromWorker): void {
    thread.answered = true;
    if (m.t === 'ready') {
      if (m.implementation !== 'libsecp256k1' && !this.implementations.has(m.implementation)) {
        console.error('signing pool: libsecp256k1 did not load in a worker thread; signing with @noble/curves (the same signatures, slower)');
      }
      this.implementations.add(m.implementation);
      return;
    }
    const jobs = thread.inFlight.get(m.id);
    thread.inFlight.delete(m.id);
    if (thread.inFlight.size === 0) thread.worker.unref();
    if (jobs) {
      if (m.t === 'signed') {
        this.stats.signed += jobs.length;
        jobs.forEach((j, i) => j.resolve(m.signatures[i]));
      } else for (const j of jobs) j.reject(new Error(`signing failed: ${m.message}`));
    }
    this.dispatch();
  }

  private onExit(thread: PoolThread, e: Error): void {
    const i = this.threads.indexOf(thread);
    if (i < 0) return;
    this.threads.splice(i, 1);
    // Its unanswered texts go back to the front of the queue: another thread (or this one) signs them.
    const orphans = [...thread.inFlight.values()].flat();
    thread.inFlight.clear();
    if (orphans.length > 0) this.enqueueInteractive('\u0000orphans', orphans);
    if (this.closed) return;
    if (!thread.answered && this.threads.every((t) => !t.answered)) {
      // Not one worker ever answered: worker threads do not work here. Sign on this thread.
      console.error(`signing pool: worker threads unavailable (${e.message}); signing on the main thread`);
      this.inline = true;
      for (const t of this.threads.splice(0)) void t.worker.terminate();
      for (const j of this.drainQueued()) j.resolve(this.signInline(j.key, j.text));
      return;
    }
    this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      while (thread.inFlight.size < MAX_IN_FLIGHT) {
        const jobs = this.takeChunk();
        if (jobs.length === 0) return;
        for (const { key } of jobs) {
          if (thread.keys.has(key)) continue;
          thread.keys.add(key);
          thread.worker.postMessage({ t: 'key', id: key, privateKey: this.keys.get(key)! } satisfies ToWorker);
        }
        const id = this.nextMessage++;
        if (thread.inFlight.size === 0) thread.worker.ref(); // waiting for a signature keeps the process alive
        thread.inFlight.set(id, jobs);
        thread.worker.postMessage({ t: 'sign', id, items: jobs.map((j): [number, string] => [j.key, j.text]) } satisfies ToWorker);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.drainQueued()) j.reject(new Error('signing pool closed'));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }
}

function defaultSize(): number {
  const env = process.env.CCC_SIGNING_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return Math.max(1, os.availableParallelism());
}

let shared: SigningPool | null = null;

/** The process's signing pool (created on first use). */
export function sharedSigningPool(): SigningPool {
  shared ??= new SigningPool();
  return shared;
}
