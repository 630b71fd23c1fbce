// PDF statements a person would sign off (pdfkit): a letterhead, the holder, account and IBAN, the
// period, opening and closing balances per currency with the reconciliation, then the entries grouped
// by currency (txid, date, counterparty, reference, status, amount, running balance), "Page X of Y"
// and the back-office key on every page. Also a one-page payment receipt for one transaction with its
// signed data and the key that verified it.
//
// Bounded memory for any number of rows: pages are written out as they fill (pdfkit does not buffer
// them), and "of Y" comes from a first, measuring pass of the very same layout code that draws nothing.
// Fonts: DejaVu Sans from the dejavu-fonts-ttf package (wide Unicode coverage; the PDF standard
// fonts cannot show "Müller — 東京" safely), embedded as subsets.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { formatAmount, groupThousands } from '../../shared/money';
import { formatIban } from '../../shared/iban';
import { canonicalJson } from '../../shared/canonical-json';
import { verifySignedData } from '../../shared/node/message-signature';
import type { CurrencyCode } from '../../shared/currencies';
import type { SignedRecord, TransferData } from '../../shared/protocol';
import { assertReconciles, type Statement, type StatementEntry, type StatementHolder } from './statement-model';
import { noteCell } from './csv-statement';

const require = createRequire(import.meta.url);
function fontFile(name: string): string {
  return require.resolve(`dejavu-fonts-ttf/ttf/${name}`);
}

const FONT = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;
const INK = '#1d2733';
const MUTED = '#5b6875';
const BRAND = '#0f4c5c';
const RULE = '#c9d1d9';
const STRIPE = '#f2f5f7';

/** "−1,234.50" for print: grouped, with a real minus sign; never through a float. */
export function printAmount(minor: bigint, currency: CurrencyCode): string {
  return groupThousands(formatAmount(minor, currency)).replace(/^-/, '−');
}

function printDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

function printCounterparty(text: string, kind: 'address' | 'iban'): string {
  return kind === 'iban' ? formatIban(text) : text;
}

type Doc = InstanceType<typeof PDFDocument>;

function newDoc(layout: 'portrait' | 'landscape', info: { Title: string; Subject: string }): Doc {
  const doc = new PDFDocument({ size: 'A4', layout, margins: { top: 36, bottom: 20, left: 40, right: 40 }, autoFirstPage: false, bufferPages: false, info: { ...info, Author: 'CCC Treasury', Creator: 'CCC Treasury' } });
  doc.registerFont('regular', fontFile(FONT.regular));
  doc.registerFont('bold', fontFile(FONT.bold));
  doc.registerFont('mono', fontFile(FONT.mono));
  return doc;
}

/** Text cut to `width` with an ellipsis (measured in the current font). */
function fit(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

// ---- statement layout ------------------------------------------------------------------------

const COLS = [
  { key: 'date', title: 'Date (UTC)', width: 86, align: 'left' },
  { key: 'txid', title: 'Txid', width: 52, align: 'left' },
  { key: 'counterparty', title: 'Counterparty', width: 200, align: 'left' },
  { key: 'reference', title: 'Reference / note', width: 186, align: 'left' },
  { key: 'status', title: 'Status', width: 72, align: 'left' },
  { key: 'amount', title: 'Amount', width: 80, align: 'right' },
  { key: 'balance', title: 'Balance', width: 86, align: 'right' },
] as const;
const ROW_H = 13;
const PAD = 3;

/**
 * Draws (or, with `draw` false, only measures) the whole statement. The same code runs twice: first to
 * count the pages, then to draw them with "Page X of Y".
 */
async function layoutStatement(doc: Doc, s: Statement, draw: boolean, totalPages: number, pause: () => Promise<void> = async () => undefined): Promise<number> {
  const W = 841.89; // A4 landscape
  const H = 595.28;
  const left = 40;
  const right = W - 40;
  const bottom = H - 44;
  let page = 0;
  let y = 0;

  const text = (t: string, x: number, yy: number, o: { font?: 'regular' | 'bold' | 'mono'; size?: number; color?: string; width?: number; align?: 'left' | 'right' | 'center' } = {}) => {
    if (!draw) return;
    doc.font(o.font ?? 'regular').fontSize(o.size ?? 8).fillColor(o.color ?? INK);
    let content = t;
    let at = x;
    if (o.width !== undefined) {
      // Measure once, clip only what overflows, and place aligned text ourselves: pdfkit's own
      // width/align path runs its line wrapper for every cell, several times slower.
      let w = doc.widthOfString(content);
      if (w > o.width) {
        content = fit(doc, t, o.width);
        w = doc.widthOfString(content);
      }
      if (o.align === 'right') at = x + o.width - w;
      else if (o.align === 'center') at = x + (o.width - w) / 2;
    }
    doc.text(content, at, yy, { lineBreak: false });
  };
  const footer = () => {
    if (!draw) return;
    const fy = H - 30;
    doc.save().moveTo(left, fy - 4).lineTo(right, fy - 4).lineWidth(0.5).strokeColor(RULE).stroke().restore();
    text(`Entries signed by the CCC back office ${s.backOfficeKey} · verify: npx ccc-verify-statement FILE --key ${s.backOfficeKey}`, left, fy, { size: 6.5, color: MUTED, width: 560 });
    text(`Page ${page} of ${totalPages}`, right - 120, fy, { size: 7, color: MUTED, width: 120, align: 'right' });
  };
  const newPage = () => {
    if (page > 0) footer();
    page++;
    if (draw) doc.addPage();
    y = 36;
    if (page > 1) {
      text(`${s.holder.name ?? s.holder.address} · account statement ${periodText(s)}`, left, y, { size: 7.5, color: MUTED, width: 600 });
      y += 16;
    }
  };
  const need = (h: number) => {
    if (y + h > bottom) {
      newPage();
      return true;
    }
    return false;
  };

  // Letterhead.
  newPage();
  if (draw) doc.save().rect(0, 0, W, 64).fill(BRAND).restore();
  text('CCC Treasury', left, 18, { font: 'bold', size: 18, color: '#ffffff' });
  text('Crypto Capital account', left, 42, { size: 8.5, color: '#d8e6ea' });
  text('Account statement', right - 300, 18, { font: 'bold', size: 16, color: '#ffffff', width: 300, align: 'right' });
  text(periodText(s), right - 300, 42, { size: 8.5, color: '#d8e6ea', width: 300, align: 'right' });
  y = 80;
  const facts: [string, string][] = [
    ['Account holder', s.holder.name ?? '—'],
    ['IBAN', s.holder.iban ? formatIban(s.holder.iban) : 'not assigned yet'],
    ['CCC account', s.holder.address],
    ['Period (UTC)', periodText(s)],
    ['Generated at (UTC)', `${new Date(s.generatedAt).toISOString().replace('T', ' ').slice(0, 19)}`],
    ['Verified against', `back-office key ${s.backOfficeKey}`],
    ['Entries listed', s.listedNote ?? 'all entries of the period'],
  ];
  for (const [k, v] of facts) {
    text(k, left, y, { size: 8.5, color: MUTED, width: 110 });
    text(v, left + 115, y, { size: 8.5, font: k === 'Account holder' ? 'bold' : 'regular', width: 560 });
    y += 13;
  }

  // Balances per currency.
  y += 8;
  text('Balances', left, y, { font: 'bold', size: 11 });
  y += 17;
  const bcols = [
    ['Currency', 60, 'left'],
    ['Opening balance', 112, 'right'],
    ['Credits', 106, 'right'],
    ['Debits', 106, 'right'],
    ['Closing balance', 112, 'right'],
    ['Held (pending)', 112, 'right'],
    ['Closing booked balance', 112, 'right'],
  ] as const;
  const row = (cells: string[], bold: boolean, shade: boolean) => {
    need(ROW_H + 2);
    if (draw && shade) doc.save().rect(left, y - 2, right - left, ROW_H).fill(STRIPE).restore();
    let x = left;
    cells.forEach((c, i) => {
      const [, w, align] = bcols[i];
      text(c, x + PAD, y + 1, { size: 8, font: bold ? 'bold' : 'regular', width: w - 2 * PAD, align });
      x += w;
    });
    y += ROW_H;
  };
  row(bcols.map((b) => b[0]), true, true);
  for (const c of s.summaries) {
    const p = (m: bigint) => printAmount(m, c.currency);
    row([c.currency, p(c.opening), p(c.credits), p(c.debits), p(c.closing), p(c.closingHeld), p(c.closingBooked)], false, false);
  }
  y += 4;
  for (const line of [
    'Opening balance + credits + debits = closing balance, per currency, to the cent. Complete transfers are booked; pending IBAN payouts are held',
    '(reserved, not booked yet: closing booked balance = closing balance + held); failed payouts never moved money and count 0.',
  ]) {
    text(line, left, y, { size: 7.5, color: MUTED, width: right - left });
    y += 10;
  }

  // Entries, grouped by currency.
  const header = () => {
    if (draw) doc.save().rect(left, y - 2, right - left, ROW_H).fill(STRIPE).restore();
    let x = left;
    for (const c of COLS) {
      text(c.title, x + PAD, y + 1, { font: 'bold', size: 7.5, width: c.width - 2 * PAD, align: c.align });
      x += c.width;
    }
    y += ROW_H;
  };
  for (const c of s.summaries) {
    y += 10;
    need(18 + ROW_H * 3);
    text(`${c.currency} entries`, left, y, { font: 'bold', size: 11 });
    text(`opening ${printAmount(c.opening, c.currency)} ${c.currency}`, right - 300, y + 2, { size: 8, color: MUTED, width: 300, align: 'right' });
    y += 17;
    header();
    let any = false;
    let n = 0;
    for (const e of s.entries()) {
      if (e.currency !== c.currency) continue;
      any = true;
      // Let the file stream drain now and then: pdfkit writes each finished page, but only when the
      // event loop runs, so an unbroken loop would keep the whole file in memory.
      if (++n % 32 === 0) await pause();
      if (need(ROW_H)) header();
      entryRow(e);
    }
    if (!any) {
      text('No entries in this period.', left + PAD, y + 1, { size: 8, color: MUTED });
      y += ROW_H;
    }
    need(ROW_H + 4);
    if (draw) doc.save().moveTo(left, y).lineTo(right, y).lineWidth(0.5).strokeColor(RULE).stroke().restore();
    y += 3;
    text(`Closing balance ${c.currency}`, left + PAD, y + 1, { font: 'bold', size: 8 });
    text(printAmount(c.closing, c.currency), right - 160, y + 1, { font: 'bold', size: 8, width: 160 - PAD, align: 'right' });
    y += ROW_H;
  }
  footer();
  return page;

  function entryRow(e: StatementEntry): void {
    const failed = e.status === 'failed';
    const own = noteCell(e);
    const base = failed ? `not paid: ${printAmount(-e.instructed, e.currency)}${e.message ? ` — ${e.message}` : ''}${e.reference ? ` · ${e.reference}` : ''}` : (e.reference ?? '');
    // The user's own note follows the reference, marked as theirs (it is not part of the signed data).
    const note = own ? `${base}${base ? ' · ' : ''}Note: ${own}` : base;
    const cells: Record<(typeof COLS)[number]['key'], string> = {
      date: printDate(e.timestamp),
      txid: String(e.txid),
      counterparty: printCounterparty(e.counterparty, e.counterpartyKind),
      reference: note,
      status: e.status === 'pending' ? 'pending (held)' : e.status,
      amount: printAmount(e.amount, e.currency),
      balance: printAmount(e.balanceAfter, e.currency),
    };
    let x = left;
    for (const col of COLS) {
      text(cells[col.key], x + PAD, y + 2, { size: 7.5, color: failed && col.key !== 'reference' ? MUTED : INK, width: col.width - 2 * PAD, align: col.align });
      x += col.width;
    }
    if (draw) doc.save().moveTo(left, y + ROW_H - 0.5).lineTo(right, y + ROW_H - 0.5).lineWidth(0.25).strokeColor('#e3e8ec').stroke().restore();
    y += ROW_H;
  }
}

function periodText(s: Statement): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  // `to` is exclusive: the last day shown is the one before it when it falls on midnight.
  const last = new Date(s.to).toISOString().endsWith('T00:00:00.000Z') ? day(s.to - 1) : `${new Date(s.to).toISOString().replace('T', ' ').slice(0, 16)}`;
  return `${s.from === null ? 'from the first transaction' : day(s.from)} to ${last}`;
}

/**
 * pdfkit caches the glyph layout of every distinct word it has set (each date, amount and txid is one)
 * for the life of the document; on 100,000 rows that cache alone grows by hundreds of MiB. Clearing
 * it between pages keeps memory flat (its own field, re-created the way pdfkit creates it).
 */
function forgetLayouts(doc: Doc): void {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: unknown }> })._fontFamilies ?? {};
  for (const f of Object.values(families)) if (f.layoutCache) f.layoutCache = Object.create(null);
}

/** Writes the PDF statement; resolves with the number of entries and pages. */
export async function writePdfStatement(s: Statement, file: string): Promise<{ rows: number; pages: number }> {
  assertReconciles(s);
  const measure = newDoc('landscape', { Title: 'Account statement', Subject: '' });
  const pages = await layoutStatement(measure, s, false, 0);
  const doc = newDoc('landscape', { Title: `Account statement ${periodText(s)}`, Subject: `${s.holder.name ?? ''} ${s.holder.address}` });
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  const drawn = await layoutStatement(doc, s, true, pages, async () => {
    forgetLayouts(doc);
    if (out.writableNeedDrain) await new Promise<void>((r) => out.once('drain', () => r()));
    else await new Promise<void>((r) => setImmediate(r));
  });
  if (drawn !== pages) throw new Error(`PDF layout drew ${drawn} pages, measured ${pages}`);
  doc.end();
  await done;
  return { rows: s.entryCount, pages };
}

// ---- receipt ------------------------------------------------------------------------------------

export interface ReceiptInput {
  entry: StatementEntry;
  record: SignedRecord<TransferData>;
  holder: StatementHolder;
  backOfficeKey: string;
  generatedAt?: number;
}

/** A one-page payment receipt for one transaction: every field, its signed data and the key that verified it. */
export async function writeReceiptPdf(input: ReceiptInput, file: string): Promise<{ verified: boolean }> {
  const { entry: e, record } = input;
  if (record.data.txid !== e.txid) throw new Error('the signed record is not this transaction');
  const verified = verifySignedData(record.data, record.signed, input.backOfficeKey);
  const generatedAt = input.generatedAt ?? Date.now();
  const doc = newDoc('portrait', { Title: `Payment receipt ${e.txid}`, Subject: `${input.holder.address}` });
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  doc.addPage();
  const W = 595.28;
  const left = 48;
  const width = W - 2 * left;
  doc.save().rect(0, 0, W, 64).fill(BRAND).restore();
  doc.font('bold').fontSize(18).fillColor('#ffffff').text('CCC Treasury', left, 18, { lineBreak: false });
  doc.font('regular').fontSize(8.5).fillColor('#d8e6ea').text('Crypto Capital account', left, 42, { lineBreak: false });
  const title = e.direction === 'out' ? 'Payment receipt' : 'Credit advice';
  doc.font('bold').fontSize(16).fillColor('#ffffff').text(title, left, 18, { width, align: 'right', lineBreak: false });
  doc.font('regular').fontSize(8.5).fillColor('#d8e6ea').text(`Transaction ${e.txid}`, left, 42, { width, align: 'right', lineBreak: false });

  let y = 88;
  const sign = e.direction === 'out' ? -e.instructed : e.instructed;
  doc.font('bold').fontSize(22).fillColor(INK).text(`${printAmount(sign, e.currency)} ${e.currency}`, left, y, { lineBreak: false });
  const statusText = e.status === 'complete' ? 'Complete' : e.status === 'pending' ? 'Pending — the amount is held, not booked yet' : `Failed — no money moved${e.message ? `: ${e.message}` : ''}`;
  doc.font('regular').fontSize(10).fillColor(e.status === 'failed' ? '#a12a2a' : e.status === 'pending' ? '#8a5a00' : '#1f7a3d').text(statusText, left, y + 30, { width });
  y += 62;

  const from = e.direction === 'out' ? input.holder.address : e.counterparty;
  const to = e.direction === 'out' ? e.counterparty : input.holder.address;
  const show = (addr: string) => (addr === e.counterparty ? printCounterparty(addr, e.counterpartyKind) : addr);
  const fields: [string, string][] = [
    ['Transaction ID', String(e.txid)],
    ['Date (UTC)', new Date(e.timestamp).toISOString().replace('T', ' ').slice(0, 19)],
    ['Status', e.status],
    ['Direction', e.direction === 'out' ? 'debit (sent)' : 'credit (received)'],
    ['From', show(from)],
    ['To', show(to)],
    ['Amount', `${formatAmount(e.instructed, e.currency)} ${e.currency}`],
    ['Reference', e.reference ?? '—'],
    ...(e.message ? ([['Message', e.message]] as [string, string][]) : []),
    ...(noteCell(e) ? ([['Your note (not signed)', noteCell(e)]] as [string, string][]) : []),
    ['Account holder', input.holder.name ?? '—'],
    ['Account IBAN', input.holder.iban ? formatIban(input.holder.iban) : 'not assigned yet'],
    ['CCC account', input.holder.address],
  ];
  for (const [k, v] of fields) {
    doc.font('regular').fontSize(9).fillColor(MUTED).text(k, left, y, { width: 120, lineBreak: false });
    doc.font(k === 'Amount' ? 'bold' : 'regular').fontSize(9).fillColor(INK).text(v, left + 125, y, { width: width - 125 });
    y = Math.max(y + 15, doc.y + 3);
  }

  y += 10;
  doc.save().moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).strokeColor(RULE).stroke().restore();
  y += 10;
  doc.font('bold').fontSize(11).fillColor(INK).text('Proof', left, y);
  y = doc.y + 4;
  doc.font('regular').fontSize(9).fillColor(verified ? '#1f7a3d' : '#a12a2a').text(
    verified
      ? `✓ Signed by the CCC back office and verified against its key ${input.backOfficeKey}.`
      : `✗ The signature does NOT verify against ${input.backOfficeKey}. Do not rely on this receipt.`,
    left,
    y,
    { width },
  );
  y = doc.y + 8;
  doc.font('regular').fontSize(8).fillColor(MUTED).text('Signed data (RFC 8785 canonical JSON):', left, y);
  doc.font('mono').fontSize(7).fillColor(INK).text(canonicalJson(record.data), left, doc.y + 2, { width });
  doc.font('regular').fontSize(8).fillColor(MUTED).text('Signature (Bitcoin signed message, base64):', left, doc.y + 6);
  doc.font('mono').fontSize(7).fillColor(INK).text(record.signed, left, doc.y + 2, { width });
  doc.font('regular').fontSize(7.5).fillColor(MUTED).text(
    'Anyone can check this: the signature is a Bitcoin message signature of the canonical JSON above by the back-office key. ' +
      `Generated ${new Date(generatedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC by CCC Treasury.`,
    left,
    doc.y + 10,
    { width },
  );
  doc.end();
  await done;
  return { verified };
}
