// The companion `<statement>.signatures.jsonl` that makes a statement verifiable without trusting
// us or the app: a header line naming the back-office key, the account and the period, then one
// line per signed message `{"data":…,"signed":…}` exactly as the back office signed it (the signature
// is over the RFC 8785 canonical JSON of `data`). It carries every transaction that makes up the
// opening balances as well as the period's entries (all statuses), so `ccc-verify-statement` can
// recompute opening + entries = closing from signed data alone. Streamed line by line.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Statement } from './statement-model';
import type { BoundBalance } from '../../shared/protocol';

export const SIGNATURES_FORMAT = 'ccc-statement-signatures/1';

export interface SignaturesHeader {
  format: typeof SIGNATURES_FORMAT;
  /** The back-office address whose signatures the records carry. */
  key: string;
  /** The account the statement is for (its CCC address). */
  account: string;
  /** Inclusive start (epoch ms), null: from the account's first transaction. */
  from: number | null;
  /** Exclusive end (epoch ms). */
  to: number;
  currency: string | null;
  status: string | null;
  generatedAt: number;
  /** File name of the statement these signatures belong to. */
  statement: string;
}

export function signaturesPathFor(file: string): string {
  return `${file}.signatures.jsonl`;
}

/**
 * Writes `<file>.signatures.jsonl` next to the statement; resolves with the number of signed records.
 * `balance`: the back office's signed, bound balance of the whole account (a line `{"balance": …}` after the
 * header), which lets a verifier tell that no entry was left out of a statement that runs up to now.
 */
export async function writeSignaturesFile(s: Statement, statementFile: string, balance?: BoundBalance): Promise<{ path: string; records: number }> {
  const target = signaturesPathFor(statementFile);
  const header: SignaturesHeader = {
    format: SIGNATURES_FORMAT,
    key: s.backOfficeKey,
    account: s.holder.address,
    from: s.from,
    to: s.to,
    currency: s.currencyFilter,
    status: s.statusFilter,
    generatedAt: s.generatedAt,
    statement: path.basename(statementFile),
  };
  let records = 0;
  const lines = (function* () {
    yield `${JSON.stringify(header)}\n`;
    if (balance) yield `${JSON.stringify({ balance })}\n`;
    for (const r of s.proofRecords()) {
      records++;
      yield `${JSON.stringify({ data: r.data, signed: r.signed })}\n`;
    }
  })();
  await pipeline(Readable.from(lines), fs.createWriteStream(target, { encoding: 'utf8', mode: 0o600 }));
  return { path: target, records };
}
