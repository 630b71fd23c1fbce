// Verifiable statements and camt.053: a statement of a signed history (failed and pending payouts)
// is exported as CSV and camt.053 with its .signatures.jsonl; the camt.053 file validates against the
// official ISO 20022 XSD (xmllint --schema); `ccc-verify-statement` (the real bin, as a child process)
// says VERIFIED (exit 0) — and NOT VERIFIED (exit 1) once one amount is changed anywhere, a record is
// dropped, or the auditor's key is another one.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { writeCsvStatement } from '../../src/main/statements/csv-statement';
import { writeCamt053Statement } from '../../src/main/statements/camt053-statement';
import { signaturesPathFor, writeSignaturesFile } from '../../src/main/statements/signatures-file';
import { newIdentity, tempDir } from '../helpers/server';
import { PERIOD, signedHistory } from '../helpers/signed-history';

// The official schema is not committed here (it is ISO 20022's work, and the project commits no
// third-party files): it is read from the steering repository's shared/ folder that CI places beside
// the clone, or from CCC_CAMT053_XSD (schemas/iso20022/README.md says where it comes from and its sha256).
const XSD = [process.env.CCC_CAMT053_XSD, path.resolve('../shared/schemas/iso20022/camt.053.001.08.xsd')].find((f) => f && fs.existsSync(f)) ?? null;
if (!XSD) console.warn('[camt.053] SKIPPED: XSD validation — the official camt.053.001.08.xsd is not in ../shared/schemas/iso20022/ nor CCC_CAMT053_XSD (see schemas/iso20022/README.md); every other camt.053 check runs.');
const BIN = path.resolve('tools/ccc-verify-statement-bin/ccc-verify-statement.mjs');

function verify(file: string, key: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, file, '--key', key], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function xmllint(file: string): { ok: boolean; out: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD!, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

async function exportAll(options = PERIOD) {
  const h = signedHistory();
  const dir = tempDir('ccc-stmt-');
  const s = h.statement(options);
  const csv = path.join(dir, 'statement.csv');
  const xml = path.join(dir, 'statement.xml');
  await writeCsvStatement(s, csv, { timeZone: 'UTC' });
  await writeSignaturesFile(s, csv);
  await writeCamt053Statement(s, xml);
  await writeSignaturesFile(s, xml);
  return { h, s, csv, xml };
}

/** Replaces the first match in a file (the test fails if there is none). */
function tamper(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  fs.writeFileSync(file, next);
}

describe('signatures file and ccc-verify-statement', () => {
  it('verifies an untouched CSV statement: signatures, balances, every row', async () => {
    const { h, csv } = await exportAll();
    const lines = fs.readFileSync(signaturesPathFor(csv), 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0]);
    expect(header).toMatchObject({ format: 'ccc-statement-signatures/1', key: h.backOffice.address, account: h.me.address, from: PERIOD.from, to: PERIOD.to, statement: 'statement.csv' });
    // Opening records (4) + the period's (6); the one after the period is not there.
    expect(lines.length - 1).toBe(10);
    expect(JSON.parse(lines[1])).toEqual(h.messages[0]);
    const r = verify(csv, h.backOffice.address);
    expect(r.out).toContain('VERIFIED: every signature checks out');
    expect(r.out).toContain('EUR: opening 1232067.89, closing 1230990.89');
    expect(r.code).toBe(0);
  });

  it('fails when one amount in the CSV is changed', async () => {
    const { h, csv } = await exportAll();
    tamper(csv, /,-250\.50,250\.50,/, ',-25.50,25.50,');
    const r = verify(csv, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/transaction \d+: the statement says -25\.50 EUR complete, the signed record says -250\.50 EUR complete/);
    expect(r.out).toContain('NOT VERIFIED');
  });

  it('fails when a closing balance in the CSV header is changed', async () => {
    const { h, csv } = await exportAll();
    tamper(csv, 'Balance,EUR,1232067.89,0.00,-1077.00,1230990.89', 'Balance,EUR,1232067.89,0.00,-1077.00,1240990.89');
    const r = verify(csv, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toContain("EUR: the statement's closing balance 1240990.89 is not the signed 1230990.89");
  });

  it('fails when a signed record is changed, dropped, or checked against another key', async () => {
    const { h, csv } = await exportAll();
    const sig = signaturesPathFor(csv);
    const original = fs.readFileSync(sig, 'utf8');
    tamper(sig, '"amount":"250.50"', '"amount":"25.50"');
    let r = verify(csv, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/its signature does not verify/);

    const lines = original.trim().split('\n');
    fs.writeFileSync(sig, [...lines.slice(0, 6), ...lines.slice(7)].join('\n') + '\n');
    r = verify(csv, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/listed in the statement but not among its signed records/);

    fs.writeFileSync(sig, original);
    expect(verify(csv, h.backOffice.address).code).toBe(0);
    r = verify(csv, newIdentity().address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not the key you gave/);
  });

  it('prints its usage and exits 1 without a key or a file', () => {
    const r = verify('', '');
    expect(r.code).toBe(1);
    expect(r.out).toContain('usage: ccc-verify-statement FILE --key');
    const missing = verify(path.join(tempDir(), 'nope.csv'), '1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU');
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/no such file/);
  });
});

describe('camt.053.001.08', () => {
  it.skipIf(!XSD)('validates against the official XSD', async () => {
    const { xml } = await exportAll();
    const v = xmllint(xml);
    expect(v.out).toContain('validates');
    expect(v.ok).toBe(true);
  });

  it('reconciles booked and available balances', async () => {
    const { xml } = await exportAll();
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (n) => ['Stmt', 'Bal', 'Ntry'].includes(n) }).parse(fs.readFileSync(xml, 'utf8'));
    const stmts = doc.Document.BkToCstmrStmt.Stmt as any[];
    expect(stmts.map((s) => s.Acct.Ccy)).toEqual(['EUR', 'JPY', 'USD']);
    const cents = (n: any) => (n.CdtDbtInd === 'DBIT' ? -1n : 1n) * BigInt(n.Amt['#text'].replace('.', ''));
    for (const s of stmts) {
      const bal = (code: string) => cents(s.Bal.find((b: any) => b.Tp.CdOrPrtry.Cd === code));
      const ntry = (s.Ntry ?? []) as any[];
      const sum = (sts: string[]) => ntry.filter((n) => sts.includes(n.Sts.Cd)).reduce((a, n) => a + cents(n), 0n);
      expect(bal('OPBD') + sum(['BOOK'])).toBe(bal('CLBD'));
      expect(bal('OPAV') + sum(['BOOK', 'PDNG'])).toBe(bal('CLAV'));
    }
    const eur = stmts[0];
    expect(eur.Bal.map((b: any) => [b.Tp.CdOrPrtry.Cd, b.Amt['#text']])).toEqual([
      ['OPBD', '1234567.89'],
      ['CLBD', '1233540.39'],
      ['OPAV', '1232067.89'],
      ['CLAV', '1230990.89'],
    ]);
    // Failed payouts are excluded; the pending one is PDNG and has no booking date.
    expect(eur.Ntry.map((n: any) => n.Sts.Cd)).toEqual(['BOOK', 'BOOK', 'PDNG']);
    expect(eur.Ntry[2].BookgDt).toBeUndefined();
    expect(eur.Acct.Id.IBAN).toBe('CH9300762011623852957');
    expect(eur.Acct.Ownr.Nm).toBe('Acme Exchange Ltd');
    // Free text is escaped, not injected.
    expect(fs.readFileSync(xml, 'utf8')).toContain('&lt;script&gt;&amp;&quot;\'');
  });

  it.skipIf(!XSD)('validates for a whole history, a single currency and an account without IBAN', async () => {
    const h = signedHistory();
    const dir = tempDir('ccc-camt-');
    for (const [name, s] of [
      ['all', h.statement()],
      ['usd', h.statement({ ...PERIOD, currency: 'USD' })],
      ['gbp-empty', h.statement({ ...PERIOD, currency: 'GBP' })],
      ['pending-only', h.statement({ ...PERIOD, status: 'pending' })],
    ] as const) {
      const file = path.join(dir, `${name}.xml`);
      if (name === 'usd') (s.holder as { iban: string | null }).iban = null;
      await writeCamt053Statement(s, file);
      const v = xmllint(file);
      expect(v.out, name).toContain('validates');
    }
  });

  it('is verified by ccc-verify-statement, and a changed amount fails', async () => {
    const { h, xml } = await exportAll();
    expect(verify(xml, h.backOffice.address).code).toBe(0);
    tamper(xml, '<Amt Ccy="EUR">777.00</Amt>', '<Amt Ccy="EUR">7.00</Amt>');
    const r = verify(xml, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the statement says -7\.00 EUR complete, the signed record says -777\.00 EUR complete/);
  });

  it('fails on a changed booked balance, and on a file that is not XML', async () => {
    const { h, xml } = await exportAll();
    const original = fs.readFileSync(xml, 'utf8');
    tamper(xml, '<Amt Ccy="EUR">1233540.39</Amt>', '<Amt Ccy="EUR">1233640.39</Amt>');
    let r = verify(xml, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toContain("EUR: the statement's closing booked balance 1233640.39 is not the signed 1233540.39");
    fs.writeFileSync(xml, original.slice(0, original.length / 2));
    r = verify(xml, h.backOffice.address);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not a well-formed XML file/);
  });
});

it('xmllint is installed (apt: libxml2-utils)', () => {
  expect(execFileSync('xmllint', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) ?? '').toBeDefined();
});
