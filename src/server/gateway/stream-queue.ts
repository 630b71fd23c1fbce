// Streamed answers (history replays) run one at a time per connection: a replay costs the back
// office pages of reads and signatures, so a connection may not start many at once (a peer that
// does not read would otherwise make the server produce a first page for every op it sends). A
// few more wait their turn; beyond that the op is refused (RATE_LIMITED).
export class StreamQueue {
  private running = false;
  private readonly waiting: (() => Promise<unknown>)[] = [];

  constructor(readonly maxWaiting = 8) {}

  /** Runs `task` after the ones before it; false if too many are waiting already. */
  run(task: () => Promise<unknown>): boolean {
    if (this.waiting.length >= this.maxWaiting) return false;
    this.waiting.push(task);
    if (!this.running) void this.drain();
    return true;
  }

  /** Drops the waiting tasks (the connection is gone). */
  clear(): void {
    this.waiting.length = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let task = this.waiting.shift(); task; task = this.waiting.shift()) await task().catch(() => undefined);
    this.running = false;
  }
}
