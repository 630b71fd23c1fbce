// The audit trail of a team account as CSV (RFC 4180, UTF-8 with BOM, CRLF, like the statements:
// csv-stringify, formula-neutralised text). Each row carries the event's signed text and the back
// office's signature of it, so an auditor can check every row on its own against the back-office key
// (`ccc-verify-statement FILE --key ADDRESS`, audit-verify.ts).
import fs from 'node:fs';
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

export function detailsText(details: AuditEventData['details']): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${v === null ? '' : String(v)}`)
    .join('; ');
}
