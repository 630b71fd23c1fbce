// ISO 20022 camt.053.001.08 (BankToCustomerStatementV08): the statement format ERPs and treasury
// systems import. One <Stmt> per currency. Balances: OPBD/CLBD (booked) and OPAV/CLAV (available,
// the figure the app shows). Entries: complete transfers are booked (Sts BOOK); pending IBAN payouts
// are listed as pending (Sts PDNG: held, not booked); failed payouts are excluded (they never moved
// money). So OPBD + Σ BOOK = CLBD and OPAV + Σ BOOK + Σ PDNG = CLAV, exactly as the CSV reconciles.
// Validated against the official XSD (schemas/iso20022) in the tests. Streamed, bounded memory.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatAmount } from '../../shared/money';
import { assertReconciles, type CurrencySummary, type Statement, type StatementEntry } from './statement-model';

export const CAMT053_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';

/** XML text escaping; characters XML 1.0 cannot carry at all are dropped. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** At most `max` characters (code points), for the schema's MaxNText types. */
function clip(text: string, max: number): string {
  const cps = [...text];
  return cps.length <= max ? text : `${cps.slice(0, max - 1).join('')}…`;
}

const dateTime = (ms: number) => new Date(ms).toISOString();

function amountAndSign(minor: bigint, currency: string, indent: string): string {
  const abs = minor < 0n ? -minor : minor;
  return `${indent}<Amt Ccy="${currency}">${formatAmount(abs, currency as never)}</Amt>\n${indent}<CdtDbtInd>${minor < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd>\n`;
}

function balance(code: 'OPBD' | 'CLBD' | 'OPAV' | 'CLAV', minor: bigint, currency: string, at: number): string {
  return `      <Bal>\n        <Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>\n${amountAndSign(minor, currency, '        ')}        <Dt><DtTm>${dateTime(at)}</DtTm></Dt>\n      </Bal>\n`;
}

function account(s: Statement, currency: string): string {
  const h = s.holder;
  // A CCC address (up to 62 characters) does not fit the 34 characters of Othr/Id: it goes in Prxy.
  const id = h.iban ? `<IBAN>${xmlText(h.iban)}</IBAN>` : `<Othr><Id>NOTASSIGNED</Id><SchmeNm><Prtry>CCC account without IBAN</Prtry></SchmeNm></Othr>`;
  return (
    `      <Acct>\n        <Id>${id}</Id>\n        <Ccy>${currency}</Ccy>\n` +
    `        <Prxy><Tp><Prtry>CCC ADDRESS</Prtry></Tp><Id>${xmlText(h.address)}</Id></Prxy>\n` +
    (h.name ? `        <Ownr><Nm>${xmlText(clip(h.name, 140))}</Nm></Ownr>\n` : '') +
    `      </Acct>\n`
  );
}

function counterpartyAccount(e: StatementEntry): string {
  return e.counterpartyKind === 'iban' ? `<Id><IBAN>${xmlText(e.counterparty)}</IBAN></Id>` : `<Id><Othr><Id>CCC</Id></Othr></Id><Prxy><Tp><Prtry>CCC ADDRESS</Prtry></Tp><Id>${xmlText(e.counterparty)}</Id></Prxy>`;
}

function entry(e: StatementEntry): string {
  const booked = e.status === 'complete';
  const family = e.direction === 'out' ? 'ICDT' : 'RCDT';
  // BOOK: internal book transfer between CCC accounts; OTHR: a transfer to or from an IBAN.
  const subFamily = e.counterpartyKind === 'address' ? 'BOOK' : 'OTHR';
  const party = e.direction === 'out' ? 'Cdtr' : 'Dbtr';
  const txid = String(e.txid);
  return (
    `      <Ntry>\n        <NtryRef>${txid}</NtryRef>\n` +
    amountAndSign(e.direction === 'out' ? -e.instructed : e.instructed, e.currency, '        ') +
    `        <Sts><Cd>${booked ? 'BOOK' : 'PDNG'}</Cd></Sts>\n` +
    (booked ? `        <BookgDt><DtTm>${dateTime(e.timestamp)}</DtTm></BookgDt>\n` : '') +
    `        <ValDt><DtTm>${dateTime(e.timestamp)}</DtTm></ValDt>\n` +
    `        <AcctSvcrRef>${txid}</AcctSvcrRef>\n` +
    `        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${family}</Cd><SubFmlyCd>${subFamily}</SubFmlyCd></Fmly></Domn><Prtry><Cd>CCC-TRANSFER</Cd><Issr>CCC</Issr></Prtry></BkTxCd>\n` +
    `        <NtryDtls><TxDtls>\n` +
    `          <Refs><AcctSvcrRef>${txid}</AcctSvcrRef><TxId>${txid}</TxId></Refs>\n` +
    amountAndSign(e.direction === 'out' ? -e.instructed : e.instructed, e.currency, '          ') +
    `          <RltdPties><${party}Acct>${counterpartyAccount(e)}</${party}Acct></RltdPties>\n` +
    (e.reference ? `          <RmtInf><Ustrd>${xmlText(clip(e.reference, 140))}</Ustrd></RmtInf>\n` : '') +
    `        </TxDtls></NtryDtls>\n` +
    (booked ? '' : `        <AddtlNtryInf>Pending IBAN payout: the amount is held (reserved), not booked yet.</AddtlNtryInf>\n`) +
    `      </Ntry>\n`
  );
}

function* statementXml(s: Statement): Generator<string> {
  const msgId = `CCC-${s.generatedAt}-${s.holder.address.slice(-8)}`.slice(0, 35);
  const firstDay = s.from ?? s.generatedAt;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="${CAMT053_NAMESPACE}">\n  <BkToCstmrStmt>\n`;
  yield `    <GrpHdr>\n      <MsgId>${xmlText(msgId)}</MsgId>\n      <CreDtTm>${dateTime(s.generatedAt)}</CreDtTm>\n`;
  yield `      <AddtlInf>${xmlText(`Entries signed by the CCC back office ${s.backOfficeKey}; verify with ccc-verify-statement and the .signatures.jsonl file.`)}</AddtlInf>\n    </GrpHdr>\n`;
  const summaries: CurrencySummary[] = s.summaries.length ? s.summaries : [];
  for (const [i, c] of summaries.entries()) {
    const from = s.from ?? Math.min(firstDay, s.to);
    yield `    <Stmt>\n      <Id>${xmlText(`${msgId.slice(0, 30)}-${i + 1}`)}</Id>\n      <ElctrncSeqNb>${i + 1}</ElctrncSeqNb>\n      <CreDtTm>${dateTime(s.generatedAt)}</CreDtTm>\n`;
    yield `      <FrToDt><FrDtTm>${dateTime(from)}</FrDtTm><ToDtTm>${dateTime(s.to)}</ToDtTm></FrToDt>\n`;
    yield account(s, c.currency);
    yield balance('OPBD', c.openingBooked, c.currency, from);
    yield balance('CLBD', c.closingBooked, c.currency, s.to);
    yield balance('OPAV', c.opening, c.currency, from);
    yield balance('CLAV', c.closing, c.currency, s.to);
    for (const e of s.entries()) {
      if (e.currency !== c.currency || e.status === 'failed') continue;
      yield entry(e);
    }
    if (s.listedNote) yield `      <AddtlStmtInf>${xmlText(s.listedNote.replace(/^only/, 'Only'))}.</AddtlStmtInf>\n`;
    yield `    </Stmt>\n`;
  }
  yield `  </BkToCstmrStmt>\n</Document>\n`;
}

/** Writes the camt.053 file; resolves with the number of entries written (failed payouts are excluded). */
export async function writeCamt053Statement(s: Statement, file: string): Promise<{ rows: number }> {
  assertReconciles(s);
  if (s.summaries.length === 0) throw new RangeError('a camt.053 statement needs at least one currency');
  let rows = 0;
  const counted = (function* () {
    for (const chunk of statementXml(s)) {
      if (chunk.startsWith('      <Ntry>')) rows++;
      yield chunk;
    }
  })();
  await pipeline(Readable.from(counted), fs.createWriteStream(file, { encoding: 'utf8', mode: 0o600 }));
  return { rows };
}
