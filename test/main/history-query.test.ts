// The main process's history index (what History's paged queries read): filters, search in the user's
// locale, sorts with amounts as exact integers, windows and counts, the anchor, ids for "Export these",
// rows that change state, and the dashboard's summary. Rows come from real signed messages through
// the real AccountView.
import { describe, expect, it } from 'vitest';
import { HistoryQueryIndex } from '../../src/main/history/history-query';
import { signedHistory } from '../helpers/signed-history';
import type { TxRow } from '../../src/shared/app-api';
import { balanceSeries } from '../../src/shared/balance-series';
import { currencyExponent } from '../../src/shared/currencies';
import { normaliseQuery, queryMatcher, rowSearchText } from '../../src/shared/history-search';

function indexOf(rows: TxRow[]) {
  const index = new HistoryQueryIndex();
  for (const r of rows) index.upsert(r);
  return index;
}

describe('the history index', () => {
  const h = signedHistory();
  const rows = h.view.rows();

  it('answers windows of the filtered, sorted result with its counts', () => {
    const index = indexOf(rows);
    const all = index.query({ locale: 'en-US', limit: 1000 });
    expect(all.total).toBe(rows.length);
    expect(all.all).toBe(rows.length);
    // Default: newest first.
    expect(all.rows.map((r) => r.txid)).toEqual([...rows].sort((a, b) => b.timestamp - a.timestamp || b.txid - a.txid).map((r) => r.txid));
    const window = index.query({ locale: 'en-US', offset: 2, limit: 3 });
    expect(window.rows.map((r) => r.txid)).toEqual(all.rows.slice(2, 5).map((r) => r.txid));
    expect(window).toMatchObject({ offset: 2, total: rows.length });
    const out = index.query({ direction: 'out', limit: 1000 });
    expect(out.total).toBe(rows.filter((r) => r.direction === 'out').length);
    expect(out.rows.every((r) => r.direction === 'out')).toBe(true);
    const failed = index.query({ status: 'failed', currency: 'EUR' });
    expect(failed.rows.map((r) => r.txid)).toEqual(rows.filter((r) => r.status === 'failed' && r.currency === 'EUR').map((r) => r.txid).reverse());
    const t = rows[3].timestamp;
    expect(index.query({ from: t, to: t + 1, limit: 1000 }).rows.every((r) => r.timestamp === t)).toBe(true);
  });

  it('searches what the screen shows, in the user’s locale', () => {
    const index = indexOf(rows);
    const opening = rows.find((r) => r.reference === 'Opening deposit')!;
    expect(index.ids({ text: '1,234,567.89', locale: 'en-US' })).toEqual([opening.txid]);
    expect(index.ids({ text: '1.234.567,89', locale: 'de-DE' })).toEqual([opening.txid]); // keys rebuilt for German
    expect(index.ids({ text: '1,234,567.89', locale: 'de-DE' })).toEqual([]);
    expect(index.ids({ text: 'opening', locale: 'de-DE' })).toEqual([opening.txid]);
    // The status and direction as the German screen words them.
    expect(index.ids({ text: 'fehlgeschlagen', locale: 'de-DE' })).toEqual(rows.filter((r) => r.status === 'failed').map((r) => r.txid).reverse());
    expect(index.ids({ text: 'fehlgeschlagen', locale: 'en-US' })).toEqual([]);
    const payout = rows.find((r) => r.status === 'failed')!;
    expect(index.ids({ text: 'FR76 3000', locale: 'en-US' })).toContain(payout.txid);
    expect(index.ids({ text: '-15,000', locale: 'en-US' })).toContain(payout.txid);
    expect(index.ids({ text: String(opening.txid) })).toContain(opening.txid);
  });

  it('sorts amounts as integers within a currency (beyond 2^53 too), ties by txid, both ways', () => {
    const base = rows[0];
    const big = [
      { ...base, txid: 1, amount: '90071992547409.93', signedAmount: '90071992547409.93' },
      { ...base, txid: 2, amount: '90071992547409.92', signedAmount: '90071992547409.92' },
      { ...base, txid: 3, signedAmount: '-1.00', amount: '1.00', direction: 'out' as const },
      { ...base, txid: 4, currency: 'CHF' as const, amount: '5.00', signedAmount: '5.00' },
      { ...base, txid: 5, signedAmount: '-1.00', amount: '1.00', direction: 'out' as const },
    ];
    const index = indexOf(big);
    expect(index.ids({ sort: { key: 'signedAmount', desc: false } })).toEqual([4, 3, 5, 2, 1]);
    expect(index.ids({ sort: { key: 'signedAmount', desc: true } })).toEqual([1, 2, 5, 3, 4]);
    expect(index.ids({ sort: { key: 'txid', desc: false } })).toEqual([1, 2, 3, 4, 5]);
  });

  it('follows rows that change, says where the anchored row went, and summarises for the dashboard', () => {
    const index = indexOf(rows);
    const before = index.query({ limit: 0 });
    const newest = index.query({ limit: 1 }).rows[0];
    const pending = rows.find((r) => r.status === 'pending');
    expect(pending).toBeDefined();
    expect(index.query({ status: 'pending' }).total).toBe(rows.filter((r) => r.status === 'pending').length);
    index.upsert({ ...pending!, status: 'complete' });
    expect(index.query({ status: 'pending' }).total).toBe(rows.filter((r) => r.status === 'pending').length - 1);
    index.upsert({ ...newest, txid: 10_000, timestamp: newest.timestamp + 1 }); // a new row on top
    const after = index.query({ limit: 0, anchorTxid: newest.txid });
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.total).toBe(rows.length + 1);
    expect(after.anchorIndex).toBe(1);
    expect(index.query({ limit: 0, anchorTxid: 999_999 }).anchorIndex).toBeNull();
    const summary = index.summary('EUR');
    expect(summary.latest[0].txid).toBe(10_000);
    expect(summary.latest).toHaveLength(8);
    expect(summary.currencies[0]).toBe('EUR');
    expect(summary.series.map((s) => s.currency)).toEqual(summary.currencies);
    expect(summary.pending.every((r) => r.status === 'pending')).toBe(true);
  });

  it('keeps every sort order right as rows arrive and change (brought up to date, not sorted again)', () => {
    const index = indexOf(rows);
    const keys = ['timestamp', 'txid', 'direction', 'counterparty', 'signedAmount', 'status'] as const;
    const sortedAfresh = (all: Map<number, TxRow>, key: (typeof keys)[number], desc: boolean) => {
      const fresh = new HistoryQueryIndex();
      for (const r of all.values()) fresh.upsert(r);
      return fresh.ids({ sort: { key, desc }, locale: 'en-US' });
    };
    const all = new Map(rows.map((r) => [r.txid, r]));
    const newRow = (base: TxRow, txid: number, rnd: (n: number) => number): TxRow => {
      const amount = currencyExponent(base.currency) === 0 ? `${rnd(900) + 1}` : `${rnd(900)}.${rnd(90) + 10}`;
      return { ...base, txid, timestamp: base.timestamp + rnd(3), amount, signedAmount: `${base.direction === 'out' ? '-' : ''}${amount}` };
    };
    for (const key of keys) index.ids({ sort: { key, desc: false }, locale: 'en-US' }); // every order kept
    // A seeded pseudo-random walk: new rows (amounts, times, counterparties in between), settled and reworded ones.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let step = 0; step < 40; step++) {
      for (let k = 0; k < 1 + rnd(5); k++) {
        const base = rows[rnd(rows.length)];
        const r: TxRow = rnd(3) === 0 ? { ...all.get(base.txid)!, status: (['complete', 'failed', 'pending'] as const)[rnd(3)], counterparty: `${base.counterparty}${rnd(9)}` } : newRow(base, 20_000 + step * 10 + k, rnd);
        all.set(r.txid, r);
        index.upsert(r);
      }
      const key = keys[rnd(keys.length)];
      const desc = rnd(2) === 0;
      expect(index.ids({ sort: { key, desc }, locale: 'en-US' })).toEqual(sortedAfresh(all, key, desc));
    }
    for (const key of keys) expect(index.ids({ sort: { key, desc: true }, locale: 'en-US' })).toEqual(sortedAfresh(all, key, true));
  });

  it('sorts its orders ahead in small steps, and answers from them as it would have', () => {
    const index = indexOf(rows);
    const fresh = indexOf(rows);
    let steps = 0;
    const job = index.warmOrders(3); // slices of 3 rows: many slices and merges
    // A row arriving halfway: the order sorted before it is brought up to date when asked.
    for (; !job.next().done; steps++) if (steps === 40) for (const i of [index, fresh]) i.upsert({ ...rows[1], txid: 40_000, amount: '0.01', signedAmount: '0.01' });
    expect(steps).toBeGreaterThan(6 * Math.ceil(rows.length / 3));
    // All orders kept now; only the search chunk the late row changed is joined again.
    expect([...index.warmOrders()]).toHaveLength(1);
    expect([...index.warmOrders()]).toHaveLength(0);
    for (const key of ['timestamp', 'txid', 'direction', 'counterparty', 'signedAmount', 'status'] as const) {
      for (const desc of [false, true]) expect(index.ids({ sort: { key, desc } })).toEqual(fresh.ids({ sort: { key, desc } }));
    }
    // Unfiltered, newest first: the kept order reversed, not the order itself turned around.
    const newestFirst = index.ids({});
    expect(index.ids({ sort: { key: 'timestamp', desc: false } })).toEqual([...newestFirst].reverse());
  });

  it('typing on narrows the last result and finds exactly what a fresh search finds', () => {
    const index = indexOf(rows);
    const payout = rows.find((r) => r.status === 'failed')!;
    for (const typed of ['-', '-1', '-15', '-15,', '-15,0', 'f', 'fr', 'fr76 3', 'fr76 30', '1', '12', '12,', 'o', 'op', 'ope', 'opening']) {
      for (const sort of [undefined, { key: 'signedAmount' as const, desc: true }]) {
        const fresh = indexOf(rows);
        expect(index.ids({ text: typed, sort, locale: 'en-US' })).toEqual(fresh.ids({ text: typed, sort, locale: 'en-US' }));
      }
    }
    expect(index.ids({ text: '-15,000', locale: 'en-US' })).toContain(payout.txid);
    // A change in between (a new row) is searched afresh.
    index.upsert({ ...rows[0], txid: 30_000, reference: 'Opening balance correction' });
    expect(index.ids({ text: 'opening b', locale: 'en-US' })).toEqual([30_000]);
  });

  it('searches many rows in chunks and finds exactly what a row-by-row search finds, as rows arrive and change', () => {
    // 5,000 rows: three search chunks, the last one partly filled.
    const many = new Map<number, TxRow>();
    for (let i = 1; i <= 5_000; i++) {
      const base = rows[i % rows.length];
      many.set(i, { ...base, txid: i, timestamp: 1_700_000_000_000 + i * 1000, reference: `Batch ${i}`, ...(i % 97 === 0 ? { note: 'Checked by Anna' } : {}) });
    }
    const index = indexOf([...many.values()]);
    const rowByRow = (text: string, locale = 'en-US') => {
      const q = normaliseQuery(text);
      const matches = queryMatcher(q);
      return [...many.values()].filter((r) => matches(rowSearchText(r, locale), r)).sort((a, b) => b.timestamp - a.timestamp || b.txid - a.txid).map((r) => r.txid);
    };
    const queries = ['batch 2048', 'batch 204', 'batch 4', 'checked by', 'anna', '2049', '#2049', 'batch 5000', 'batch 1', 'fr76 3000', '-15,000', 'zzz', 'b'];
    const same = (locale = 'en-US') => {
      for (const text of queries) expect(index.ids({ text, locale }), `${text} (${locale})`).toEqual(rowByRow(text, locale));
    };
    for (const _ of [0, 1]) same(); // a second time from the kept chunks
    // Rows change in every chunk (a note, a state), and new ones arrive at the end.
    const change = (r: TxRow) => {
      many.set(r.txid, r);
      index.upsert(r);
    };
    change({ ...many.get(1)!, note: 'Batch 4 again' });
    change({ ...many.get(2_048)!, reference: 'Renamed' }); // the last row of the first chunk
    change({ ...many.get(2_049)!, note: 'Anna' }); // the first of the second
    change({ ...many.get(4_500)!, status: 'failed', message: 'Returned by the bank' });
    for (let i = 5_001; i <= 5_200; i++) change({ ...rows[i % rows.length], txid: i, timestamp: 1_700_000_000_000 + i * 1000, reference: `Batch ${i}` });
    same();
    expect(index.ids({ text: 'returned by', locale: 'en-US' })).toEqual([4_500]);
    expect(index.ids({ text: 'renamed', locale: 'en-US' })).toEqual([2_048]);
    // Another locale joins the chunks again from its own texts.
    same('de-DE');
    // Typing on from a long result (more than is narrowed row by row) and from a short one.
    for (const typed of ['b', 'ba', 'batch', 'batch 1', 'batch 12', 'batch 123']) expect(index.ids({ text: typed, locale: 'en-US' }), typed).toEqual(rowByRow(typed));
  });

  it('never matches across two rows or two fields, whatever is typed', () => {
    const a = { ...rows[0], txid: 1, reference: 'first ends here' };
    const b = { ...rows[0], txid: 2, reference: 'second' };
    const index = indexOf([a, b]);
    // The end of one row's text and the start of the next, with or without the separators in between.
    const endOfA = rowSearchText(a, 'en-US').slice(-6);
    const startOfB = rowSearchText(b, 'en-US').slice(0, 6);
    for (const glue of ['', '\u0001', '\u0002', '\u0000']) expect(index.ids({ text: `${endOfA}${glue}${startOfB}`, locale: 'en-US' }), JSON.stringify(glue)).toEqual([]);
    // Two fields of one row (the reference, then the amount).
    expect(index.ids({ text: `here\u0001${a.amount}`, locale: 'en-US' })).toEqual([]);
    expect(normaliseQuery(' A\u0001b\u0002  C\u0000 ')).toBe('ab c');
  });

  it('draws the same balance chart as the shared series, thinned or not', () => {
    const many: TxRow[] = [];
    for (let i = 1; i <= 1_000; i++) many.push({ ...rows[i % rows.length], txid: i, timestamp: 1_700_000_000_000 + (i % 7) * 1000 + i });
    for (const list of [rows, many]) {
      const summary = indexOf(list).summary('EUR');
      for (const { currency, points } of summary.series) expect(points, currency).toEqual(balanceSeries(list, currency).map(({ t, amount, y }) => ({ t, amount, y })));
    }
  });
});
