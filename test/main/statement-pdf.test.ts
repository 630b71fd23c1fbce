// PDF statements and receipts, read back as a person and a machine would: pdftotext extracts the
// letterhead, holder, IBAN, period, balances, every entry grouped by currency, "Page X of Y" and the
// back-office key; pdftoppm renders every page (a PDF poppler cannot render fails here). A long
// history spans many pages with the right page count on each.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writePdfStatement, writeReceiptPdf } from '../../src/main/statements/pdf-statement';
import { buildStatement } from '../../src/main/statements/statement-model';
import type { TxRow } from '../../src/shared/app-api';
import { formatAmount } from '../../src/shared/money';
import { tempDir } from '../helpers/server';
import { PERIOD, signedHistory } from '../helpers/signed-history';

const text = (file: string, page?: number) => execFileSync('pdftotext', ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'], { encoding: 'utf8' });

describe('PDF statement', () => {
  it('has the letterhead, holder, IBAN, period, balances, entries by currency, page numbers and the key', async () => {
    const h = signedHistory();
    const s = h.statement(PERIOD);
    const file = path.join(tempDir('ccc-pdf-'), 'statement.pdf');
    const r = await writePdfStatement(s, file);
    expect(r).toEqual({ rows: 6, pages: 1 });
    const t = text(file);
    for (const needle of ['CCC Treasury', 'Account statement', 'Acme Exchange Ltd', 'CH93 0076 2011 6238 5295 7', h.me.address, '2026-11-06 to 2026-11-21 09:00', `back-office key ${h.backOffice.address}`, 'Page 1 of 1', 'Zahlung für Müller & Søn']) {
      expect(t).toContain(needle);
    }
    // Balances: EUR opening, debits, closing, held, booked.
    expect(t).toMatch(/EUR\s+1,232,067\.89\s+0\.00\s+−1,077\.00\s+1,230,990\.89\s+2,549\.50\s+1,233,540\.39/);
    // Entries grouped by currency, in order, with their running balances; the failed one counts 0.
    const order = ['EUR entries', '−250.50', '1,231,817.39', '−777.00', 'not paid: −15,000.00', 'pending (held)', '−49.50', 'Closing balance EUR', 'JPY entries', '50,000', 'USD entries', '−0.50', 'Closing balance USD'];
    let at = 0;
    for (const o of order) {
      const i = t.indexOf(o, at);
      expect(i, o).toBeGreaterThanOrEqual(0);
      at = i;
    }
    const dir = path.dirname(file);
    execFileSync('pdftoppm', ['-r', '40', '-png', file, path.join(dir, 'page')]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.png'))).toHaveLength(1);
  });

  it('numbers every page of a long statement "Page X of Y" and repeats the column header', async () => {
    const rows: TxRow[] = [];
    for (let i = 1; i <= 180; i++) {
      const amount = formatAmount(BigInt(1000 + i), 'EUR');
      rows.push({ txid: i, timestamp: Date.UTC(2026, 0, 1) + i * 60_000, direction: i % 2 ? 'in' : 'out', counterparty: 'DE89370400440532013000', counterpartyKind: 'iban', currency: i % 10 === 0 ? 'USD' : 'EUR', amount, signedAmount: i % 2 ? amount : `-${amount}`, status: 'complete', reference: `Invoice ${i} ${'x'.repeat(i % 90)}`, verified: true });
    }
    // Credits first so no balance goes negative in between.
    rows.unshift({ txid: 0, timestamp: Date.UTC(2025, 11, 1), direction: 'in', counterparty: 'DE89370400440532013000', counterpartyKind: 'iban', currency: 'EUR', amount: '100000.00', signedAmount: '100000.00', status: 'complete', verified: true });
    const s = buildStatement({ holder: { name: 'Long Ltd', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', iban: null }, backOfficeKey: '1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU', rows, generatedAt: Date.UTC(2026, 1, 1) });
    const file = path.join(tempDir('ccc-pdf-'), 'long.pdf');
    const { pages } = await writePdfStatement(s, file);
    expect(pages).toBeGreaterThanOrEqual(5);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`Pages:\\s+${pages}\\b`));
    for (let p = 1; p <= pages; p++) {
      const t = text(file, p);
      expect(t).toContain(`Page ${p} of ${pages}`);
      expect(t).toContain('1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU');
      if (p > 1) expect(t).toContain('Long Ltd · account statement');
    }
    const all = text(file);
    expect(all.match(/Date \(UTC\)\s+Txid\s+Counterparty/g)!.length).toBeGreaterThanOrEqual(pages);
    expect(all).toContain('not assigned yet');
    // Every entry is printed exactly once.
    for (const r of rows) expect(all.match(new RegExp(`\\s${r.txid}\\s+DE89`, 'g')), `txid ${r.txid}`).toHaveLength(1);
  });
});

describe('PDF receipt', () => {
  it('is one page with every field, the signed data and the key that verified it', async () => {
    const h = signedHistory();
    const e = [...h.statement(PERIOD).entries()].find((x) => x.status === 'failed')!;
    const file = path.join(tempDir('ccc-receipt-'), 'receipt.pdf');
    const holder = { name: 'Acme Exchange Ltd', address: h.me.address, iban: 'CH9300762011623852957' };
    expect(await writeReceiptPdf({ entry: e, record: e.record!, holder, backOfficeKey: h.backOffice.address }, file)).toEqual({ verified: true });
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+1\b/);
    const t = text(file);
    for (const needle of ['Payment receipt', `Transaction ${e.txid}`, '−15,000.00 EUR', 'Failed — no money moved: Beneficiary bank rejected the payment.', 'GB60 BARC 2000 0055 7799 11', `verified against its key ${h.backOffice.address}`, '"status":"failed"', e.record!.signed.slice(0, 40)]) {
      expect(t).toContain(needle);
    }
    // A record the key did not sign is printed as NOT verified.
    const other = path.join(path.dirname(file), 'other.pdf');
    expect(await writeReceiptPdf({ entry: e, record: { ...e.record!, data: { ...e.record!.data, amount: '1.00' } }, holder, backOfficeKey: h.backOffice.address }, other)).toEqual({ verified: false });
    expect(text(other)).toContain('does NOT verify');
  });
});
