// The back office's memory of what became of each state-changing operation, by the gateway's
// `ref`, so that a gateway whose link dropped with operations in flight can learn their real
// outcome instead of guessing. Outcomes are written in the SAME SQLite transaction as the
// operation (group commit), so after a crash an operation is either committed with its outcome
// or absent with it. Refs asked about and found absent are fenced: should the operation still
// arrive (a frame delayed on a dying connection), it is refused, so "not performed" stays true.
// Its table, op_outcomes, is part of the ledger's schema (ledger.ts).
import type Database from 'better-sqlite3';
import type { OpOutcome, OutboundMessage, RecoveredOutcome } from '../contract';

/** How long outcomes are kept: far longer than any gateway's recovery bound (outcomeRecoveryMs, 30 s), and short
 * enough that the table stays small under sustained load (pruned every minute). */
export const OUTCOME_RETENTION_MS = 10 * 60_000;


export class OutcomeLog {
  private readonly insert;
  private readonly select;
  private readonly deleteBefore;
  /** Operations accepted but not yet committed: ref → settles once committed (or failed). */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Refs declared not performed: ref → when. */
  private readonly fenced = new Map<string, number>();

  constructor(db: Database.Database) {
    // INSERT OR IGNORE: a ref seen twice must never fail the batch it is committed in.
    this.insert = db.prepare('INSERT OR IGNORE INTO op_outcomes (ref, at, messages, outcome) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT messages, outcome FROM op_outcomes WHERE ref = ?');
    this.deleteBefore = db.prepare('DELETE FROM op_outcomes WHERE at < ?');
  }

  /** Inside the operation's transaction. */
  record(ref: string, at: number, messages: OutboundMessage[], outcome: OpOutcome): void {
    this.insert.run(ref, at, JSON.stringify(messages), JSON.stringify(outcome));
  }

  lookup(ref: string): { messages: OutboundMessage[]; outcome: OpOutcome } | undefined {
    const row = this.select.get(ref) as { messages: string; outcome: string } | undefined;
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
    const found = this.lookup(ref);
    if (found) return { ref, state: 'done', ...found };
    this.fenced.set(ref, now);
    return { ref, state: 'not-performed' };
  }

  /** Forgets outcomes and fences older than `before` (call inside a transaction). */
  prune(before: number): void {
    this.deleteBefore.run(before);
    for (const [ref, at] of this.fenced) if (at < before) this.fenced.delete(ref);
  }
}
