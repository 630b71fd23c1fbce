// Money is BigInt minor units inside and decimal strings on the wire and on screen.
// Nothing here ever goes through a JavaScript float.
import { CurrencyCode, currencyExponent } from './currencies';

/** Largest amount (in major units) a single transfer or balance may hold: 10^13. */
export const MAX_MAJOR_DIGITS = 13;

export type AmountError =
  | { kind: 'format'; message: string }
  | { kind: 'zero'; message: string }
  | { kind: 'negative'; message: string }
  | { kind: 'precision'; message: string }
  | { kind: 'too_large'; message: string };

export type AmountResult = { ok: true; minor: bigint } | { ok: false; error: AmountError };

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** Largest amount in minor units for a currency (10^13 major units). */
export function maxMinor(currency: CurrencyCode): bigint {
  return 10n ** BigInt(MAX_MAJOR_DIGITS + currencyExponent(currency));
}

/**
 * Parse a positive transfer amount. Strings must be plain decimals ("12.5", "0.01");
 * numbers are accepted only when their shortest decimal form is such a plain decimal and
 * they are exactly representable (no exponent notation, within the safe-integer range).
 */
export function parseAmount(input: unknown, currency: CurrencyCode): AmountResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail('format', 'amount must be a finite decimal');
    text = String(input);
    if (/e/i.test(text)) return fail('precision', 'amount is not exactly representable as a number; send it as a decimal string');
    const digits = text.replace('-', '').replace('.', '').replace(/^0+/, '');
    if (digits.length > 15) return fail('precision', 'amount has too many digits to be exact as a JSON number; send it as a decimal string');
  } else {
    return fail('format', 'amount must be a decimal string such as "12.50"');
  }
  if (text.startsWith('-')) return fail('negative', 'amount must be positive');
  const m = DECIMAL.exec(text);
  if (!m) return fail('format', 'amount must be a plain decimal such as "12.50" (no sign, exponent, spaces or separators)');
  const exp = currencyExponent(currency);
  const whole = m[1];
  let frac = m[2] ?? '';
  if (frac.length > exp) {
    // Trailing zeros beyond the currency's precision are harmless ("1.500" USD); anything else is over-precise.
    if (!/^0*$/.test(frac.slice(exp))) {
      return fail('precision', `${currency} has ${exp} decimal place${exp === 1 ? '' : 's'}; amount ${text} is more precise than that`);
    }
    frac = frac.slice(0, exp);
  }
  if (whole.length > MAX_MAJOR_DIGITS + 1) return fail('too_large', `amount exceeds the maximum of ${formatAmount(maxMinor(currency), currency)} ${currency}`);
  const minor = BigInt(whole) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0');
  if (minor === 0n) return fail('zero', 'amount must be greater than zero');
  if (minor > maxMinor(currency)) return fail('too_large', `amount exceeds the maximum of ${formatAmount(maxMinor(currency), currency)} ${currency}`);
  return { ok: true, minor };
}

function fail(kind: AmountError['kind'], message: string): AmountResult {
  return { ok: false, error: { kind, message } as AmountError };
}

/** Format minor units as the canonical wire decimal: always exactly the currency's decimals ("12.50", "-3.00", "500"). */
export function formatAmount(minor: bigint, currency: CurrencyCode): string {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const s = abs.toString().padStart(exp + 1, '0');
  const body = exp === 0 ? s : `${s.slice(0, s.length - exp)}.${s.slice(s.length - exp)}`;
  return negative ? `-${body}` : body;
}

/**
 * Parse a canonical wire decimal that the server produced (may be negative or zero, e.g. a balance).
 * Throws on anything that is not exactly a decimal with the currency's precision.
 */
export function parseWireAmount(text: string, currency: CurrencyCode): bigint {
  const exp = currencyExponent(currency);
  const re = exp === 0 ? /^-?(0|[1-9][0-9]*)$/ : new RegExp(`^-?(0|[1-9][0-9]*)\\.[0-9]{${exp}}$`);
  if (typeof text !== 'string' || !re.test(text)) throw new Error(`not a canonical ${currency} amount: ${JSON.stringify(text)}`);
  const negative = text.startsWith('-');
  const digits = text.replace('-', '').replace('.', '');
  const v = BigInt(digits);
  return negative ? -v : v;
}

/** Group thousands for display ("1,234,567.89"); the input is a canonical wire decimal. */
export function groupThousands(decimal: string, separator = ','): string {
  const negative = decimal.startsWith('-');
  const [whole, frac] = decimal.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return `${negative ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}
