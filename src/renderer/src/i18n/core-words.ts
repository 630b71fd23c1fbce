// The words of what the core sends — errors, a typed amount's problems, security alerts — in the user's
// language. The core sends a code, its English words and (where the words are built from values) params;
// the catalogues hold the same English (from shared/plain-words.ts) and the German. The English sent is
// only replaced when it is exactly the catalogue's English for that code and those params: anything more
// specific (a server's own words, a detail) is shown as sent rather than lost.
import type { SecurityAlert } from '../../../shared/app-api';
import type { AmountRefusal } from '../../../shared/plain-words';
import type { IbanProblem } from '../../../shared/iban';
import { groupThousands } from '../../../shared/money';
import { displayAmount } from '../format';
import { i18next } from './index';

type Params = Record<string, string>;

/** Params that are canonical amounts: grouped as the core writes them, or in the user's locale. */
const MONEY = ['amount', 'available', 'gotAmount', 'sentAmount'];

function withAmounts(params: Params, write: (decimal: string) => string): Params {
  const out: Params = { ...params };
  for (const k of MONEY) if (out[k] !== undefined && /^-?\d+(\.\d+)?$/.test(out[k])) out[k] = write(out[k]);
  return out;
}

/** Params that name the catalogue words of another param: reasonKey → reason, problemKey → problem, mismatchKey → mismatch. */
const WORD_KEYS = ['reason', 'problem', 'mismatch'];

/**
 * The catalogue's words for `key` (with params.context as i18next's context), if `english` is exactly its
 * English. params.reasonKey names the catalogue words of params.reason (a refusal's own reason), and
 * problemKey / mismatchKey those of problem / mismatch (why an answer was refused), said the same way.
 */
export function localWords(key: string, english: string, params: Params = {}): string {
  const { context, ...rest } = params;
  const values = Object.fromEntries(Object.entries(rest).filter(([k]) => !WORD_KEYS.some((w) => k === `${w}Key`)));
  const full = context ? `${key}_${context}` : key;
  if (!i18next.exists(full, { lng: 'en' })) return english;
  if (i18next.t(full, { ...withAmounts(values, groupThousands), lng: 'en' }) !== english) return english;
  const local = withAmounts(values, displayAmount);
  for (const w of WORD_KEYS) {
    const wordsKey = params[`${w}Key`];
    if (wordsKey && i18next.exists(wordsKey, { lng: 'en' }) && i18next.t(wordsKey, { ...values, lng: 'en' }) === values[w]) local[w] = i18next.t(wordsKey, local);
  }
  return i18next.t(full, local);
}

/** An error from the core (a rejected call, snap.lastError, a transfer's or the device's error). */
export function errorWords(e: { code: string; message: string; params?: Params }): string {
  const RETRYING = ' Retrying…';
  if (e.params?.then === 'retrying' && e.message.endsWith(RETRYING)) {
    return `${localWords(`errors.${e.code}`, e.message.slice(0, -RETRYING.length), e.params)} ${i18next.t('errors.retrying')}`;
  }
  return localWords(`errors.${e.code}`, e.message, e.params);
}

/** Why a typed amount cannot be read. */
export function amountWords(r: AmountRefusal): string {
  return localWords(`amount.${r.problem}`, r.message, r.params);
}

/** Why an IBAN is refused (shared/iban.ts), in the user's language. */
export function ibanWords(problems: readonly IbanProblem[] | undefined, english: string): string {
  if (!problems?.length) return english;
  return problems.map((p) => i18next.t(`iban.${p}`)).join('; ');
}

/** A security alert's summary. */
export function alertWords(a: SecurityAlert): string {
  return a.code ? localWords(`alerts.summary.${a.code}`, a.summary, a.params) : a.summary;
}
