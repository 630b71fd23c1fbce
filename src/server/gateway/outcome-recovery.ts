// The gateway's side of "every answer is the truth": operations whose link to the back office
// dropped while they were in flight wait here. As soon as the link is back, the back office is
// asked what became of them (by ref, in batches) and each waiting operation learns its real
// outcome. Only when that cannot be learnt within `boundMs` does it resolve `null` (the gateway
// then answers OUTCOME_UNKNOWN: "check before retrying").
import type { BackOfficePort, RecoveredOutcome } from '../contract';

export interface OutcomeRecoveryOptions {
  /** How long an operation may wait for its outcome before OUTCOME_UNKNOWN. */
  boundMs?: number;
  /** How often to try while the link is down. */
  retryMs?: number;
  /** Most refs asked in one question. */
  batch?: number;
}

interface Waiting {
  deadline: number;
  resolve: (r: RecoveredOutcome | null) => void;
}

export class OutcomeRecovery {
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | null = null;
  private asking = false;
  private readonly boundMs: number;
  private readonly retryMs: number;
  private readonly batch: number;

  constructor(
    private readonly backOffice: BackOfficePort,
    opts: OutcomeRecoveryOptions = {},
  ) {
    this.boundMs = opts.boundMs ?? 30_000;
    this.retryMs = opts.retryMs ?? 100;
    this.batch = opts.batch ?? 1000;
  }

  /** Operations waiting for their outcome (figures, tests). */
  get size(): number {
    return this.waiting.size;
  }

  /** Resolves with what became of `ref`, or null if that could not be learnt in time. */
  recover(ref: string): Promise<RecoveredOutcome | null> {
    return new Promise((resolve) => {
      this.waiting.set(ref, { deadline: Date.now() + this.boundMs, resolve });
      this.schedule(0);
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiting.values()) w.resolve(null);
    this.waiting.clear();
  }

  private schedule(delay: number): void {
    if (this.timer || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delay);
  }

  private tick(): void {
    // Deadlines are kept even while a question is pending (a back office that never answers).
    const now = Date.now();
    for (const [ref, w] of this.waiting) {
      if (w.deadline <= now) {
        this.waiting.delete(ref);
        w.resolve(null);
      }
    }
    if (!this.asking && this.waiting.size > 0 && this.backOffice.isAvailable()) {
      this.asking = true;
      this.backOffice
        .recoverOutcomes([...this.waiting.keys()].slice(0, this.batch))
        .then(
          (results) => {
            for (const r of results) {
              const w = this.waiting.get(r.ref);
              this.waiting.delete(r.ref);
              w?.resolve(r);
            }
          },
          () => undefined, // the link dropped again: ask on a later tick
        )
        .finally(() => {
          this.asking = false;
          this.schedule(0);
        });
    }
    this.schedule(this.retryMs);
  }
}
