// Checks an audit trail exported as CSV (audit-csv.ts) against the back-office key, for
// `ccc-verify-statement`: every row's signature, that its columns say what its signed event says, the
// account, and that the events are numbered without a gap. Kept apart from the writer so the app's bundle
// does not load the CSV parser.
import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import type { AuditEventData } from '../../shared/protocol';
import { neutralise } from './csv-statement';
import { AUDIT_COLUMNS, AUDIT_TITLE, detailsText } from './audit-csv';

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
