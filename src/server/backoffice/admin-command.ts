// Validation of operator commands at the back office's boundary (they arrive from the admin CLI,
// directly or over the internal link): the same text policy as the public API for every free-text
// field, and transaction ids as exact integers (BigInt: SQLite's range, never rounded through Number).
import { z } from 'zod';
import type { AdminCommand } from '../contract';
import { ApiError } from '../../shared/errors';
import { describeIssues, ReasonSchema, ReferenceSchema } from '../../shared/protocol';

/** The largest txid SQLite can hold (INTEGER is a signed 64-bit integer). */
export const MAX_TXID = 2n ** 63n - 1n;

/** A transaction id: a decimal string, a safe integer or a BigInt, from 1 to 2^63-1. */
export const TxidSchema = z
  .union([z.string().max(40), z.number(), z.bigint()])
  .transform((v, ctx) => {
    const text = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'bigint' ? v.toString() : '';
    if (/^[1-9][0-9]*$/.test(text) && BigInt(text) <= MAX_TXID) return BigInt(text);
    ctx.addIssue({ code: 'custom', message: `must be an integer from 1 to ${MAX_TXID} (got ${typeof v === 'string' ? JSON.stringify(v) : String(v)})` });
    return z.NEVER;
  });

export const AdminCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('key') }),
  z.object({ command: z.literal('verify'), address: z.string().min(1).max(100) }),
  z.object({
    command: z.literal('deposit'),
    to: z.string().min(1).max(100),
    from: z.string().min(1).max(100),
    currency: z.string().min(1).max(10),
    amount: z.string().min(1).max(40),
    reference: ReferenceSchema.optional(),
  }),
  z.object({ command: z.literal('settle'), txid: TxidSchema, outcome: z.enum(['complete', 'failed']), reason: ReasonSchema.optional() }),
]);
export type ParsedAdminCommand = z.output<typeof AdminCommandSchema>;

/** Throws INVALID_PARAMS (the message names the field and why). */
export function parseAdminCommand(cmd: AdminCommand | unknown): ParsedAdminCommand {
  const r = AdminCommandSchema.safeParse(cmd);
  if (!r.success) throw new ApiError('INVALID_PARAMS', describeIssues(r.error));
  return r.data;
}
