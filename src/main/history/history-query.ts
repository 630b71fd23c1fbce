// The history's index in the main process: sort keys and search keys built as each verified row is
// applied, so History can filter, search and sort 100,000 rows without the renderer ever holding
// them. The renderer asks for a window of the result (TxQuery → TxPage); the last result and each
// sort order are kept until a row changes, so scrolling and typing only re-filter what is needed.
// Search reads the rows' texts joined in chunks of a few thousand: one indexOf over a long string
// finds a needle several times faster than 100,000 calls to includes (the first search over every
// row was 40–110 ms that way).
import type { BalanceChartPoint, DeskSummary, TxPage, TxQuery, TxRow, TxSortKey } from '../../shared/app-api';
import type { CurrencyCode } from '../../shared/currencies';
import { comparator, normaliseQuery, queryMatcher, queryPlan, ROW_SEPARATOR, rowSearchText, sortableRow, type SortableRow } from '../../shared/history-search';
import { chartCurrencies } from '../../shared/balance-series';
import { currencyExponent } from '../../shared/currencies';
import { formatAmount } from '../../shared/money';

interface Entry extends SortableRow {
  /** What search sees, in `locale`. */
  text: string;
  /** Its place in `slots` (in the order rows first came; a changed row keeps its place). */
  slot: number;
}

/** The search texts of `SEARCH_CHUNK` consecutive slots joined by ROW_SEPARATOR, and where each one starts. */
interface SearchChunk {
  text: string;
  starts: Int32Array;
}

/** Rows per search chunk: small enough that a changed row costs little to join again, large enough for indexOf to run long. */
const SEARCH_CHUNK = 2_048;
/** Typing on narrows the last result row by row while it is at most this long; a longer one is searched again in the chunks. */
const NARROW_MAX = 20_000;

const MAX_WINDOW = 1_000;
const SORT_KEYS: readonly TxSortKey[] = ['timestamp', 'txid', 'direction', 'counterparty', 'signedAmount', 'status'];
/** The order sorted ahead (the amount first: the column sorted most; time and txid are kept from the start). */
const WARM_FIRST: readonly TxSortKey[] = ['signedAmount', 'timestamp', 'txid', 'counterparty', 'status', 'direction'];

/** Changes kept for bringing sort orders up to date, and the most applied by insertion rather than a new sort. */
const MAX_CHANGES = 20_000;
const MAX_INSERTS = 2_000;

/**
 * One sort order of the entries, with each entry's slot alongside in a typed array: a search reads its
 * flags per slot down the order without touching 100,000 scattered objects (that alone was ~20 ms).
 */
class SortOrder {
  private buf: Int32Array;
  constructor(
    public version: number,
    readonly entries: Entry[],
    slots?: Int32Array,
  ) {
    if (!slots) {
      slots = new Int32Array(entries.length);
      for (let i = 0; i < entries.length; i++) slots[i] = entries[i].slot;
    }
    this.buf = slots;
  }

  /** The slots in this order (a view: valid until the next insert or remove). */
  get slots(): Int32Array {
    return this.buf.subarray(0, this.entries.length);
  }

  insert(at: number, e: Entry): void {
    const n = this.entries.length;
    this.entries.splice(at, 0, e);
    if (n + 1 > this.buf.length) {
      const grown = new Int32Array(Math.max(16, Math.ceil((n + 1) * 1.25)));
      grown.set(this.buf.subarray(0, n));
      this.buf = grown;
    }
    this.buf.copyWithin(at + 1, at, n);
    this.buf[at] = e.slot;
  }

  remove(at: number): void {
    const n = this.entries.length;
    this.entries.splice(at, 1);
    this.buf.copyWithin(at, at + 1, n);
  }
}

/** The first place in a sorted array where `x` could go (`cmp` is a total order: txid breaks every tie). */
function lowerBound<T>(a: T[], x: T, cmp: (p: T, q: T) => number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(a[mid], x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function defaultLocale(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().locale || 'en-US';
  } catch {
    return 'en-US';
  }
}

function validLocale(tag: unknown): string | null {
  if (typeof tag !== 'string' || tag.length > 35) return null;
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length ? new Intl.Locale(tag).toString() : null;
  } catch {
    return null;
  }
}

export class HistoryQueryIndex {
  private readonly byTxid = new Map<number, Entry>();
  private readonly slots: Entry[] = [];
  /** slots' search chunks; null where a row changed since it was joined (joined again when next searched). */
  private chunks: (SearchChunk | null)[] = [];
  private locale = defaultLocale();
  private version = 0;
  private readonly orders = new Map<TxSortKey, SortOrder>();
  /**
   * The rows upserted since version `changesFrom` (with the entry each replaced): a kept sort order a few
   * changes behind is brought up to date by binary insertion instead of sorting 100,000 rows again (a live
   * deposit, a settled payout). Dropped when long; an order older than it is sorted afresh.
   */
  private changes: { old: Entry | undefined; entry: Entry }[] = [];
  private changesFrom = 0;
  /** The last result, its query (`base`: all but the text) and the index version it was made at. */
  private last: { key: string; base: string; text: string; version: number; matched: Entry[] } | null = null;
  private summaryCache: { version: number; preferred: CurrencyCode | null; summary: DeskSummary } | null = null;

  get size(): number {
    return this.byTxid.size;
  }

  /** A new or changed row (a new state, a note): its keys are computed now, once. */
  upsert(row: TxRow): void {
    const old = this.byTxid.get(row.txid);
    const slot = old ? old.slot : this.slots.length;
    const entry: Entry = { ...sortableRow(row), text: rowSearchText(row, this.locale), slot };
    this.byTxid.set(row.txid, entry);
    this.slots[slot] = entry;
    this.chunks[Math.floor(slot / SEARCH_CHUNK)] = null;
    // A chunk that just filled up is joined now, as the replay applies rows (not all at the first search).
    if (!old && (slot + 1) % SEARCH_CHUNK === 0) this.chunk(Math.floor(slot / SEARCH_CHUNK));
    if (this.changes.length >= MAX_CHANGES) {
      this.changes = [];
      this.changesFrom = this.version;
    }
    this.changes.push({ old, entry });
    this.version++;
  }

  /** Search keys follow the renderer's locale (rebuilt once when it changes). */
  private useLocale(tag: unknown): void {
    const locale = validLocale(tag);
    if (!locale || locale === this.locale) return;
    this.locale = locale;
    for (const e of this.byTxid.values()) e.text = rowSearchText(e.row, locale);
    this.chunks = [];
    this.last = null;
  }

  /** Chunk `k` of the search texts, joined now if a row in it changed since. */
  private chunk(k: number): SearchChunk {
    const kept = this.chunks[k];
    if (kept) return kept;
    const first = k * SEARCH_CHUNK;
    const end = Math.min(this.slots.length, first + SEARCH_CHUNK);
    const texts: string[] = new Array(end - first);
    const starts = new Int32Array(end - first);
    let at = 0;
    for (let i = first; i < end; i++) {
      const text = this.slots[i].text;
      texts[i - first] = text;
      starts[i - first] = at;
      at += text.length + ROW_SEPARATOR.length;
    }
    const chunk = { text: texts.join(ROW_SEPARATOR), starts };
    this.chunks[k] = chunk;
    return chunk;
  }

  /** Which slots match a normalised, non-empty query (a flag per slot). */
  private slotsMatching(text: string): Uint8Array {
    const { needles, txid } = queryPlan(text);
    const hit = new Uint8Array(this.slots.length);
    const chunks = Math.ceil(this.slots.length / SEARCH_CHUNK);
    for (let k = 0; k < chunks; k++) {
      const { text: joined, starts } = this.chunk(k);
      const first = k * SEARCH_CHUNK;
      for (const needle of needles) {
        let from = 0;
        for (;;) {
          const at = joined.indexOf(needle, from);
          if (at < 0) break;
          // The row holding `at`: the last one starting at or before it. Then on from the next row.
          let lo = 0;
          let hi = starts.length - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= at) lo = mid;
            else hi = mid - 1;
          }
          hit[first + lo] = 1;
          if (lo + 1 >= starts.length) break;
          from = starts[lo + 1];
        }
      }
    }
    const byId = txid === null ? undefined : this.byTxid.get(txid);
    if (byId) hit[byId.slot] = 1;
    return hit;
  }

  /** Whether an order kept at `version` is brought up to date by insertion (few changes since, all logged). */
  private catchesUp(version: number): boolean {
    return version >= this.changesFrom && this.version - version <= MAX_INSERTS;
  }

  private ordered(key: TxSortKey): SortOrder {
    const cached = this.orders.get(key);
    if (cached && cached.version === this.version) return cached;
    const cmp = comparator<Entry>(key);
    if (cached && this.catchesUp(cached.version)) {
      const { entries } = cached;
      let intact = true;
      for (let i = cached.version - this.changesFrom; intact && i < this.changes.length; i++) {
        const { old, entry } = this.changes[i];
        if (old) {
          // The entry it replaced is in the order, at its own place (txid makes the order total).
          const at = lowerBound(entries, old, cmp);
          if (entries[at] === old) cached.remove(at);
          else intact = false;
        }
        cached.insert(lowerBound(entries, entry, cmp), entry);
      }
      if (intact) {
        cached.version = this.version;
        return cached;
      }
    }
    const order = new SortOrder(this.version, [...this.byTxid.values()].sort(cmp));
    this.orders.set(key, order);
    return order;
  }

  private matching(q: TxQuery): Entry[] {
    this.useLocale(q.locale);
    const sortKey = q.sort && SORT_KEYS.includes(q.sort.key) ? q.sort.key : 'timestamp';
    const desc = q.sort ? q.sort.desc === true : true;
    const text = normaliseQuery(typeof q.text === 'string' ? q.text.slice(0, 200) : '');
    const from = typeof q.from === 'number' ? q.from : null;
    const to = typeof q.to === 'number' ? q.to : null;
    const currency = typeof q.currency === 'string' && q.currency ? q.currency : null;
    const direction = q.direction === 'in' || q.direction === 'out' ? q.direction : null;
    const status = q.status === 'complete' || q.status === 'pending' || q.status === 'failed' ? q.status : null;
    const base = JSON.stringify([sortKey, desc, from, to, currency, direction, status, this.locale]);
    const key = `${base}\u0000${text}`;
    const last = this.last && this.last.version === this.version ? this.last : null;
    if (last && last.key === key) return last.matched;
    if (last && last.base === base && last.text && text.includes(last.text) && last.matched.length <= NARROW_MAX) {
      // Typing on: what matches the longer text is among what matched the shorter (in order already).
      const matches = queryMatcher(text);
      const matched = last.matched.filter((e) => matches(e.text, e.row));
      this.last = { key, base, text, version: this.version, matched };
      return matched;
    }
    const order = this.ordered(sortKey);
    const all = order.entries;
    const filtered = from !== null || to !== null || !!currency || !!direction || !!status;
    if (!text && !filtered) {
      // Nothing to filter: the kept order itself (reversed once for the newest first).
      const matched = desc ? all.slice().reverse() : all;
      this.last = { key, base, text, version: this.version, matched };
      return matched;
    }
    const hit = text ? this.slotsMatching(text) : null;
    const slots = order.slots;
    const matched: Entry[] = [];
    const n = all.length;
    for (let i = 0; i < n; i++) {
      const at = desc ? n - 1 - i : i;
      if (hit && !hit[slots[at]]) continue;
      const e = all[at];
      if (filtered) {
        const r = e.row;
        if ((from !== null && r.timestamp < from) || (to !== null && r.timestamp >= to)) continue;
        if ((currency && r.currency !== currency) || (direction && r.direction !== direction) || (status && r.status !== status)) continue;
      }
      matched.push(e);
    }
    this.last = { key, base, text, version: this.version, matched };
    return matched;
  }

  /**
   * Sorts, in small steps, every one of History's orders that is not kept yet (none is kept until first
   * asked): each `next()` does a few thousand comparisons, so the caller can run it in the background
   * between other work once the history is complete, and the user's first click on a column does not
   * wait for 100,000 rows to be sorted (a kept order then follows new rows by insertion). Sorted slices,
   * then merged two by two; an order asked meanwhile is sorted at once and this one is dropped.
   */
  *warmOrders(stepRows = 4_000): Generator<void, void> {
    // The search chunks first (the first search then scans, and joins nothing).
    for (let k = 0; k * SEARCH_CHUNK < this.slots.length; k++) {
      if (this.chunks[k]) continue;
      this.chunk(k);
      yield;
    }
    for (const key of WARM_FIRST) {
      const behind = this.orders.get(key);
      if (behind && this.catchesUp(behind.version)) {
        this.ordered(key); // a few insertions
        continue;
      }
      const version = this.version;
      const cmp = comparator<Entry>(key);
      const runs: Entry[][] = [];
      const all = [...this.byTxid.values()];
      for (let i = 0; i < all.length; i += stepRows) {
        runs.push(all.slice(i, i + stepRows).sort(cmp));
        yield;
      }
      while (runs.length > 1) {
        const a = runs.shift()!;
        const b = runs.shift()!;
        const out: Entry[] = new Array(a.length + b.length);
        let i = 0;
        let j = 0;
        let k = 0;
        while (k < out.length) {
          for (let n = 0; n < stepRows && k < out.length; n++) out[k++] = j >= b.length || (i < a.length && cmp(a[i], b[j]) <= 0) ? a[i++] : b[j++];
          yield;
        }
        runs.push(out);
      }
      // The slots alongside, in steps too.
      const entries = runs[0] ?? [];
      const slots = new Int32Array(entries.length);
      for (let i = 0; i < entries.length; i += stepRows) {
        for (let j = i; j < Math.min(entries.length, i + stepRows); j++) slots[j] = entries[j].slot;
        yield;
      }
      // Rows that changed meanwhile are inserted when the order is next asked (or it is sorted again).
      const kept = this.orders.get(key);
      if (!kept || kept.version < version) this.orders.set(key, new SortOrder(version, entries, slots));
    }
  }

  query(q: TxQuery): TxPage {
    const matched = this.matching(q ?? {});
    const offset = Math.max(0, Math.min(Number.isSafeInteger(q?.offset) ? q.offset! : 0, matched.length));
    const limit = Math.max(0, Math.min(Number.isSafeInteger(q?.limit) ? q.limit! : 100, MAX_WINDOW));
    let anchorIndex: number | null = null;
    if (Number.isSafeInteger(q?.anchorTxid)) {
      const at = matched.findIndex((e) => e.row.txid === q.anchorTxid);
      anchorIndex = at >= 0 ? at : null;
    }
    return { rows: matched.slice(offset, offset + limit).map((e) => e.row), offset, total: matched.length, all: this.byTxid.size, anchorIndex, version: this.version };
  }

  ids(q: TxQuery): number[] {
    return this.matching(q ?? {}).map((e) => e.row.txid);
  }

  summary(preferred: CurrencyCode | null): DeskSummary {
    const c = this.summaryCache;
    if (c && c.version === this.version && c.preferred === preferred) return c.summary;
    const byTxid = this.ordered('txid').entries;
    const latest: TxRow[] = [];
    for (let i = byTxid.length - 1; i >= 0 && latest.length < 8; i--) latest.push(byTxid[i].row);
    const pending = byTxid.filter((e) => e.row.status === 'pending').map((e) => e.row);
    const currencies = chartCurrencies(
      [...new Set(byTxid.map((e) => e.row.currency))].map((currency) => ({ currency }) as TxRow),
      preferred,
    );
    const summary: DeskSummary = { latest, pending, currencies, series: this.series(currencies), size: byTxid.length, version: this.version };
    this.summaryCache = { version: this.version, preferred, summary };
    return summary;
  }

  /**
   * The balance over time per currency, as shared/balance-series.ts draws it (the available balance
   * after each transaction in time order, thinned to 400 points), from the kept time order and amount
   * keys: one pass of integer additions, only the points drawn are formatted.
   */
  private series(currencies: CurrencyCode[], maxPoints = 400): DeskSummary['series'] {
    const byTime = this.ordered('timestamp').entries;
    return currencies.map((currency) => {
      const mine = byTime.filter((e) => e.row.currency === currency);
      const balances: bigint[] = new Array(mine.length);
      let balance = 0n;
      for (let i = 0; i < mine.length; i++) {
        if (mine[i].row.status !== 'failed') balance += mine[i].minor; // a failed payout never moved money
        balances[i] = balance;
      }
      const scale = 10 ** currencyExponent(currency);
      const point = (i: number): BalanceChartPoint => ({ t: mine[i].row.timestamp, amount: formatAmount(balances[i], currency), y: Number(balances[i]) / scale });
      if (mine.length <= maxPoints) return { currency, points: mine.map((_, i) => point(i)) };
      const step = mine.length / maxPoints;
      const points: BalanceChartPoint[] = [];
      for (let i = 1; i <= maxPoints; i++) points.push(point(Math.min(mine.length - 1, Math.ceil(i * step) - 1)));
      return { currency, points };
    });
  }
}
