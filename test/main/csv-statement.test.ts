// CSV statements checked cell by cell: RFC 4180 quoting, BOM, CRLF, ISO 8601 dates with the local
// zone, signed amount plus debit/credit, running balance per currency, formula-injection payloads
// neutralised, non-ASCII text intact, filters that keep the running balance right, and the header
// block whose balances reconcile with the rows (opening + Σ Amount = closing, failed payouts at 0).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { localIso, neutralise, statementColumns, writeCsvStatement } from '../../src/main/statements/csv-statement';
import { buildStatement } from '../../src/main/statements/statement-model';
import type { StatementOptions } from '../../src/shared/app-api';
import type { TxRow } from '../../src/shared/app-api';
import { tempDir } from '../helpers/server';

const t0 = Date.UTC(2026, 10, 24, 9, 30, 0);
function row(p: Partial<TxRow> & Pick<TxRow, 'txid' | 'direction' | 'amount' | 'currency'>): TxRow {
  const signed = p.direction === 'out' ? `-${p.amount}` : p.amount;
  return { timestamp: t0 + p.txid * 3_600_000, counterparty: 'DE89370400440532013000', counterpartyKind: 'iban', signedAmount: signed, status: 'complete', verified: true, ...p };
}

const rows: TxRow[] = [
  row({ txid: 1, direction: 'in', amount: '1000.00', currency: 'EUR', reference: '=HYPERLINK("http://evil.example","click")' }),
  row({ txid: 2, direction: 'out', amount: '250.50', currency: 'EUR', counterparty: 'bc1qh0q7g23e6pdye3sh2ttfvwmld8gfhvnmmfxuck', counterpartyKind: 'address', reference: '+1 555 0100' }),
  row({ txid: 3, direction: 'in', amount: '5000', currency: 'JPY', reference: '-2+3' }),
  row({ txid: 4, direction: 'out', amount: '100.00', currency: 'EUR', status: 'failed', message: '@SUM(A1:A9) account closed' }),
  row({ txid: 5, direction: 'out', amount: '49.50', currency: 'EUR', status: 'pending', reference: '\tTab leading' }),
  row({ txid: 6, direction: 'in', amount: '1.00', currency: 'EUR', reference: '\rCR leading, "quoted", and a comma' }),
  row({ txid: 7, direction: 'in', amount: '12.00', currency: 'EUR', reference: 'Zahlung für Müller & Søn — 東京 ✓', note: '=WEBSERVICE("x") paid', labels: ['invoice', 'q4'] }),
];

const generatedAt = t0 + 30 * 3_600_000;
async function exportCsv(opts: StatementOptions = {}) {
  const file = path.join(tempDir('ccc-csv-'), 'statement.csv');
  const statement = buildStatement({ holder: { name: '=Evil Corp', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', iban: 'CH9300762011623852957' }, backOfficeKey: '1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU', rows, options: opts, generatedAt });
  const result = await writeCsvStatement(statement, file, { timeZone: 'Europe/Zurich' });
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('utf8');
  const records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
  const at = records.findIndex((r) => r[0] === 'Date (UTC)');
  return { result, bytes, text, block: records.slice(0, at), header: records[at], data: records.slice(at + 1) };
}

describe('CSV statement', () => {
  it('is UTF-8 with BOM, CRLF line ends, and RFC 4180 quoting', async () => {
    const { bytes, text, header, result, block } = await exportCsv();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.split('\r\n').length).toBe(block.length + rows.length + 2); // header block + column header + rows + final empty
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(header).toEqual(statementColumns('Europe/Zurich'));
    expect(result.rows).toBe(rows.length);
    expect(text).toContain('"\'\rCR leading, ""quoted"", and a comma"');
  });

  it('has the right value in every cell', async () => {
    const { data, header } = await exportCsv();
    expect(data[0]).toEqual(['2026-11-24T10:30:00.000Z', '2026-11-24T11:30:00+01:00', '1', 'credit', 'DE89370400440532013000', `'=HYPERLINK("http://evil.example","click")`, 'EUR', '1000.00', '', '1000.00', '1000.00', 'complete', '', '1000.00', '']);
    expect(data[1]).toEqual(['2026-11-24T11:30:00.000Z', '2026-11-24T12:30:00+01:00', '2', 'debit', 'bc1qh0q7g23e6pdye3sh2ttfvwmld8gfhvnmmfxuck', "'+1 555 0100", 'EUR', '-250.50', '250.50', '', '749.50', 'complete', '', '-250.50', '']);
    expect(data[2]).toEqual(['2026-11-24T12:30:00.000Z', '2026-11-24T13:30:00+01:00', '3', 'credit', 'DE89370400440532013000', "'-2+3", 'JPY', '5000', '', '5000', '5000', 'complete', '', '5000', '']);
    // A failed payout never moved money: Amount 0.00, no debit, the running balance unchanged; the
    // transfer's own amount stays visible; its reason is neutralised.
    expect(data[3]).toEqual(['2026-11-24T13:30:00.000Z', '2026-11-24T14:30:00+01:00', '4', 'debit', 'DE89370400440532013000', '', 'EUR', '0.00', '', '', '749.50', 'failed', "'@SUM(A1:A9) account closed", '-100.00', '']);
    // A pending payout reserves the funds.
    expect(data[4]).toEqual(['2026-11-24T14:30:00.000Z', '2026-11-24T15:30:00+01:00', '5', 'debit', 'DE89370400440532013000', "'\tTab leading", 'EUR', '-49.50', '49.50', '', '700.00', 'pending', '', '-49.50', '']);
    expect(data[5][5]).toBe(`'\rCR leading, "quoted", and a comma`);
    expect(data[6][5]).toBe('Zahlung für Müller & Søn — 東京 ✓');
    expect(data[6][10]).toBe('713.00');
    // The user's own note and labels, in their own column (neutralised like every free text; never signed).
    expect(header.at(-1)).toBe('Your note');
    expect(data[6][14]).toBe(`'=WEBSERVICE("x") paid #invoice #q4`);
    // Negative amounts are written from validated decimals: never neutralised into text.
    for (const r of data) expect(r[7]).toMatch(/^-?\d+(\.\d+)?$/);
  });

  it('starts with a header block whose balances reconcile with the rows (failed payouts count 0)', async () => {
    const { block, data, header } = await exportCsv();
    const row = (label: string) => block.find((r) => r[0] === label)!;
    expect(row('Account statement')[1]).toBe("'=Evil Corp");
    expect(row('Account')[1]).toBe('1BoatSLRHtKNngkdXEeobR76b53LETtpyT');
    expect(row('IBAN')[1]).toBe('CH9300762011623852957');
    expect(row('Period (UTC)').slice(1, 3)).toEqual(['from the first transaction', new Date(generatedAt).toISOString()]);
    expect(row('Generated at')[1]).toBe(new Date(generatedAt).toISOString());
    expect(row('Back-office key')[1]).toBe('1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU');
    const balances = block.filter((r) => r[0] === 'Balance');
    expect(balances.map((r) => r.slice(1, 9))).toEqual([
      ['EUR', '0.00', '1013.00', '-300.00', '713.00', '49.50', '762.50', '6'],
      ['JPY', '0', '5000', '0', '5000', '0', '5000', '1'],
    ]);
    // opening + Σ Amount = closing, per currency, in minor units.
    for (const b of balances) {
      const cents = (v: string) => BigInt(v.replace('.', ''));
      const sum = data.filter((r) => r[6] === b[1]).reduce((a, r) => a + cents(r[7]), 0n);
      expect(cents(b[2]) + sum).toBe(cents(b[5]));
      expect(data.filter((r) => r[6] === b[1]).at(-1)![10]).toBe(b[5]);
    }
    expect(header.length).toBe(block[0].length);
  });

  it('filters by date range, currency and status without losing the running balance', async () => {
    const { data } = await exportCsv({ from: t0 + 2 * 3_600_000, to: t0 + 6 * 3_600_000, currency: 'EUR' });
    expect(data.map((r) => r[2])).toEqual(['2', '4', '5']);
    expect(data[0][10]).toBe('749.50');
    const failed = await exportCsv({ status: 'failed' });
    expect(failed.data.map((r) => r[2])).toEqual(['4']);
    expect(failed.block.find((r) => r[0] === 'Entries listed')![1]).toMatch(/^only failed entries: a partial list/);
    const none = await exportCsv({ currency: 'USD' });
    expect(none.data).toEqual([]);
    expect(none.result.rows).toBe(0);
  });

  it('neutralises exactly the OWASP trigger characters', () => {
    for (const t of ['=1+2', '+1', '-1', '@x', '\tx', '\rx']) expect(neutralise(t)).toBe(`'${t}`);
    for (const t of ['1+2', 'Invoice -1', ' =x', 'Müller']) expect(neutralise(t)).toBe(t);
    expect(neutralise(undefined)).toBe('');
  });

  it('states local times with their offset, DST included', () => {
    expect(localIso(Date.UTC(2026, 6, 1, 12, 0, 0), 'Europe/Zurich')).toBe('2026-07-01T14:00:00+02:00');
    expect(localIso(Date.UTC(2026, 0, 1, 12, 0, 0), 'America/Panama')).toBe('2026-01-01T07:00:00-05:00');
    expect(localIso(Date.UTC(2026, 0, 1, 12, 0, 0), 'UTC')).toBe('2026-01-01T12:00:00Z');
    expect(localIso(Date.UTC(2026, 0, 1, 12, 0, 0), 'Asia/Kolkata')).toBe('2026-01-01T17:30:00+05:30');
  });
});
