// The desk for a returning user with 100,000 transactions (sizes scale with BENCH_SCALE):
//  - start from the local history cache: read the file, verify the newest page, apply it — what
//    stands between the login approval and the first page on screen besides one `history
//    sinceTransaction` round trip and the balance (goal: within 1.5 s);
//  - the background check of the whole cache (signature of every row, then the balance reconciliation);
//  - History's search, filter and sort over all rows, computed the way the renderer does (goal: 100 ms),
//    first with cold per-row keys, then warm.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey } from '../src/shared/bitcoin-address';
import { signData } from '../src/shared/node/message-signature';
import { formatAmount } from '../src/shared/money';
import type { SignedRecord, TransferData } from '../src/shared/protocol';
import type { TxRow } from '../src/shared/app-api';
import { HistoryCache, parseCachedLine, unreconciled, verifyInSlices, verifyRecords } from '../src/main/history/history-cache';
import { AccountView } from '../src/main/session/account-view';
import { matchesText, normaliseQuery, sortRows } from '../src/renderer/src/history-index';
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

  // Background: every other row, parsed and verified in slices, then the reconciliation.
  const t0 = performance.now();
  const rest = lines.slice(0, -page);
  const allOk = await verifyInSlices(rest, backOffice.address, me.address, (slice) => slice.forEach((r) => view.applyTransfer(r)), () => false);
  const [, reconcileMs] = time(() => unreconciled(view.rows(), []));
  const fullCheckSeconds = (performance.now() - t0) / 1000;
  if (!allOk || view.size !== count) throw new Error('background check failed');

  // History operations over every row, as the renderer computes them.
  const rows: TxRow[] = view.rows();
  const filter = (q: string) => rows.filter((r) => matchesText(r, normaliseQuery(q)));
  const [, searchColdMs] = time(() => filter('12,500'));
  const [hits, searchWarmMs] = time(() => filter('12,500'));
  const [, ibanSearchMs] = time(() => filter('FR76 3000'));
  const [, clearSearchMs] = time(() => filter(''));
  const [, sortAmountMs] = time(() => sortRows(rows, 'signedAmount', false));
  const [, sortDateMs] = time(() => sortRows(rows, 'timestamp', true));
  const [, filterCurrencyMs] = time(() => rows.filter((r) => r.currency === 'USD'));
  fs.rmSync(dir, { recursive: true, force: true });

  const result = {
    rows: count,
    cacheFileMiB: round(fileMiB, 1),
    start: { readCacheMs: round(loadMs), parseNewestPageMs: round(parseMs), verifyNewestPageMs: round(firstVerifyMs), applyNewestPageMs: round(firstApplyMs), totalMs: round(loadMs + parseMs + firstVerifyMs + firstApplyMs) },
    backgroundCheckSeconds: round(fullCheckSeconds, 2),
    reconcileMs: round(reconcileMs),
    history: {
      searchColdKeysMs: round(searchColdMs),
      searchMs: round(searchWarmMs),
      searchHits: hits.length,
      ibanSearchMs: round(ibanSearchMs),
      clearSearchMs: round(clearSearchMs),
      sortByAmountMs: round(sortAmountMs),
      sortByDateMs: round(sortDateMs),
      filterCurrencyMs: round(filterCurrencyMs),
    },
  };
  if (opts.print) {
    console.log(`start from cache (${count} rows, ${result.cacheFileMiB} MiB): ${result.start.totalMs} ms to the newest ${page} rows (read ${result.start.readCacheMs} ms, parse ${result.start.parseNewestPageMs} ms, verify ${result.start.verifyNewestPageMs} ms, apply ${result.start.applyNewestPageMs} ms)`);
    console.log(`background check of every row: ${result.backgroundCheckSeconds} s`);
    console.log(`history over ${count} rows: search ${result.history.searchMs} ms (cold keys ${result.history.searchColdKeysMs} ms), IBAN search ${result.history.ibanSearchMs} ms, clear ${result.history.clearSearchMs} ms, sort by amount ${result.history.sortByAmountMs} ms, by date ${result.history.sortByDateMs} ms`);
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchDesk({ print: true }), null, 2));
}
