// The audit trail of a team account as CSV (RFC 4180, UTF-8 with BOM, CRLF, like the statements:
// csv-stringify, formula-neutralised text), and its check. Each row carries the event's signed text and
// the back office's signature of it, so an auditor can check every row on its own against the back-office
// key: `ccc-verify-statement FILE --key ADDRESS` does (verifyAuditCsv): every signature, that each row's
// columns say what its signed text says, that the events are the account's and numbered without a gap.
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import type { AuditEventData } from '../../shared/protocol';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { AuditEntry } from '../../shared/app-api';
import { neutralise } from './csv-statement';

export const AUDIT_TITLE = 'Audit trail';

export const AUDIT_COLUMNS = ['Seq', 'Date (UTC)', 'Event', 'Actor', 'Gateway', 'Details', 'Signed data', 'Back-office signature'];

export function* auditRecords(account: string, backOfficeKey: string, events: AuditEntry[], generatedAt: number): Generator<string[]> {
  const pad = (r: string[]) => [...r, ...Array<string>(AUDIT_COLUMNS.length - r.length).fill('')];
  yield pad([AUDIT_TITLE, account]);
  yield pad(['Back-office key', backOfficeKey]);
  yield pad(['Generated at', new Date(generatedAt).toISOString()]);
  yield pad(['Events', String(events.length)]);
  yield pad([]);
  yield AUDIT_COLUMNS;
  for (const e of events) {
    yield [String(e.seq), new Date(e.at).toISOString(), e.kind, e.actor ?? '', e.gateway ?? '', neutralise(detailsText(e.details)), e.signedData, e.signature];
  }
}

export async function writeAuditCsv(file: string, account: string, backOfficeKey: string, events: AuditEntry[]): Promise<{ rows: number }> {
  await pipeline(Readable.from(auditRecords(account, backOfficeKey, events, Date.now())), stringify({ bom: true, record_delimiter: 'windows' }), fs.createWriteStream(file, { mode: 0o600 }));
  return { rows: events.length };
}

function detailsText(details: AuditEventData['details']): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${v === null ? '' : String(v)}`)
    .join('; ');
}

/** Whether `file` is an audit trail exported by the app (its first cell). */
export function isAuditCsv(file: string): boolean {
  try {
    const head = fs.readFileSync(file, 'utf8').slice(0, 64).replace(/^\uFEFF/, '');
    return head.startsWith(`${AUDIT_TITLE},`);
  } catch {
    return false;
  }
}

export interface AuditCheck {
  ok: boolean;
  account: string | null;
  events: number;
  problems: string[];
}

/** Checks an exported audit trail against the back-office key: every row's signature and columns, the account, no gap. */
export function verifyAuditCsv(file: string, key: string): AuditCheck {
  const problems: string[] = [];
  const rows = parseCsv(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
  const account = rows[0]?.[0] === AUDIT_TITLE ? rows[0][1] : null;
  if (!account) return { ok: false, account: null, events: 0, problems: ['not an audit trail exported by CCC Treasury'] };
  const stated = rows.find((r) => r[0] === 'Back-office key')?.[1];
  if (stated && stated !== key) problems.push(`the file names the back-office key ${stated}, not ${key}`);
  const start = rows.findIndex((r) => r[0] === AUDIT_COLUMNS[0] && r[1] === AUDIT_COLUMNS[1]);
  if (start < 0) return { ok: false, account, events: 0, problems: ['no table of events'] };
  const events = rows.slice(start + 1).filter((r) => r.some((c) => c !== ''));
  let previous: number | null = null;
  for (const r of events) {
    const [seq, date, kind, actor, gateway, details, signedData, signature] = r;
    const where = `row ${seq}`;
    if (!verifyMessageSignature(signedData ?? '', key, signature ?? '')) {
      problems.push(`${where}: the signature does not verify against ${key}`);
      continue;
    }
    let e: AuditEventData;
    try {
      e = JSON.parse(signedData) as AuditEventData;
    } catch {
      problems.push(`${where}: the signed data is not JSON`);
      continue;
    }
    if (e.account !== account) problems.push(`${where}: the signed event is of account ${e.account}, not ${account}`);
    const shown: [string, string, string][] = [
      ['seq', seq, String(e.seq)],
      ['date', date, new Date(e.at).toISOString()],
      ['event', kind, e.kind],
      ['actor', actor, e.actor ?? ''],
      ['gateway', gateway, e.gateway ?? ''],
      ['details', details, neutralise(detailsText(e.details))],
    ];
    for (const [name, column, signed] of shown) if (column !== signed) problems.push(`${where}: ${name} says "${column}", the signed event "${signed}"`);
    if (previous !== null && e.seq !== previous + 1) problems.push(`${where}: event ${previous + 1} is missing (events are numbered without gaps)`);
    previous = e.seq;
  }
  return { ok: problems.length === 0, account, events: events.length, problems };
}
