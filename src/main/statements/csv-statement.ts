// CSV statements for finance staff: RFC 4180, UTF-8 with BOM, CRLF, ISO 8601 dates in UTC plus
// the local time in a stated zone, a signed amount column plus debit/credit, a running balance
// per currency, txid, counterparty, reference and status. Free text is neutralised against
// formula injection (OWASP CSV injection); amounts come from validated decimals and are written
// as they are. Streams, so a million rows run in bounded memory.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { StatementOptions, TxRow } from '../../shared/app-api';
import { formatAmount, parseWireAmount } from '../../shared/money';
import type { CurrencyCode } from '../../shared/currencies';

/** OWASP: a cell starting with = + - @ TAB or CR is prefixed with ' so spreadsheets do not evaluate it. */
export function neutralise(text: string | undefined | null): string {
  if (!text) return '';
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** ISO 8601 local time with its offset in the given IANA zone, e.g. 2026-11-24T23:15:00+01:00. */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function localIso(ms: number, timeZone: string): string {
  // Building a DateTimeFormat is costly; statements format up to millions of dates in one zone.
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

export function statementColumns(timeZone: string): string[] {
  return ['Date (UTC)', `Local time (${timeZone})`, 'Transaction ID', 'Direction', 'Counterparty', 'Reference', 'Currency', 'Amount', 'Debit', 'Credit', 'Running balance', 'Status', 'Message'];
}

/**
 * Statement rows from the account's transactions in txid order. The running balance per currency
 * counts every transaction from the start (so a date range starts from the right balance):
 * completed and pending payouts reduce it (pending funds are reserved), failed ones do not.
 */
export function* statementRecords(txs: Iterable<TxRow>, opts: StatementOptions & { timeZone: string }): Generator<string[]> {
  const running = new Map<CurrencyCode, bigint>();
  for (const t of txs) {
    const minor = parseWireAmount(t.amount, t.currency);
    const effect = t.status === 'failed' ? 0n : t.direction === 'out' ? -minor : minor;
    const balance = (running.get(t.currency) ?? 0n) + effect;
    running.set(t.currency, balance);
    if (opts.from !== undefined && t.timestamp < opts.from) continue;
    if (opts.to !== undefined && t.timestamp >= opts.to) continue;
    if (opts.currency && t.currency !== opts.currency) continue;
    if (opts.status && opts.status !== 'all' && t.status !== opts.status) continue;
    yield [
      new Date(t.timestamp).toISOString(),
      localIso(t.timestamp, opts.timeZone),
      String(t.txid),
      t.direction === 'out' ? 'debit' : 'credit',
      neutralise(t.counterparty),
      neutralise(t.reference),
      t.currency,
      t.signedAmount,
      t.direction === 'out' ? t.amount : '',
      t.direction === 'in' ? t.amount : '',
      formatAmount(balance, t.currency),
      t.status,
      neutralise(t.message),
    ];
  }
}

/** Writes the statement to `file`; resolves with the number of data rows. */
export async function writeStatement(txs: Iterable<TxRow>, file: string, opts: StatementOptions & { timeZone?: string } = {}): Promise<{ rows: number }> {
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  let rows = 0;
  const records = (function* () {
    for (const r of statementRecords(txs, { ...opts, timeZone })) {
      rows++;
      yield r;
    }
  })();
  await pipeline(
    Readable.from(records),
    stringify({ bom: true, record_delimiter: 'windows', header: true, columns: statementColumns(timeZone)}),
    fs.createWriteStream(file, { encoding: 'utf8', mode: 0o600 }),
  );
  return { rows };
}
