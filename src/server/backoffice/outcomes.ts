// The back office's memory of what became of each state-changing operation, by the gateway's
// `ref`, so that a gateway whose link dropped with operations in flight can learn their real
// outcome instead of guessing. Outcomes are written in the SAME transaction as the operation
// (group commit, LedgerTx.recordOutcome), so after a crash an operation is either committed with
// its outcome or absent with it. Refs asked about and found absent are fenced: should the operation
// still arrive (a frame delayed on a dying connection), it is refused, so "not performed" stays true.
// Its table, op_outcomes, is part of the ledger's schema (ledger.ts, pg-schema.ts); lookups read
// committed data (LedgerStore.read), never the write connection of an open batch.
import type { OpOutcome, OutboundMessage, RecoveredOutcome } from '../contract';
import type { LedgerStore, LedgerTx } from './ledger-store';

/** How long outcomes are kept: far longer than any gateway's recovery bound (outcomeRecoveryMs, 30 s), and short
 * enough that the table stays small under sustained load (pruned every minute). */
export const OUTCOME_RETENTION_MS = 10 * 60_000;

export class OutcomeLog {
  /** Operations accepted but not yet committed: ref → settles once committed (or failed). */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Refs declared not performed: ref → when. */
  private readonly fenced = new Map<string, number>();

  constructor(private readonly store: LedgerStore) {}

  /** Inside the operation's transaction. */
  record(tx: LedgerTx, ref: string, at: number, messages: OutboundMessage[], outcome: OpOutcome): Promise<void> {
    return tx.recordOutcome(ref, at, JSON.stringify(messages), JSON.stringify(outcome));
  }

  async lookup(ref: string): Promise<{ messages: OutboundMessage[]; outcome: OpOutcome } | undefined> {
    const row = await this.store.read((r) => r.outcome(ref));
    return row ? { messages: JSON.parse(row.messages) as OutboundMessage[], outcome: JSON.parse(row.outcome) as OpOutcome } : undefined;
  }

  track(ref: string, done: Promise<unknown>): void {
    this.inFlight.set(ref, done);
    const forget = () => {
      if (this.inFlight.get(ref) === done) this.inFlight.delete(ref);
    };
    done.then(forget, forget);
  }

  isFenced(ref: string): boolean {
    return this.fenced.has(ref);
  }

  /** What became of `ref`: waits for an operation still being performed; fences an unknown ref. */
  async recover(ref: string, now: number): Promise<RecoveredOutcome> {
    const running = this.inFlight.get(ref);
    if (running) await running.catch(() => undefined);
    const found = await this.lookup(ref);
    if (found) return { ref, state: 'done', ...found };
    // Still not arrived (it may be on its way): fenced from now on, so "not performed" stays true.
    if (this.inFlight.has(ref)) return this.recover(ref, now);
    this.fenced.set(ref, now);
    return { ref, state: 'not-performed' };
  }

  /** Forgets outcomes and fences older than `before` (inside a transaction). */
  async prune(tx: LedgerTx, before: number): Promise<void> {
    await tx.pruneOutcomes(before);
    for (const [ref, at] of this.fenced) if (at < before) this.fenced.delete(ref);
  }
}
