// The desk for a returning user with 100,000 transactions (sizes scale with BENCH_SCALE):
//  - start from the local history cache: read the file, verify the newest page, apply it — what
//    stands between the login approval and the first page on screen besides one `history
//    sinceTransaction` round trip and the balance (goal: within 1.5 s);
//  - the background check of the whole cache (signature of every row, then the balance reconciliation),
//    on the main thread (before) and on the verification pool (one worker thread per core);
//  - History's search, filter and sort over all rows in the main process's index, as the renderer's
//    paged queries ask for them (goal: 100 ms), the very first search included.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey } from '../src/shared/bitcoin-address';
import { signData } from '../src/shared/node/message-signature';
import { formatAmount } from '../src/shared/money';
import type { SignedRecord, TransferData } from '../src/shared/protocol';
import type { TxQuery } from '../src/shared/app-api';
import { HistoryCache, parseCachedLine, unreconciled, verifyInPool, verifyInSlices, verifyRecords } from '../src/main/history/history-cache';
import { VerifyPool } from '../src/main/history/verify-pool';
import { AccountView } from '../src/main/session/account-view';
import { HistoryQueryIndex } from '../src/main/history/history-query';
import { round, scale } from './stats';

function key() {
  const privateKey = secp256k1.utils.randomPrivateKey();
  return { privateKey, address: addressFromPublicKey(secp256k1.getPublicKey(privateKey, true), 'p2pkh') };
}

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const v = fn();
  return [v, performance.now() - t0];
};

export async function benchDesk(opts: { print?: boolean } = {}) {
  const count = scale(100_000);
  const page = 200; // AppCore's default first page
  const backOffice = key();
  const me = key();
  const records: SignedRecord<TransferData>[] = [];
  for (let i = 1; i <= count; i++) {
    const out = i % 3 === 0;
    const data: TransferData = {
      txid: i,
      timestamp: 1_700_000_000_000 + i * 1000,
      sender: out ? me.address : 'DE89370400440532013000',
      destination: out ? 'FR7630006000011234567890189' : me.address,
      currency: i % 5 === 0 ? 'USD' : 'EUR',
      amount: i % 50 === 0 ? '12500.00' : formatAmount(BigInt(100 + ((i * 7919) % 500_000_000)), 'EUR'),
      ...(out ? { status: 'complete' as const } : {}),
      reference: `Invoice ${i}`,
    };
    records.push({ data, signed: signData(data, backOffice.privateKey).signed });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-bench-desk-'));
  const cache = new HistoryCache(dir, { profileId: 'bench', address: me.address, trustedAddress: backOffice.address });
  cache.write(records);
  const fileMiB = fs.statSync(cache.file).size / 2 ** 20;

  // Start, as AppCore does it: read the lines, parse and verify the newest page, apply it.
  const view = new AccountView(me.address);
  const [lines, loadMs] = time(() => cache.readLines()!);
  const [first, parseMs] = time(() => lines.slice(-page).map(parseCachedLine));
  const [ok, firstVerifyMs] = time(() => verifyRecords(first, backOffice.address, me.address));
  if (!ok) throw new Error('first page did not verify');
  const [, firstApplyMs] = time(() => first.forEach((r) => view.applyTransfer(r)));

  // Background: every other row verified and applied, then the reconciliation — on the main thread in
  // slices (before worker threads), and on the verification pool, one thread per core (what AppCore does).
  const rest = lines.slice(0, -page);
  // How long the main thread's event loop (the app's IPC, the network) waits meanwhile, p99 and max.
  const loopDelay = async (run: () => Promise<unknown>) => {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    await run();
    h.disable();
    return { p99Ms: round(h.percentile(99) / 1e6), maxMs: round(h.max / 1e6) };
  };
  const t0 = performance.now();
  const inlineView = new AccountView(me.address);
  let inlineOk = false;
  const inlineLoop = await loopDelay(async () => (inlineOk = await verifyInSlices(rest, backOffice.address, me.address, (slice) => slice.forEach((r) => inlineView.applyTransfer(r)), () => false)));
  const inlineCheckSeconds = (performance.now() - t0) / 1000;
  const pool = new VerifyPool();
  await pool.verifyRecords(first.slice(0, pool.size), backOffice.address); // threads started, as after the first page
  const t1 = performance.now();
  let allOk = false;
  const poolLoop = await loopDelay(async () => (allOk = await verifyInPool(pool, rest, backOffice.address, me.address, (slice) => slice.forEach((r) => view.applyTransfer(r)), () => false)));
  const [, reconcileMs] = time(() => unreconciled(view.rows(), []));
  const fullCheckSeconds = (performance.now() - t1) / 1000;
  await pool.close();
  if (!allOk || !inlineOk || view.size !== count) throw new Error('background check failed');

  // History's index in the main process (what the renderer's paged queries read): keys built as each
  // verified row is applied (timed here in one go), then the operations History asks for — each one
  // filters, searches or sorts every row and returns one window of 100 plus the count.
  const index = new HistoryQueryIndex();
  const [, indexBuildMs] = time(() => view.rows().forEach((r) => index.upsert(r)));
  const q = (extra: TxQuery) => index.query({ locale: 'en-US', limit: 100, ...extra });
  const [hits, searchFirstMs] = time(() => q({ text: '12,500' })); // the very first search
  const [, searchAgainMs] = time(() => q({ text: '12,5000' }));
  const [, ibanSearchMs] = time(() => q({ text: 'FR76 3000' }));
  const [, clearSearchMs] = time(() => q({}));
  const [, sortAmountMs] = time(() => q({ sort: { key: 'signedAmount', desc: false } }));
  const [, sortAmountAgainMs] = time(() => q({ sort: { key: 'signedAmount', desc: true } }));
  const [, sortDateMs] = time(() => q({ sort: { key: 'timestamp', desc: true } }));
  const [, filterCurrencyMs] = time(() => q({ currency: 'USD' }));
  const [, scrollMs] = time(() => q({ currency: 'USD', offset: 5_000 })); // the next window of the same result
  const [, localeSwitchMs] = time(() => q({ text: '12.500', locale: 'de-DE' })); // keys rebuilt once for another locale
  const [, summaryMs] = time(() => index.summary('EUR'));
  fs.rmSync(dir, { recursive: true, force: true });

  const result = {
    rows: count,
    cacheFileMiB: round(fileMiB, 1),
    start: { readCacheMs: round(loadMs), parseNewestPageMs: round(parseMs), verifyNewestPageMs: round(firstVerifyMs), applyNewestPageMs: round(firstApplyMs), totalMs: round(loadMs + parseMs + firstVerifyMs + firstApplyMs) },
    backgroundCheckSeconds: round(fullCheckSeconds, 2),
    backgroundCheckThreads: pool.size,
    backgroundCheckOnMainThreadSeconds: round(inlineCheckSeconds, 2),
    eventLoopDelayDuringCheck: { workerThreads: poolLoop, mainThread: inlineLoop },
    reconcileMs: round(reconcileMs),
    history: {
      indexBuildMs: round(indexBuildMs),
      searchFirstMs: round(searchFirstMs),
      searchHits: hits.total,
      searchAgainMs: round(searchAgainMs),
      ibanSearchMs: round(ibanSearchMs),
      clearSearchMs: round(clearSearchMs),
      sortByAmountMs: round(sortAmountMs),
      sortByAmountReversedMs: round(sortAmountAgainMs),
      sortByDateMs: round(sortDateMs),
      filterCurrencyMs: round(filterCurrencyMs),
      nextWindowMs: round(scrollMs),
      germanLocaleFirstSearchMs: round(localeSwitchMs),
      dashboardSummaryMs: round(summaryMs),
    },
  };
  if (opts.print) {
    console.log(`start from cache (${count} rows, ${result.cacheFileMiB} MiB): ${result.start.totalMs} ms to the newest ${page} rows (read ${result.start.readCacheMs} ms, parse ${result.start.parseNewestPageMs} ms, verify ${result.start.verifyNewestPageMs} ms, apply ${result.start.applyNewestPageMs} ms)`);
    console.log(`background check of every row: ${result.backgroundCheckSeconds} s on ${pool.size} worker threads (${round(count / fullCheckSeconds)} rows/s); on the main thread ${result.backgroundCheckOnMainThreadSeconds} s; event loop delay p99/max ${poolLoop.p99Ms}/${poolLoop.maxMs} ms (main thread: ${inlineLoop.p99Ms}/${inlineLoop.maxMs} ms)`);
    const hh = result.history;
    console.log(`history index over ${count} rows (keys built in ${hh.indexBuildMs} ms as rows are applied): first search ${hh.searchFirstMs} ms, next ${hh.searchAgainMs} ms, IBAN ${hh.ibanSearchMs} ms, clear ${hh.clearSearchMs} ms, sort by amount ${hh.sortByAmountMs} / ${hh.sortByAmountReversedMs} ms, by date ${hh.sortByDateMs} ms, currency ${hh.filterCurrencyMs} ms, next window ${hh.nextWindowMs} ms; German keys ${hh.germanLocaleFirstSearchMs} ms; dashboard summary ${hh.dashboardSummaryMs} ms`);
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchDesk({ print: true }), null, 2));
}
