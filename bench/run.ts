// `npm run bench`: every performance figure of the project, layer by layer. Each part is
// its own module (also runnable alone with tsx); this runs them in sequence and prints.
// Sizes scale with BENCH_SCALE (default 1; e.g. BENCH_SCALE=0.1 for a quick look).
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const parts: { file: string; fn: string; title: string }[] = [
  { file: 'ledger.ts', fn: 'benchLedger', title: 'Back office ledger (no network)' },
  { file: 'server.ts', fn: 'benchServer', title: 'Server end to end over WebSocket' },
  { file: 'migrate.ts', fn: 'benchMigrate', title: 'ccc-server migrate: an SQLite ledger into PostgreSQL, verified' },
  { file: 'slow-reader.ts', fn: 'benchSlowReader', title: 'Server under one hostile slow reader; balance during a transfer burst' },
  { file: 'client.ts', fn: 'benchClient', title: 'App core: history replay and CSV export' },
  { file: 'statements.ts', fn: 'benchStatements', title: 'Statements: 100,000 entries in every format, and ccc-verify-statement' },
  { file: 'desk.ts', fn: 'benchDesk', title: 'The desk: start from the local history cache; search, filter and sort 100,000 rows' },
  { file: 'desk-e2e.ts', fn: 'benchDeskEndToEnd', title: 'The desk end to end in Chromium: a returning user, History, renderer memory' },
];

const here = path.dirname(new URL(import.meta.url).pathname);
for (const part of parts) {
  const file = path.join(here, part.file);
  console.log(`\n=== ${part.title} (bench/${part.file}) ===`);
  if (!fs.existsSync(file)) {
    console.log('  (not present)');
    continue;
  }
  const mod = await import(pathToFileURL(file).href);
  const result = await mod[part.fn]({ print: true });
  if (result && typeof result === 'object') console.log(JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
}
