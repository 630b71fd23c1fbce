// One entry point for saving a statement in any format, with its signatures companion, and the
// validation of what the renderer asks for (a schema at the boundary: bad input gets a clear error).
import { z } from 'zod';
import type { StatementFormat, StatementRequest } from '../../shared/app-api';
import { STATEMENT_FORMATS } from '../../shared/app-api';
import { isSupportedCurrency } from '../../shared/currencies';
import type { Statement } from './statement-model';
import { writeCsvStatement } from './csv-statement';
import { writeCamt053Statement } from './camt053-statement';
import { writePdfStatement } from './pdf-statement';
import { writeSignaturesFile } from './signatures-file';
import { describeIssues, type BoundBalance } from '../../shared/protocol';

export const FORMAT_EXTENSION: Record<StatementFormat, string> = { csv: 'csv', camt053: 'xml', pdf: 'pdf' };

const epochMs = z.number().int().min(0).max(8.64e15);
export const StatementRequestSchema = z
  .object({
    format: z.enum(STATEMENT_FORMATS).default('csv'),
    from: epochMs.optional(),
    to: epochMs.optional(),
    currency: z.string().refine(isSupportedCurrency, 'is not a supported currency').optional(),
    status: z.enum(['all', 'complete', 'pending', 'failed']).optional(),
    txids: z.array(z.number().int().min(1).safe()).max(1_000_000).optional(),
  })
  .strict()
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { message: 'the start date is after the end date', path: ['from'] });

export type ValidStatementRequest = z.infer<typeof StatementRequestSchema>;

/** Parses a request; on bad input returns a human message (nothing is written). */
export function parseStatementRequest(input: unknown): { ok: true; value: ValidStatementRequest & StatementRequest } | { ok: false; message: string } {
  const r = StatementRequestSchema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data as ValidStatementRequest & StatementRequest };
  return { ok: false, message: describeIssues(r.error) };
}

/** Writes the statement in `format` to `file` and its `.signatures.jsonl` beside it. */
export async function writeStatementFiles(s: Statement, file: string, format: StatementFormat, opts: { timeZone?: string; balance?: BoundBalance } = {}): Promise<{ rows: number; signaturesPath: string; pages?: number }> {
  const written = format === 'csv' ? await writeCsvStatement(s, file, opts) : format === 'camt053' ? await writeCamt053Statement(s, file) : await writePdfStatement(s, file);
  const sig = await writeSignaturesFile(s, file, opts.balance);
  return { ...written, signaturesPath: sig.path };
}
