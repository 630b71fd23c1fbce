// Admission of new connections: a cap on the gateway's connections in total and per remote address,
// so one host cannot hold the gateway's sockets (unauthenticated ones are also closed when their
// challenge expires; see gateway.ts). A refused connection is closed at once with 1013.
export class ConnectionAdmission {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    readonly maxTotal: number,
    readonly maxPerAddress: number,
  ) {}

  /** Takes a slot for `address`, or returns why not. Every admitted connection must be released once. */
  admit(address: string): string | null {
    if (this.total >= this.maxTotal) return 'too many connections; try again later';
    const n = this.perAddress.get(address) ?? 0;
    if (n >= this.maxPerAddress) return 'too many connections from this address; try again later';
    this.total += 1;
    this.perAddress.set(address, n + 1);
    return null;
  }

  release(address: string): void {
    this.total -= 1;
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }
}
