// The operator's rules (compliance.json in the data directory): compliance limits and IBAN
// rail behaviour. Written with defaults on first start; validated on every start so a typo
// stops the back office instead of silently weakening a rule.
import fs from 'node:fs';
import { z } from 'zod';
import { CURRENCY_EXPONENTS, isSupportedCurrency, type CurrencyCode } from '../../shared/currencies';
import { parseAmount } from '../../shared/money';
import { dataPath } from './data-dir';
import { describeIssues } from '../../shared/protocol';

const MajorAmount = z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'a decimal amount in major units, e.g. "10000.00"');
const Limits = z.strictObject({ perTransfer: MajorAmount.optional(), daily: MajorAmount.optional() });

export const RulesSchema = z.strictObject({
  /** Limits in major units. "default" applies to every currency without its own entry. */
  limits: z.record(z.string(), Limits).default({ default: { perTransfer: '1000000', daily: '5000000' } }),
  /** IBAN payouts to these countries are rejected. */
  blockedIbanCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).default(['IR', 'KP']),
  /** When true, every transfer must carry a device confirmation signature. */
  requireConfirmation: z.boolean().default(false),
  rails: z
    .strictObject({
      /** How long an outbound IBAN payout stays pending before the rail settles it. 0 = only by operator command. */
      settleDelayMs: z.number().int().min(0).default(30_000),
      /** Payouts to these IBANs fail (e.g. closed accounts). */
      failIbans: z.array(z.string()).default([]),
      /** Payouts to IBANs of these countries fail. */
      failCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]),
      /** The reason given for a rule-based failure. */
      failReason: z.string().default('Beneficiary bank rejected the payment: account closed'),
    })
    .default({ settleDelayMs: 30_000, failIbans: [], failCountries: [], failReason: 'Beneficiary bank rejected the payment: account closed' }),
});

export type Rules = z.infer<typeof RulesSchema>;

/** In the sandbox payouts settle quickly, and this well-formed IBAN always fails (to try the failure path). */
export const SANDBOX_FAILING_IBAN = 'GB60BARC20000055779911';

export function defaultRules(sandbox: boolean): Rules {
  const rules = RulesSchema.parse({});
  if (sandbox) {
    // The sandbox shows the product as it should be used: no transfer without the device.
    rules.requireConfirmation = true;
    rules.rails.settleDelayMs = 1500;
    rules.rails.failIbans = [SANDBOX_FAILING_IBAN];
  }
  return rules;
}

export function loadRules(dataDir: string, sandbox: boolean): Rules {
  const file = dataPath(dataDir, 'config');
  if (!fs.existsSync(file)) {
    const rules = defaultRules(sandbox);
    fs.writeFileSync(file, JSON.stringify(rules, null, 2) + '\n', { flag: 'wx' });
    return rules;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = RulesSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${describeIssues(parsed.error)}`);
  for (const key of Object.keys(parsed.data.limits)) {
    if (key !== 'default' && !isSupportedCurrency(key)) throw new Error(`${file}: limits.${key} is not a supported currency`);
  }
  return parsed.data;
}

/** A limit in minor units, or null when there is none. */
export function limitMinor(rules: Rules, currency: CurrencyCode, which: 'perTransfer' | 'daily'): bigint | null {
  const text = rules.limits[currency]?.[which] ?? rules.limits.default?.[which];
  if (text === undefined) return null;
  const r = parseAmount(text, currency);
  if (!r.ok) throw new Error(`limit ${which} for ${currency} (${text}) is not a valid amount for a currency with ${CURRENCY_EXPONENTS[currency]} decimals`);
  return r.minor;
}
