// What one transaction does to an account's balances, the one rule shared by statements and the
// dashboard's chart: complete moves the booked and the available balance; a pending payout holds its
// amount (available, not booked); a failed payout never moved money.
import type { TransferStatus } from './protocol';

export function effectOf(direction: 'in' | 'out', status: TransferStatus, minor: bigint): { amount: bigint; booked: bigint } {
  const sign = direction === 'out' ? -1n : 1n;
  if (status === 'failed') return { amount: 0n, booked: 0n };
  if (status === 'pending') return { amount: sign * minor, booked: 0n };
  return { amount: sign * minor, booked: sign * minor };
}
