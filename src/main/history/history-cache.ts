// The verified history of one account, kept on disk per profile so that a returning user sees the
// newest page at once and fetches only what is new (`sinceTransaction`). The file holds each row's
// signed message exactly as the back office signed it; it is NEVER trusted: every row is checked
// against the profile's trusted back-office key before it is shown (the newest page first, the rest
// in slices that keep the app responsive), and the whole is reconciled with the signed balance, so a
// tampered, truncated or foreign file is detected and the history rebuilt from the server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SignedRecord, TransferData } from '../../shared/protocol';
import type { BalanceRow, TxRow } from '../../shared/app-api';
import { verifySignedData } from '../../shared/node/message-signature';
import { parseWireAmount } from '../../shared/money';
import { isSupportedCurrency } from '../../shared/currencies';
import { parseCachedLine } from './history-cache-line';
import type { VerifyPool } from './verify-pool';

export { parseCachedLine };

const FORMAT = 'ccc-history-cache/1';

interface Header {
  format: typeof FORMAT;
  profileId: string;
  address: string;
  trustedAddress: string;
}

export interface CacheIdentity {
  profileId: string;
  address: string;
  trustedAddress: string;
}

/** How long appended rows wait to be written together (a burst of deposits is one write, not one per row). */
const APPEND_DELAY_MS = 250;

export class HistoryCache {
  readonly file: string;
  /** Rows appended and not yet written (flush()). */
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    dataDir: string,
    private readonly id: CacheIdentity,
  ) {
    // One file per (profile, address, back-office key): a cache never crosses accounts or servers.
    const name = crypto.createHash('sha256').update(`${id.profileId}\n${id.address}\n${id.trustedAddress}`).digest('hex').slice(0, 32);
    this.file = path.join(dataDir, 'history', `${name}.jsonl`);
  }

  /**
   * The stored rows as raw lines, in file order (txid order; a later line may be a later state of the
   * same transaction) — NOT parsed, NOT verified: the newest page can be parsed and checked first.
   * null: no file, or one that is not this account's.
   */
  readLines(): string[] | null {
    this.flush();
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }
    const lines = text.split('\n');
    try {
      const header = JSON.parse(lines[0]) as Header;
      if (header.format !== FORMAT || header.profileId !== this.id.profileId || header.address !== this.id.address || header.trustedAddress !== this.id.trustedAddress) throw new Error('foreign cache');
    } catch {
      this.discard();
      return null;
    }
    return lines.slice(1).filter((l) => l.length > 0);
  }

  /** Every stored record, newest state per txid, in txid order — NOT verified (tools and benchmarks). */
  load(): SignedRecord<TransferData>[] | null {
    const lines = this.readLines();
    if (!lines) return null;
    try {
      const byTxid = new Map<number, SignedRecord<TransferData>>();
      for (const line of lines) {
        const r = parseCachedLine(line);
        byTxid.set(r.data.txid, r);
      }
      return [...byTxid.values()].sort((a, b) => a.data.txid - b.data.txid);
    } catch {
      this.discard();
      return null;
    }
  }

  /** Rewrites the whole file atomically (a crash leaves the old file or the new one, never half). */
  write(records: Iterable<SignedRecord<TransferData>>): void {
    this.dropPending(); // the records given are the whole history: they cover what was appended
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const header: Header = { format: FORMAT, ...this.id };
    const parts = [JSON.stringify(header)];
    for (const r of records) parts.push(JSON.stringify({ data: r.data, signed: r.signed }));
    fs.writeFileSync(tmp, `${parts.join('\n')}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  /** Adds a new row or a new state of a row (only once the file exists; the next rewrite covers the rest). */
  append(record: SignedRecord<TransferData>): void {
    this.pending.push(`${JSON.stringify({ data: record.data, signed: record.signed })}\n`);
    this.flushTimer ??= setTimeout(() => this.flush(), APPEND_DELAY_MS);
    this.flushTimer.unref?.();
  }

  /** Writes the appended rows now (one write; a crash before it loses only a slower next start). */
  flush(): void {
    const lines = this.pending;
    this.dropPending();
    if (lines.length === 0) return;
    try {
      if (fs.existsSync(this.file)) fs.appendFileSync(this.file, lines.join(''));
    } catch {
      // A cache that cannot be written is only a slower next start.
    }
  }

  private dropPending(): void {
    this.pending = [];
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  discard(): void {
    this.dropPending();
    fs.rmSync(this.file, { force: true });
  }
}

/** Verifies records against the trusted key; false at the first one that fails (or does not concern `address`). */
export function verifyRecords(records: SignedRecord<TransferData>[], trustedAddress: string, address: string): boolean {
  for (const r of records) {
    if (r.data.sender !== address && r.data.destination !== address) return false;
    if (!verifySignedData(r.data, r.signed, trustedAddress)) return false;
  }
  return true;
}

/**
 * Parses and verifies stored lines in slices, yielding to the event loop between them so the app
 * stays responsive; `onSlice` receives each verified slice. Resolves false at the first malformed or
 * failing row, or when `cancelled()`.
 */
export async function verifyInSlices(
  lines: string[],
  trustedAddress: string,
  address: string,
  onSlice: (slice: SignedRecord<TransferData>[], checked: number) => void,
  cancelled: () => boolean,
  sliceSize = 500,
): Promise<boolean> {
  for (let i = 0; i < lines.length; i += sliceSize) {
    await new Promise((r) => setImmediate(r));
    if (cancelled()) return false;
    let slice: SignedRecord<TransferData>[];
    try {
      slice = lines.slice(i, i + sliceSize).map(parseCachedLine);
    } catch {
      return false;
    }
    if (!verifyRecords(slice, trustedAddress, address)) return false;
    onSlice(slice, Math.min(i + sliceSize, lines.length));
  }
  return true;
}

/**
 * The same check on every core: batches of stored lines go to the verification pool (parsed, shaped,
 * concerning `address`, signed by the back office), several at once; each batch is applied through
 * `onSlice` in file order only after its verdict, parsed here. Resolves false at the first line that
 * fails, or when `cancelled()`.
 */
export async function verifyInPool(
  pool: VerifyPool,
  lines: string[],
  trustedAddress: string,
  address: string,
  onSlice: (slice: SignedRecord<TransferData>[], checked: number) => void,
  cancelled: () => boolean,
  batchSize = 1_000,
): Promise<boolean> {
  const ahead = pool.size * 2; // enough in flight to keep every worker busy while the main thread applies
  const inflight: { end: number; bad: Promise<number> }[] = [];
  let next = 0;
  const submit = () => {
    while (inflight.length < ahead && next < lines.length) {
      const end = Math.min(next + batchSize, lines.length);
      inflight.push({ end, bad: pool.firstBadLine(lines.slice(next, end), trustedAddress, address) });
      next = end;
    }
  };
  let start = 0;
  submit();
  while (inflight.length) {
    const { end, bad } = inflight.shift()!;
    const first = await bad;
    if (cancelled() || first !== -1) return false;
    let slice: SignedRecord<TransferData>[];
    try {
      slice = lines.slice(start, end).map(parseCachedLine);
    } catch {
      return false;
    }
    onSlice(slice, end);
    start = end;
    submit();
  }
  return !cancelled();
}

/**
 * Currencies where the history does not add up to the signed (available) balance: received
 * complete rows count in, sent rows count out unless they failed (a pending payout is held).
 */
export function unreconciled(rows: Iterable<TxRow>, balances: BalanceRow[]): string[] {
  const sums = new Map<string, bigint>();
  for (const r of rows) {
    if (r.status === 'failed' || (r.direction === 'in' && r.status !== 'complete')) continue;
    const minor = parseWireAmount(r.amount, r.currency);
    sums.set(r.currency, (sums.get(r.currency) ?? 0n) + (r.direction === 'in' ? minor : -minor));
  }
  const bad: string[] = [];
  const currencies = new Set([...sums.keys(), ...balances.map((b) => b.currency)]);
  for (const c of currencies) {
    if (!isSupportedCurrency(c)) continue;
    const balance = balances.find((b) => b.currency === c);
    const have = balance ? parseWireAmount(balance.amount, c) : 0n;
    if ((sums.get(c) ?? 0n) !== have) bad.push(c);
  }
  return bad;
}
