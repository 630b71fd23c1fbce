// The app's in-memory view of one account: balances from signed balance messages and
// transactions deduplicated by txid, seen from this account's side. A pending IBAN payout is
// updated in place by its follow-ups. Only verified messages ever reach this view; each row keeps
// the signed message it was built from (its evidence), so statements and caches can carry proof.
import type { BalanceData, SignedRecord, TransferData } from '../../shared/protocol';
import type { BalanceRow, TxNote, TxRow } from '../../shared/app-api';
import { isSupportedCurrency, type CurrencyCode } from '../../shared/currencies';
import { formatAmount, parseWireAmount } from '../../shared/money';
import { parseBitcoinAddress } from '../../shared/bitcoin-address';

export type ApplyResult = { row: TxRow; change: 'new' | 'updated' | 'duplicate' };

export class AccountView {
  private readonly txs = new Map<number, TxRow>();
  /** The user's notes and labels (local, never signed), merged into the rows. */
  private readonly notes = new Map<number, TxNote>();
  /** The signed message behind each row's current state. */
  private readonly evidenceByTxid = new Map<number, SignedRecord<TransferData>>();
  private readonly balances = new Map<CurrencyCode, bigint>();
  preferred: CurrencyCode | null = null;

  constructor(readonly address: string) {}

  /** Whether a transfer concerns this account (a verified message for another account must never be applied). */
  concerns(d: TransferData): boolean {
    return d.sender === this.address || d.destination === this.address;
  }

  applyTransfer(record: SignedRecord<TransferData>): ApplyResult {
    const d = record.data;
    if (d.sender !== this.address && d.destination !== this.address) throw new Error(`transfer ${d.txid} does not concern ${this.address}`);
    const direction = d.sender === this.address ? 'out' : 'in';
    const counterparty = direction === 'out' ? d.destination : d.sender;
    const minor = parseWireAmount(d.amount, d.currency);
    const row: TxRow = {
      txid: d.txid,
      timestamp: d.timestamp,
      direction,
      counterparty,
      counterpartyKind: parseBitcoinAddress(counterparty) ? 'address' : 'iban',
      currency: d.currency,
      amount: d.amount,
      signedAmount: formatAmount(direction === 'out' ? -minor : minor, d.currency),
      status: d.status ?? 'complete',
      verified: true,
      ...(d.message ? { message: d.message } : {}),
      ...(d.reference ? { reference: d.reference } : {}),
    };
    const n = this.notes.get(d.txid);
    if (n) Object.assign(row, noteFields(n));
    const prior = this.txs.get(d.txid);
    if (prior) {
      // The same state again (a replay, or our own answer echoed): nothing new.
      if (prior.status === row.status) return { row: prior, change: 'duplicate' };
      // A settled payout never goes back to pending (a stale replay cannot undo a settlement).
      if (prior.status !== 'pending') return { row: prior, change: 'duplicate' };
    }
    this.txs.set(d.txid, row);
    this.evidenceByTxid.set(d.txid, record);
    return { row, change: prior ? 'updated' : 'new' };
  }

  /** Applies a signed balance message; `only` when it answered a single-currency request. */
  applyBalance(data: BalanceData, only?: CurrencyCode): void {
    if (!only) this.balances.clear();
    for (const [cur, amount] of Object.entries(data)) {
      if (isSupportedCurrency(cur)) this.balances.set(cur, parseWireAmount(amount as string, cur));
    }
  }

  balanceRows(): BalanceRow[] {
    const rows = [...this.balances.entries()].map(([currency, minor]) => ({ currency, amount: formatAmount(minor, currency), preferred: currency === this.preferred }));
    if (this.preferred && !this.balances.has(this.preferred)) rows.push({ currency: this.preferred, amount: formatAmount(0n, this.preferred), preferred: true });
    return rows.sort((a, b) => (a.preferred === b.preferred ? a.currency.localeCompare(b.currency) : a.preferred ? -1 : 1));
  }

  rows(): TxRow[] {
    return [...this.txs.values()].sort((a, b) => a.txid - b.txid);
  }

  /** Sets or clears the user's note on a transaction; returns the updated row (if the transaction is known). */
  annotate(txid: number, note: TxNote | null): TxRow | undefined {
    if (note) this.notes.set(txid, note);
    else this.notes.delete(txid);
    const row = this.txs.get(txid);
    if (!row) return undefined;
    const { note: _n, labels: _l, ...plain } = row;
    const next: TxRow = note ? { ...plain, ...noteFields(note) } : plain;
    this.txs.set(txid, next);
    return next;
  }

  /** The signed message behind a row's current state. */
  evidence(txid: number): SignedRecord<TransferData> | undefined {
    return this.evidenceByTxid.get(txid);
  }

  /** Every row's signed message, in txid order. */
  signedRecords(): SignedRecord<TransferData>[] {
    return [...this.evidenceByTxid.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  }

  get size(): number {
    return this.txs.size;
  }

  get lastTxid(): number | null {
    let max: number | null = null;
    for (const id of this.txs.keys()) if (max === null || id > max) max = id;
    return max;
  }

  /** Where a gap fill must start: the last seen txid, or earlier if a payout we know is still pending. */
  gapFillFrom(lastSeen: number | null): number | null {
    let from = lastSeen;
    for (const t of this.txs.values()) if (t.status === 'pending' && (from === null || t.txid < from)) from = t.txid;
    return from;
  }
}

function noteFields(n: TxNote): Pick<TxRow, 'note' | 'labels'> {
  return { ...(n.note ? { note: n.note } : {}), ...(n.labels.length ? { labels: n.labels } : {}) };
}
