// The one statement model behind every statement format (CSV, camt.053, PDF, the signatures
// companion): the period, the account holder, opening and closing balances per currency, and every
// entry with its txid, status, counterparty and reference, each with the signed message it came from.
//
// How entries count (the same in every format):
// - complete: booked. It moves the booked balance and the available balance by its amount.
// - pending (an IBAN payout not yet settled): held, not booked. The money is reserved, so the
//   available balance — the figure the server's `balance` message and the app show — already excludes
//   it; the booked balance does not move until it completes.
// - failed: never moved money (its hold was released): it counts 0 and is listed for information.
// So, per currency and exactly in BigInt minor units:
//   opening + Σ entry amounts = closing               (available balances, pending counted as held)
//   opening booked + Σ complete amounts = closing booked;  closing = closing booked − held.
// An entry is dated by its transfer timestamp and counted with the status it has now.
// Balances count every transaction from the account's first one, so a period starts from the right
// opening balance. Entries are produced lazily (a generator), so writers stream in bounded memory.
import type { StatementOptions, TxRow } from '../../shared/app-api';
import type { SignedRecord, TransferData, TransferStatus } from '../../shared/protocol';
import type { CurrencyCode } from '../../shared/currencies';
import { parseWireAmount } from '../../shared/money';
import { effectOf } from '../../shared/balance-effect';

export interface StatementHolder {
  /** Name of the account holder (from the account's details), when known. */
  name: string | null;
  /** The account's CCC address (its key). */
  address: string;
  iban: string | null;
}

export interface StatementInput {
  holder: StatementHolder;
  /** The back-office address whose signatures every entry was verified against. */
  backOfficeKey: string;
  /** The account's transactions in txid order (AccountView.rows()). Iterated once per pass (the
   * summary, then each writer), so an array or any re-iterable source (not a one-shot generator). */
  rows: Iterable<TxRow>;
  /** The signed message behind a row (AccountView.evidence). */
  evidence?: (txid: number) => SignedRecord<TransferData> | undefined;
  options?: StatementOptions;
  /** Currencies shown even without transactions (e.g. the account's preferred one). */
  currencies?: CurrencyCode[];
  /** Defaults to now. */
  generatedAt?: number;
}

export interface CurrencySummary {
  currency: CurrencyCode;
  /** Available balance at the start of the period (pending payouts held). */
  opening: bigint;
  openingBooked: bigint;
  openingHeld: bigint;
  /** Σ of the period's entry amounts that add (complete credits). */
  credits: bigint;
  /** Σ of the period's entry amounts that subtract (complete and pending debits), negative. */
  debits: bigint;
  closing: bigint;
  closingBooked: bigint;
  closingHeld: bigint;
  /** Entries of the period in this currency, by status. */
  count: { complete: number; pending: number; failed: number };
}

export interface StatementEntry {
  txid: number;
  timestamp: number;
  direction: 'in' | 'out';
  counterparty: string;
  counterpartyKind: 'address' | 'iban';
  currency: CurrencyCode;
  status: TransferStatus;
  /** The transfer's amount, positive, minor units. */
  instructed: bigint;
  /** Its effect on the available balance: ±instructed, or 0 for a failed payout. */
  amount: bigint;
  /** Its effect on the booked balance: ±instructed when complete, else 0. */
  booked: bigint;
  /** Available balance of this currency after the entry. */
  balanceAfter: bigint;
  reference?: string;
  message?: string;
  /** The user's own note and labels (local, never signed). */
  note?: string;
  labels?: string[];
  record?: SignedRecord<TransferData>;
}

export interface Statement {
  holder: StatementHolder;
  backOfficeKey: string;
  /** Inclusive start; null when the statement starts with the account's first transaction. */
  from: number | null;
  /** Exclusive end; the generation time when not given. */
  to: number;
  generatedAt: number;
  currencyFilter: CurrencyCode | null;
  /** Only entries of this status are listed (a partial list: entries do not add up to the balances). */
  statusFilter: TransferStatus | null;
  /** How the list is partial (a status filter, or entries chosen in History), or null when every entry of the period is listed. Starts with "only". */
  listedNote: string | null;
  /** Per currency, in code order. */
  summaries: CurrencySummary[];
  /** Number of entries listed. */
  entryCount: number;
  /** The listed entries, in txid order; each call starts again (two passes cost no memory). */
  entries(): Generator<StatementEntry>;
  /** Signed messages that make up the opening balances and the period (every status), in txid order. */
  proofRecords(): Generator<SignedRecord<TransferData>>;
}

/** One transaction as a statement entry (the balance after it is the caller's to know). */
export function entryOf(t: TxRow, balanceAfter: bigint, record?: SignedRecord<TransferData>): StatementEntry {
  const instructed = parseWireAmount(t.amount, t.currency);
  const { amount, booked } = effectOf(t.direction, t.status, instructed);
  return {
    txid: t.txid,
    timestamp: t.timestamp,
    direction: t.direction,
    counterparty: t.counterparty,
    counterpartyKind: t.counterpartyKind,
    currency: t.currency,
    status: t.status,
    instructed,
    amount,
    booked,
    balanceAfter,
    ...(t.reference ? { reference: t.reference } : {}),
    ...(t.message ? { message: t.message } : {}),
    ...(t.note ? { note: t.note } : {}),
    ...(t.labels?.length ? { labels: t.labels } : {}),
    ...(record ? { record } : {}),
  };
}

function emptySummary(currency: CurrencyCode): CurrencySummary {
  return { currency, opening: 0n, openingBooked: 0n, openingHeld: 0n, credits: 0n, debits: 0n, closing: 0n, closingBooked: 0n, closingHeld: 0n, count: { complete: 0, pending: 0, failed: 0 } };
}

export function buildStatement(input: StatementInput): Statement {
  const opts = input.options ?? {};
  const generatedAt = input.generatedAt ?? Date.now();
  const from = opts.from ?? null;
  const to = opts.to ?? generatedAt;
  if (from !== null && from > to) throw new RangeError('the statement period starts after it ends');
  const currencyFilter = opts.currency ?? null;
  const statusFilter = opts.status && opts.status !== 'all' ? opts.status : null;
  const chosen = opts.txids ? new Set(opts.txids) : null;
  const rows = input.rows;

  const inScope = (t: TxRow) => t.timestamp < to && (!currencyFilter || t.currency === currencyFilter);
  const inPeriod = (t: TxRow) => from === null || t.timestamp >= from;
  const listed = (t: TxRow) => inScope(t) && inPeriod(t) && (!statusFilter || t.status === statusFilter) && (!chosen || chosen.has(t.txid));

  const sums = new Map<CurrencyCode, CurrencySummary>();
  let entryCount = 0;
  for (const t of rows) {
    if (!inScope(t)) continue;
    let s = sums.get(t.currency);
    if (!s) sums.set(t.currency, (s = emptySummary(t.currency)));
    const { amount, booked } = effectOf(t.direction, t.status, parseWireAmount(t.amount, t.currency));
    const held = booked - amount; // a pending payout holds its amount
    if (inPeriod(t)) {
      if (amount > 0n) s.credits += amount;
      else s.debits += amount;
      s.count[t.status]++;
    } else {
      s.opening += amount;
      s.openingBooked += booked;
      s.openingHeld += held;
    }
    s.closing += amount;
    s.closingBooked += booked;
    s.closingHeld += held;
    if (listed(t)) entryCount++;
  }
  for (const c of currencyFilter ? [currencyFilter] : (input.currencies ?? [])) if (!sums.has(c)) sums.set(c, emptySummary(c));
  const summaries = [...sums.values()].sort((a, b) => a.currency.localeCompare(b.currency));

  return {
    holder: input.holder,
    backOfficeKey: input.backOfficeKey,
    from,
    to,
    generatedAt,
    currencyFilter,
    statusFilter,
    listedNote: chosen
      ? `only the ${entryCount.toLocaleString('en-US')} entries chosen in History${statusFilter ? ` (${statusFilter})` : ''}: a partial list that does not add up to the balances`
      : statusFilter
        ? `only ${statusFilter} entries: a partial list that does not add up to the balances`
        : null,
    summaries,
    entryCount,
    *entries() {
      const running = new Map<CurrencyCode, bigint>();
      for (const t of rows) {
        if (!inScope(t)) continue;
        const before = running.get(t.currency) ?? 0n;
        if (!listed(t)) {
          running.set(t.currency, before + effectOf(t.direction, t.status, parseWireAmount(t.amount, t.currency)).amount);
          continue;
        }
        const e = entryOf(t, 0n, input.evidence?.(t.txid));
        e.balanceAfter = before + e.amount;
        running.set(t.currency, e.balanceAfter);
        yield e;
      }
    },
    *proofRecords() {
      if (!input.evidence) return;
      for (const t of rows) {
        if (!inScope(t)) continue;
        const r = input.evidence(t.txid);
        if (r) yield r;
      }
    },
  };
}

/** Closing = opening + credits + debits, for every currency (a self-check every writer runs). */
export function assertReconciles(s: Statement): void {
  for (const c of s.summaries) {
    if (c.opening + c.credits + c.debits !== c.closing) throw new Error(`statement does not reconcile in ${c.currency}`);
    if (c.closingBooked - c.closingHeld !== c.closing) throw new Error(`booked and held do not match the balance in ${c.currency}`);
  }
}
