// The idle lock: after a configurable time without input the app locks, shows nothing of the
// account, and needs the device again to unlock. The renderer reports input (throttled); the core
// decides. A lock that would interrupt money in motion is refused by `tryLock` and retried later.
export class IdleLock {
  private timer: NodeJS.Timeout | null = null;
  private isLocked = false;

  /** `tryLock` returns false when locking must wait (a transfer on the device or on the wire). */
  constructor(
    private idleMs: number,
    private readonly tryLock: () => boolean,
  ) {}

  get locked(): boolean {
    return this.isLocked;
  }

  get timeoutMs(): number {
    return this.idleMs;
  }

  setTimeout(ms: number): void {
    this.idleMs = ms;
    if (this.timer) this.arm();
  }

  /** Starts watching (after login). */
  start(): void {
    this.isLocked = false;
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.isLocked = false;
  }

  activity(): void {
    if (!this.isLocked && this.timer) this.arm();
  }

  lockNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.isLocked = true;
  }

  unlock(): void {
    this.isLocked = false;
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.idleMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.isLocked = true;
      if (!this.tryLock()) {
        this.isLocked = false;
        this.arm();
      }
    }, this.idleMs);
    this.timer.unref?.();
  }
}
