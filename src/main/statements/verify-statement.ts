// `ccc-verify-statement FILE --key ADDRESS`: checks a statement without trusting us or the app.
// Reads both files as streams. From the companion FILE.signatures.jsonl it re-checks every entry's back-office signature against
// the key the auditor gives, recomputes per currency opening + entries = closing from signed data
// alone, and compares that with what the statement says (CSV: header block and every row; camt.053:
// balances and every entry; PDF: only the signed file — compare its printed balances with the
// figures this prints). Pure functions plus a small CLI entry (runVerifyCli).
import fs from 'node:fs';
import readline from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { SaxesParser } from 'saxes';
import type { SignedRecord, TransferData, TransferStatus } from '../../shared/protocol';
import { verifyMessageSignature, verifySignedData } from '../../shared/node/message-signature';
import { isSupportedCurrency, type CurrencyCode } from '../../shared/currencies';
import { formatAmount, parseWireAmount } from '../../shared/money';
import { effectOf } from '../../shared/balance-effect';
import { BALANCE_COLUMNS, CSV_LABELS } from './csv-statement';
import { SIGNATURES_FORMAT, signaturesPathFor, type SignaturesHeader } from './signatures-file';
import type { BoundBalance } from '../../shared/protocol';
import { canonicalJson } from '../../shared/canonical-json';
import { isAuditCsv, verifyAuditCsv } from './audit-verify';

export interface SignedEntry {
  txid: number;
  currency: CurrencyCode;
  direction: 'in' | 'out';
  status: TransferStatus;
  instructed: bigint;
  amount: bigint;
  booked: bigint;
}

export interface Totals {
  opening: bigint;
  closing: bigint;
  openingBooked: bigint;
  closingBooked: bigint;
}

export interface VerifyReport {
  ok: boolean;
  problems: string[];
  notes: string[];
  records: number;
  entries: number;
  totals: Map<CurrencyCode, Totals>;
}

const MAX_PROBLEMS_LISTED = 50;

/** Reads and checks the signatures file: signatures, account, duplicates; computes the signed totals. */
export async function checkSignatures(
  file: string,
  key: string,
): Promise<{ header: SignaturesHeader | null; period: Map<number, SignedEntry>; totals: Map<CurrencyCode, Totals>; records: number; problems: string[]; balanceAt: number | null }> {
  const problems: string[] = [];
  const period = new Map<number, SignedEntry>();
  const totals = new Map<CurrencyCode, Totals>();
  const seen = new Set<number>();
  let header: SignaturesHeader | null = null;
  let records = 0;
  // The back office's signed balance (optional line 2) and what the signed records add up to at its time.
  let balance: { at: number; data: Record<string, string> } | null = null;
  const availableAt = new Map<string, bigint>();
  let lineNo = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`signatures line ${lineNo}: not JSON`);
      continue;
    }
    if (lineNo === 1) {
      const h = value as SignaturesHeader;
      if (h?.format !== SIGNATURES_FORMAT) {
        problems.push(`signatures line 1: not a ${SIGNATURES_FORMAT} header`);
        return { header: null, period, totals, records, problems, balanceAt: null };
      }
      header = h;
      if (h.key !== key) problems.push(`the signatures file says it was verified against ${h.key}, not the key you gave (${key}); every signature is checked against yours`);
      continue;
    }
    const proof = (value as { balance?: BoundBalance }).balance;
    if (lineNo === 2 && proof) {
      const problem = header ? balanceProblem(proof, header.account, key) : 'no header';
      if (problem) problems.push(`the signed balance: ${problem}`);
      else balance = { at: proof.bind.at, data: proof.data as Record<string, string> };
      continue;
    }
    records++;
    const r = value as SignedRecord<TransferData>;
    const d = r?.data;
    if (!d || typeof d !== 'object' || typeof d.txid !== 'number') {
      problems.push(`signatures line ${lineNo}: not a signed transfer record`);
      continue;
    }
    if (!verifySignedData(d, r.signed, key)) {
      problems.push(`transaction ${d.txid}: its signature does not verify against ${key} (the record was changed or not signed by this back office)`);
      continue;
    }
    if (!header || (d.sender !== header.account && d.destination !== header.account)) {
      problems.push(`transaction ${d.txid}: does not concern account ${header?.account}`);
      continue;
    }
    if (seen.has(d.txid)) {
      problems.push(`transaction ${d.txid}: appears twice`);
      continue;
    }
    seen.add(d.txid);
    if (!isSupportedCurrency(d.currency)) {
      problems.push(`transaction ${d.txid}: unknown currency ${String(d.currency)}`);
      continue;
    }
    if (d.timestamp >= header.to || (header.currency && d.currency !== header.currency)) {
      problems.push(`transaction ${d.txid}: outside the statement (after its end, or another currency)`);
      continue;
    }
    const direction = d.sender === header.account ? 'out' : 'in';
    const status: TransferStatus = d.status ?? 'complete';
    const instructed = parseWireAmount(d.amount, d.currency);
    const { amount, booked } = effectOf(direction, status, instructed);
    let t = totals.get(d.currency);
    if (!t) totals.set(d.currency, (t = { opening: 0n, closing: 0n, openingBooked: 0n, closingBooked: 0n }));
    const before = header.from !== null && d.timestamp < header.from;
    if (before) {
      t.opening += amount;
      t.openingBooked += booked;
    } else {
      period.set(d.txid, { txid: d.txid, currency: d.currency, direction, status, instructed, amount, booked });
    }
    t.closing += amount;
    t.closingBooked += booked;
    if (balance && d.timestamp <= balance.at) availableAt.set(d.currency, (availableAt.get(d.currency) ?? 0n) + amount);
  }
  if (!header) problems.push('the signatures file is empty');
  if (balance) {
    // Completeness: the back office's own balance at its time must equal what the signed records add up to.
    for (const cur of new Set([...Object.keys(balance.data), ...availableAt.keys()])) {
      if (!isSupportedCurrency(cur)) continue;
      const signedBalance = balance.data[cur] !== undefined ? parseWireAmount(balance.data[cur].replace(/^-/, ''), cur) * (balance.data[cur].startsWith('-') ? -1n : 1n) : 0n;
      const fromRecords = availableAt.get(cur) ?? 0n;
      if (signedBalance !== fromRecords) {
        problems.push(`${cur}: the back office signed an available balance of ${formatAmount(signedBalance, cur)} at ${new Date(balance.at).toISOString()}, but the signed records add up to ${formatAmount(fromRecords, cur)} — an entry is missing from the statement, or one changed state since`);
      }
    }
  }
  return { header, period, totals, records, problems, balanceAt: balance?.at ?? null };
}

type StatedBalances = Map<string, { opening: string; closing: string; booked?: { opening?: string; closing: string } }>;
type StatedEntry = { txid: number; currency: string; amount: string; status: string };

type Stated = { account: string | null; key?: string | null; partial: boolean; balances: StatedBalances; entries: StatedEntry[]; problems: string[] };

/** Reads a CSV statement record by record (streamed): the header block, then every entry row. */
async function readCsvStatement(file: string): Promise<Stated> {
  const stated: Stated = { account: null, key: null, partial: false, balances: new Map(), entries: [], problems: [] };
  let cols: string[] | null = null;
  const records = fs.createReadStream(file).pipe(parseCsv({ bom: true, relax_column_count: true }));
  for await (const r of records as AsyncIterable<string[]>) {
    if (cols) {
      const at = (name: string) => r[cols!.indexOf(name)];
      stated.entries.push({ txid: Number(at('Transaction ID')), currency: at('Currency'), amount: at('Amount'), status: at('Status') });
      continue;
    }
    if (r[0] === 'Date (UTC)') cols = r;
    else if (r[0] === CSV_LABELS.account) stated.account = r[1];
    else if (r[0] === CSV_LABELS.key) stated.key = r[1];
    else if (r[0] === CSV_LABELS.listed) stated.partial = r[1].startsWith('only');
    else if (r[0] === CSV_LABELS.balance) {
      const col = (name: string) => r[1 + BALANCE_COLUMNS.indexOf(name)];
      stated.balances.set(r[1], { opening: col('Opening balance'), closing: col('Closing balance'), booked: { closing: col('Closing booked balance') } });
    }
  }
  if (!cols) stated.problems.push('the CSV has no column header row ("Date (UTC)", …)');
  return stated;
}

/** Reads a camt.053 statement with a streaming XML parser: per <Stmt> its balances, every <Ntry>. */
async function readCamtStatement(file: string): Promise<Stated> {
  const stated: Stated = { account: null, partial: false, balances: new Map(), entries: [], problems: [] };
  const parser = new SaxesParser({ xmlns: false });
  const path: string[] = [];
  let text = '';
  let ccy = '';
  let bals = new Map<string, string>();
  let bal = { code: '', amount: '', sign: '' };
  let ntry = { ref: '', amount: '', sign: '', status: '' };
  const signed = (amount: string, sign: string) => (sign === 'DBIT' ? `-${amount}` : amount);
  parser.on('opentag', (t) => {
    path.push(t.name);
    text = '';
    const where = path.join('/');
    if (where === 'Document/BkToCstmrStmt/Stmt') bals = new Map();
    if (where.endsWith('Stmt/Bal')) bal = { code: '', amount: '', sign: '' };
    if (where.endsWith('Stmt/Ntry')) ntry = { ref: '', amount: '', sign: '', status: '' };
  });
  parser.on('text', (t) => (text += t));
  parser.on('closetag', () => {
    const where = path.join('/');
    const value = text.trim();
    if (where.endsWith('Stmt/Acct/Ccy')) ccy = value;
    else if (where.endsWith('Stmt/Acct/Prxy/Id')) stated.account = value;
    else if (where.endsWith('Stmt/AddtlStmtInf')) stated.partial = true;
    else if (where.endsWith('Stmt/Bal/Tp/CdOrPrtry/Cd')) bal.code = value;
    else if (where.endsWith('Stmt/Bal/Amt')) bal.amount = value;
    else if (where.endsWith('Stmt/Bal/CdtDbtInd')) bal.sign = value;
    else if (where.endsWith('Stmt/Bal')) bals.set(bal.code, signed(bal.amount, bal.sign));
    else if (where.endsWith('Stmt/Ntry/NtryRef')) ntry.ref = value;
    else if (where.endsWith('Stmt/Ntry/Amt')) ntry.amount = value;
    else if (where.endsWith('Stmt/Ntry/CdtDbtInd')) ntry.sign = value;
    else if (where.endsWith('Stmt/Ntry/Sts/Cd')) ntry.status = value;
    else if (where.endsWith('Stmt/Ntry')) {
      const status = ntry.status === 'BOOK' ? 'complete' : ntry.status === 'PDNG' ? 'pending' : ntry.status;
      stated.entries.push({ txid: Number(ntry.ref), currency: ccy, amount: signed(ntry.amount, ntry.sign), status });
    } else if (where === 'Document/BkToCstmrStmt/Stmt') {
      stated.balances.set(ccy, { opening: bals.get('OPAV') ?? '', closing: bals.get('CLAV') ?? '', booked: { opening: bals.get('OPBD') ?? '', closing: bals.get('CLBD') ?? '' } });
    }
    path.pop();
    text = '';
  });
  try {
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' })) parser.write(chunk as string);
    parser.close();
  } catch (e) {
    stated.problems.push(`not a well-formed XML file: ${(e as Error).message}`);
  }
  if (stated.balances.size === 0 && stated.problems.length === 0) stated.problems.push('not a camt.053 document (no <Stmt>)');
  return stated;
}

/** Verifies a statement file (CSV, camt.053 XML or PDF) with its signatures file against `key`. */
export async function verifyStatement(file: string, key: string): Promise<VerifyReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const sigFile = signaturesPathFor(file);
  if (!fs.existsSync(file)) return { ok: false, problems: [`${file}: no such file`], notes, records: 0, entries: 0, totals: new Map() };
  if (!fs.existsSync(sigFile)) return { ok: false, problems: [`${sigFile}: no such file (the signatures come in a companion file next to the statement)`], notes, records: 0, entries: 0, totals: new Map() };
  const sig = await checkSignatures(sigFile, key);
  problems.push(...sig.problems);
  const header = sig.header;
  const fmt = (m: bigint, c: CurrencyCode) => formatAmount(m, c);

  const lower = file.toLowerCase();
  const stated = lower.endsWith('.csv') ? await readCsvStatement(file) : lower.endsWith('.xml') ? await readCamtStatement(file) : null;
  if (!stated) notes.push('PDF and other formats: the statement file itself is not read; compare its printed balances with the signed figures below.');
  if (sig.balanceAt !== null) notes.push(`Complete: the back office's signed balance at ${new Date(sig.balanceAt).toISOString()} equals what the signed records add up to, so no entry is missing.`);
  else notes.push('No signed balance in the signatures file (a filtered statement, or one that ends in the past): entries could be checked, but not that none is missing.');
  if (stated && header) {
    problems.push(...stated.problems);
    if (stated.account && stated.account !== header.account) problems.push(`the statement is for ${stated.account} but its signatures are for ${header.account}`);
    if (stated.key && stated.key !== key) problems.push(`the statement names back-office key ${stated.key}, not ${key}`);
    const isCamt = lower.endsWith('.xml');
    // Balances: what the statement says must equal what the signed records add up to.
    for (const [cur, t] of sig.totals) {
      const s = stated.balances.get(cur);
      if (!s) {
        problems.push(`${cur}: signed transactions exist but the statement states no ${cur} balance`);
        continue;
      }
      if (s.opening !== fmt(t.opening, cur)) problems.push(`${cur}: the statement's opening balance ${s.opening} is not the signed ${fmt(t.opening, cur)}`);
      if (s.closing !== fmt(t.closing, cur)) problems.push(`${cur}: the statement's closing balance ${s.closing} is not the signed ${fmt(t.closing, cur)}`);
      if (s.booked?.closing && s.booked.closing !== fmt(t.closingBooked, cur)) problems.push(`${cur}: the statement's closing booked balance ${s.booked.closing} is not the signed ${fmt(t.closingBooked, cur)}`);
      if (s.booked?.opening && s.booked.opening !== fmt(t.openingBooked, cur)) problems.push(`${cur}: the statement's opening booked balance ${s.booked.opening} is not the signed ${fmt(t.openingBooked, cur)}`);
    }
    for (const cur of stated.balances.keys()) {
      if (!sig.totals.has(cur as CurrencyCode)) {
        const s = stated.balances.get(cur)!;
        if (!/^-?0(\.0+)?$/.test(s.opening) || !/^-?0(\.0+)?$/.test(s.closing)) problems.push(`${cur}: the statement states balances but no signed transaction supports them`);
      }
    }
    // Entries: each one the statement lists must be signed, with the same currency, amount and status.
    const listed = new Set<number>();
    const sums = new Map<string, bigint>();
    for (const e of stated.entries) {
      const s = sig.period.get(e.txid);
      if (!s) {
        problems.push(`transaction ${e.txid}: listed in the statement but not among its signed records for the period`);
        continue;
      }
      listed.add(e.txid);
      const expected = isCamt ? fmt(s.direction === 'out' ? -s.instructed : s.instructed, s.currency) : fmt(s.amount, s.currency);
      if (e.currency !== s.currency || e.amount !== expected || e.status !== s.status) {
        problems.push(`transaction ${e.txid}: the statement says ${e.amount} ${e.currency} ${e.status}, the signed record says ${expected} ${s.currency} ${s.status}`);
      }
      if (isSupportedCurrency(e.currency)) {
        try {
          const m = e.amount.startsWith('-') ? -parseWireAmount(e.amount.slice(1), e.currency) : parseWireAmount(e.amount, e.currency);
          const counts = isCamt ? e.status === 'complete' : true;
          if (counts) sums.set(e.currency, (sums.get(e.currency) ?? 0n) + m);
        } catch {
          problems.push(`transaction ${e.txid}: amount ${e.amount} is not a ${e.currency} amount`);
        }
      }
    }
    if (!stated.partial) {
      for (const s of sig.period.values()) {
        const expectedListed = !(isCamt && s.status === 'failed');
        if (expectedListed && !listed.has(s.txid)) problems.push(`transaction ${s.txid}: signed, in the period, but missing from the statement`);
      }
      // The statement's own arithmetic: opening + Σ entries = closing (camt: booked balances and BOOK entries).
      for (const [cur, s] of stated.balances) {
        if (!isSupportedCurrency(cur)) continue;
        const parse = (v: string | undefined) => (v ? (v.startsWith('-') ? -parseWireAmount(v.slice(1), cur) : parseWireAmount(v, cur)) : 0n);
        try {
          const open = isCamt ? parse(s.booked?.opening) : parse(s.opening);
          const close = isCamt ? parse(s.booked?.closing) : parse(s.closing);
          const sum = sums.get(cur) ?? 0n;
          if (open + sum !== close) problems.push(`${cur}: the statement does not add up: ${fmt(open, cur)} + ${fmt(sum, cur)} ≠ ${fmt(close, cur)}`);
        } catch {
          problems.push(`${cur}: a stated balance is not a ${cur} amount`);
        }
      }
    } else {
      notes.push('The statement lists only some entries (a status filter): entries were checked one by one; the balances against the signed records.');
    }
    return { ok: problems.length === 0, problems, notes, records: sig.records, entries: stated.entries.length, totals: sig.totals };
  }
  return { ok: problems.length === 0, problems, notes, records: sig.records, entries: sig.period.size, totals: sig.totals };
}

/** The command line: prints a clear verdict; resolves with the exit code (0 verified, 1 not). */
export async function runVerifyCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const args = [...argv];
  const keyAt = args.indexOf('--key');
  const key = keyAt >= 0 ? args[keyAt + 1] : undefined;
  if (keyAt >= 0) args.splice(keyAt, 2);
  const file = args.find((a) => !a.startsWith('-'));
  if (!file || !key || args.includes('--help') || args.includes('-h')) {
    out('usage: ccc-verify-statement FILE --key <back-office address>');
    out('  FILE is a statement exported by CCC Treasury (.csv, .xml camt.053 or .pdf) with FILE.signatures.jsonl beside it,');
    out('  or a team account\'s audit trail (.csv; its signatures are in its rows).');
    return args.includes('--help') || args.includes('-h') ? 0 : 1;
  }
  // A team account's audit trail (audit-csv.ts): every row checked on its own.
  if (isAuditCsv(file)) {
    const audit = verifyAuditCsv(file, key);
    out(`audit trail: ${file} (account ${audit.account ?? '?'}, ${audit.events} events)`);
    out(`back-office key: ${key}`);
    if (audit.ok) {
      out(`VERIFIED: every event is signed by ${key}, each row says what its signed event says, numbered without a gap.`);
      return 0;
    }
    for (const p of audit.problems.slice(0, MAX_PROBLEMS_LISTED)) out(`problem: ${p}`);
    if (audit.problems.length > MAX_PROBLEMS_LISTED) out(`… and ${audit.problems.length - MAX_PROBLEMS_LISTED} more problems`);
    out(`NOT VERIFIED: ${audit.problems.length} problem${audit.problems.length === 1 ? '' : 's'}.`);
    return 1;
  }
  const report = await verifyStatement(file, key);
  out(`statement: ${file}`);
  out(`signatures: ${signaturesPathFor(file)} (${report.records} signed records)`);
  out(`back-office key: ${key}`);
  for (const [cur, t] of [...report.totals.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out(`  ${cur}: opening ${formatAmount(t.opening, cur)}, closing ${formatAmount(t.closing, cur)} (booked ${formatAmount(t.openingBooked, cur)} → ${formatAmount(t.closingBooked, cur)}), from signed records`);
  }
  for (const n of report.notes) out(`note: ${n}`);
  if (report.ok) {
    out(`VERIFIED: every signature checks out against ${key}, and opening + entries = closing in every currency.`);
    return 0;
  }
  for (const p of report.problems.slice(0, MAX_PROBLEMS_LISTED)) out(`problem: ${p}`);
  if (report.problems.length > MAX_PROBLEMS_LISTED) out(`… and ${report.problems.length - MAX_PROBLEMS_LISTED} more problems`);
  out(`NOT VERIFIED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}.`);
  return 1;
}

/** Why a signed balance line is not the back office's balance of this account, or null when it is. */
function balanceProblem(b: BoundBalance, account: string, key: string): string | null {
  if (!b || typeof b !== 'object' || !b.bind || typeof b.bindSigned !== 'string') return 'malformed';
  if (!verifySignedData(b.data, b.signed, key)) return `its signature does not verify against ${key}`;
  if (!verifyMessageSignature(canonicalJson({ bind: b.bind, data: b.data }), key, b.bindSigned)) return `its binding does not verify against ${key}`;
  if (b.bind.account !== account || b.bind.msg !== 'balance' || !Number.isSafeInteger(b.bind.at)) return `it is not a balance of account ${account}`;
  return null;
}
