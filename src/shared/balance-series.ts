// The balance of one currency over time, from the verified local history: the available balance after
// each transaction (shared/balance-effect.ts), thinned to at most `maxPoints` for drawing. Amounts stay
// BigInt and exact decimal strings; `y` is only a drawing coordinate, never used for money.
import type { TxRow } from './app-api';
import type { CurrencyCode } from './currencies';
import { currencyExponent } from './currencies';
import { effectOf } from './balance-effect';
import { formatAmount, parseWireAmount } from './money';

export interface BalancePoint {
  /** Epoch ms of the transaction after which the balance is shown. */
  t: number;
  minor: bigint;
  /** Canonical decimal, exact (for labels). */
  amount: string;
  /** Drawing coordinate in major units. */
  y: number;
}

export function balanceSeries(rows: readonly TxRow[], currency: CurrencyCode, maxPoints = 400): BalancePoint[] {
  const mine = rows.filter((r) => r.currency === currency).sort((a, b) => a.timestamp - b.timestamp || a.txid - b.txid);
  const scale = 10 ** currencyExponent(currency);
  const points: BalancePoint[] = [];
  let balance = 0n;
  for (const r of mine) {
    balance += effectOf(r.direction, r.status, parseWireAmount(r.amount, r.currency)).amount;
    points.push({ t: r.timestamp, minor: balance, amount: formatAmount(balance, currency), y: Number(balance) / scale });
  }
  if (points.length <= maxPoints) return points;
  // Keep the last point of each of maxPoints equal slices (and the very last one): the shape and the
  // current balance stay exact.
  const step = points.length / maxPoints;
  const thinned: BalancePoint[] = [];
  for (let i = 1; i <= maxPoints; i++) thinned.push(points[Math.min(points.length - 1, Math.ceil(i * step) - 1)]);
  return thinned;
}

/** Currencies with any history, the preferred one first. */
export function chartCurrencies(rows: readonly TxRow[], preferred: CurrencyCode | null): CurrencyCode[] {
  const set = new Set(rows.map((r) => r.currency));
  return [...set].sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : a.localeCompare(b)));
}
