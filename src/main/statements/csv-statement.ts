// CSV statements for finance staff: RFC 4180, UTF-8 with BOM, CRLF, ISO 8601 dates in UTC plus
// the local time in a stated zone. A header block first (holder, account, IBAN, period, generated at,
// the back-office key, and per currency the opening and closing balances with the reconciliation),
// then one row per entry: signed amount (its effect on the balance; see statement-model.ts) plus
// debit/credit, the running balance per currency, txid, counterparty, reference, status and the
// transfer's own amount. Free text is neutralised against formula injection (OWASP CSV injection);
// amounts come from BigInt minor units and are written as they are. Streams, so a million rows run
// in bounded memory. Every record has the same number of fields, so strict RFC 4180 readers accept it.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { formatAmount } from '../../shared/money';
import { assertReconciles, type Statement } from './statement-model';

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
  return ['Date (UTC)', `Local time (${timeZone})`, 'Transaction ID', 'Direction', 'Counterparty', 'Reference', 'Currency', 'Amount', 'Debit', 'Credit', 'Running balance', 'Status', 'Message', 'Transfer amount', 'Your note'];
}

/** Labels of the header block's first cells (the verifier reads them back). */
export const CSV_LABELS = {
  title: 'Account statement',
  account: 'Account',
  iban: 'IBAN',
  period: 'Period (UTC)',
  generated: 'Generated at',
  key: 'Back-office key',
  listed: 'Entries listed',
  balances: 'Balances',
  balance: 'Balance',
  rule: 'Reconciliation',
} as const;

export const BALANCE_COLUMNS = ['Currency', 'Opening balance', 'Credits', 'Debits', 'Closing balance', 'Held for pending payouts', 'Closing booked balance', 'Entries'];

export function* headerRecords(s: Statement): Generator<string[]> {
  yield [CSV_LABELS.title, neutralise(s.holder.name ?? '')];
  yield [CSV_LABELS.account, s.holder.address];
  yield [CSV_LABELS.iban, s.holder.iban ?? ''];
  yield [CSV_LABELS.period, s.from === null ? 'from the first transaction' : new Date(s.from).toISOString(), new Date(s.to).toISOString()];
  yield [CSV_LABELS.generated, new Date(s.generatedAt).toISOString()];
  yield [CSV_LABELS.key, s.backOfficeKey];
  yield [CSV_LABELS.listed, s.listedNote ?? 'all entries of the period'];
  yield [CSV_LABELS.balances, ...BALANCE_COLUMNS];
  for (const c of s.summaries) {
    const f = (m: bigint) => formatAmount(m, c.currency);
    yield [CSV_LABELS.balance, c.currency, f(c.opening), f(c.credits), f(c.debits), f(c.closing), f(c.closingHeld), f(c.closingBooked), String(c.count.complete + c.count.pending + c.count.failed)];
  }
  yield [
    CSV_LABELS.rule,
    'Per currency: opening balance + sum of Amount = closing balance. Amount is what moved the balance: complete transfers are booked; pending payouts are held (reserved, not yet booked); failed payouts never moved money and count 0.00. Closing booked balance = closing balance + held.',
  ];
}

/** The whole CSV as records: header block, column header, entries. */
export function* csvRecords(s: Statement, timeZone: string): Generator<string[]> {
  const width = statementColumns(timeZone).length;
  const pad = (r: string[]) => (r.length < width ? [...r, ...Array<string>(width - r.length).fill('')] : r);
  for (const r of headerRecords(s)) yield pad(r);
  yield statementColumns(timeZone);
  for (const e of s.entries()) {
    const f = (m: bigint) => formatAmount(m, e.currency);
    const magnitude = e.amount < 0n ? -e.amount : e.amount;
    yield [
      new Date(e.timestamp).toISOString(),
      localIso(e.timestamp, timeZone),
      String(e.txid),
      e.direction === 'out' ? 'debit' : 'credit',
      neutralise(e.counterparty),
      neutralise(e.reference),
      e.currency,
      f(e.amount),
      e.amount < 0n ? f(magnitude) : '',
      e.amount > 0n ? f(magnitude) : '',
      f(e.balanceAfter),
      e.status,
      neutralise(e.message),
      f(e.direction === 'out' ? -e.instructed : e.instructed),
      neutralise(noteCell(e)),
    ];
  }
}

/** Writes the statement to `file`; resolves with the number of entry rows. */
export async function writeCsvStatement(s: Statement, file: string, opts: { timeZone?: string } = {}): Promise<{ rows: number }> {
  assertReconciles(s);
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  await pipeline(
    Readable.from(csvRecords(s, timeZone)),
    stringify({ bom: true, record_delimiter: 'windows' }),
    fs.createWriteStream(file, { encoding: 'utf8', mode: 0o600 }),
  );
  return { rows: s.entryCount };
}

/** The user's own note and labels, in one cell (local annotations; never part of the signed data). */
export function noteCell(e: { note?: string; labels?: string[] }): string {
  return [e.note ?? '', ...(e.labels ?? []).map((l) => `#${l}`)].filter(Boolean).join(' ');
}
