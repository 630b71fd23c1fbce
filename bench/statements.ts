// Statements of 100,000 entries in every format (CSV, camt.053, PDF, the signatures companion) and
// ccc-verify-statement over them: rows/s and peak memory per format. Each format runs in its own
// child process so its peak RSS is its own. The rows are in memory first (the app's account view holds
// them anyway); "growth" is what the export added on top — it stays flat as rows grow (streamed).
// Sizes scale with BENCH_SCALE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey } from '../src/shared/bitcoin-address';
import { signData } from '../src/shared/node/message-signature';
import { formatAmount } from '../src/shared/money';
import type { TxRow } from '../src/shared/app-api';
import type { CurrencyCode } from '../src/shared/currencies';
import type { SignedRecord, TransferData } from '../src/shared/protocol';
import { buildStatement, type Statement } from '../src/main/statements/statement-model';
import { writeStatementFiles } from '../src/main/statements/export-statement';
import { writeSignaturesFile } from '../src/main/statements/signatures-file';
import { verifyStatement } from '../src/main/statements/verify-statement';
import { round, scale } from './stats';

const FORMATS = ['csv', 'camt053', 'pdf', 'signatures', 'verify'] as const;
type BenchFormat = (typeof FORMATS)[number];

/** A history of `count` transfers in three currencies with payouts pending and failed; `sign` signs each (slow: ~4k/s). */
function history(count: number, sign: boolean) {
  const bo = secp256k1.utils.randomPrivateKey();
  const key = addressFromPublicKey(secp256k1.getPublicKey(bo, true), 'p2pkh');
  const me = 'bc1qh0q7g23e6pdye3sh2ttfvwmld8gfhvnmmfxuck';
  const rows: TxRow[] = [];
  const evidence = new Map<number, SignedRecord<TransferData>>();
  const currencies: CurrencyCode[] = ['EUR', 'USD', 'JPY'];
  for (let i = 1; i <= count; i++) {
    const currency = currencies[i % 3];
    const out = i % 4 === 0 && i > 10;
    const minor = out ? BigInt(1 + (i % 50)) : BigInt(1000 + (i % 9000));
    const amount = formatAmount(currency === 'JPY' ? minor : minor * 100n, currency);
    const status = out && i % 40 === 0 ? 'failed' : out && i % 28 === 0 ? 'pending' : 'complete';
    const counterparty = i % 2 ? 'DE89370400440532013000' : '1BoatSLRHtKNngkdXEeobR76b53LETtpyT';
    const reference = i % 7 === 0 ? `=cmd|' /C calc'!A${i}` : i % 11 === 0 ? `Zahlung für Müller & Søn ${i}` : `Invoice ${i}`;
    const data: TransferData = { txid: i, timestamp: 1_767_225_600_000 + i * 60_000, sender: out ? me : counterparty, destination: out ? counterparty : me, currency, amount, ...(out && counterparty.startsWith('DE') ? { status } : {}), reference };
    const row: TxRow = { txid: i, timestamp: data.timestamp, direction: out ? 'out' : 'in', counterparty, counterpartyKind: counterparty.startsWith('DE') ? 'iban' : 'address', currency, amount, signedAmount: out ? `-${amount}` : amount, status: data.status ?? 'complete', reference, verified: true };
    rows.push(row);
    evidence.set(i, { data, signed: sign ? signData(data, bo).signed : 'H'.padEnd(88, 'A') });
  }
  const statement = (generatedAt = Date.now()): Statement =>
    buildStatement({ holder: { name: 'Bench Treasury Ltd', address: me, iban: 'CH9300762011623852957' }, backOfficeKey: key, rows, evidence: (id) => evidence.get(id), generatedAt });
  return { rows, statement, key };
}

async function measure(task: () => Promise<void>): Promise<{ seconds: number; peakRssMiB: number; growthMiB: number; retainedMiB: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  const heapBase = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  await task();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  // What the export still holds once garbage is collected: flat when it streams.
  global.gc?.();
  const retained = process.memoryUsage().heapUsed - heapBase;
  return { seconds, peakRssMiB: round(peak / 2 ** 20, 1), growthMiB: round((peak - base) / 2 ** 20, 1), retainedMiB: round(retained / 2 ** 20, 1) };
}

/** One format, in this process; prints one JSON line. */
async function runOne(format: BenchFormat, count: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-bench-stmt-'));
  try {
    const h = history(count, format === 'verify');
    let file = path.join(dir, `statement.${format === 'camt053' ? 'xml' : format === 'pdf' ? 'pdf' : 'csv'}`);
    let extra: Record<string, unknown> = {};
    if (format === 'verify') {
      await writeStatementFiles(h.statement(), file, 'csv');
      const m = await measure(async () => {
        const r = await verifyStatement(file, h.key);
        if (!r.ok) throw new Error(`verify failed: ${r.problems.slice(0, 3).join('; ')}`);
      });
      return { format, rows: count, rowsPerSecond: round(count / m.seconds), seconds: round(m.seconds, 2), peakRssMiB: m.peakRssMiB, growthMiB: m.growthMiB, retainedMiB: m.retainedMiB };
    }
    const s = h.statement();
    const m = await measure(async () => {
      if (format === 'signatures') {
        await writeSignaturesFile(s, file);
        file = `${file}.signatures.jsonl`;
      } else {
        const r = await writeStatementFiles(s, file, format);
        extra = r.pages ? { pages: r.pages } : {};
        fs.rmSync(r.signaturesPath);
      }
    });
    return { format, rows: s.entryCount, rowsPerSecond: round(s.entryCount / m.seconds), seconds: round(m.seconds, 2), fileMiB: round(fs.statSync(file).size / 2 ** 20, 1), peakRssMiB: m.peakRssMiB, growthMiB: m.growthMiB, retainedMiB: m.retainedMiB, ...extra };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchStatements(opts: { print?: boolean; count?: number; verifyCount?: number } = {}) {
  const count = opts.count ?? scale(100_000);
  const verifyCount = opts.verifyCount ?? scale(20_000);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const results = [];
  for (const format of FORMATS) {
    const n = format === 'verify' ? verifyCount : count;
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'statements.ts'), '--one', format, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`bench ${format} failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    results.push(result);
    if (opts.print) {
      const what = format === 'verify' ? `ccc-verify-statement (CSV, every signature checked)` : format === 'signatures' ? 'signatures .jsonl alone' : `${format} with its signatures .jsonl`;
      console.log(`${what}: ${result.rowsPerSecond.toLocaleString('en-US')} rows/s (${result.rows.toLocaleString('en-US')} rows${result.fileMiB !== undefined ? `, ${result.fileMiB} MiB` : ''}${result.pages ? `, ${result.pages} pages` : ''}), peak RSS ${result.peakRssMiB} MiB (+${result.growthMiB} MiB during the export, +${result.retainedMiB} MiB heap still held after it)`);
    }
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const at = process.argv.indexOf('--one');
  if (at >= 0) console.log(JSON.stringify(await runOne(process.argv[at + 1] as BenchFormat, Number(process.argv[at + 2]))));
  else await benchStatements({ print: true });
}
