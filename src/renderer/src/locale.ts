// The user's locale: how amounts, counts, dates and times are written on screen, and how a typed
// amount is read. By default the browser's / the OS's (navigator.language); a choice in Account is
// kept in this window's localStorage. Money never becomes a float here: amounts stay decimal strings,
// only their separators are localised (the integer part is grouped by Intl from a BigInt).

import { amountRefusal, type AmountRefusal } from '../../shared/plain-words';
import { numberSymbols, localizeDecimal } from '../../shared/locale-format';

export { numberSymbols, localizeDecimal, localDateTime, localCount } from '../../shared/locale-format';

const KEY = 'ccc-locale';
const CHANGED = 'ccc-locale-changed';

/** Locales offered in Account (any other one the OS gives is used as well). */
export const LOCALE_CHOICES: { id: string; name: string }[] = [
  { id: 'en-US', name: 'English (United States)' },
  { id: 'en-GB', name: 'English (United Kingdom)' },
  { id: 'de-DE', name: 'Deutsch (Deutschland)' },
  { id: 'de-CH', name: 'Deutsch (Schweiz)' },
  { id: 'fr-FR', name: 'Français (France)' },
];

function valid(tag: string | null | undefined): string | null {
  if (!tag) return null;
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length ? new Intl.Locale(tag).toString() : null;
  } catch {
    return null;
  }
}

/** The locale chosen in Account, or null to follow the system. */
export function chosenLocale(): string | null {
  try {
    return valid(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function systemLocale(): string {
  return valid(typeof navigator !== 'undefined' ? navigator.language : null) ?? 'en-US';
}

let current = chosenLocale() ?? systemLocale();

/** The locale everything on screen is formatted in. */
export function currentLocale(): string {
  return current;
}

/** Sets (or, with null, clears) the user's choice; the app re-renders on the event. */
export function chooseLocale(tag: string | null): void {
  const v = valid(tag);
  if (v) localStorage.setItem(KEY, v);
  else localStorage.removeItem(KEY);
  current = v ?? systemLocale();
  document.documentElement.lang = current;
  window.dispatchEvent(new CustomEvent(CHANGED, { detail: current }));
}

export function onLocaleChange(f: (locale: string) => void): () => void {
  const h = (e: Event) => f((e as CustomEvent<string>).detail);
  window.addEventListener(CHANGED, h);
  return () => window.removeEventListener(CHANGED, h);
}

export type LocaleAmount = { ok: true; decimal: string } | AmountRefusal;

/**
 * Reads an amount typed in the locale's form ("1.234,56" in de-DE, "1 234,56" in fr-FR, "1’234.56"
 * in de-CH, "1,234.56" in en-US) into a plain decimal string ("1234.56"). Group separators are
 * optional but, when used, must stand between groups of three; the other locale's form is refused
 * rather than guessed ("1,5" in en-US, "1.5" in de-DE).
 */
export function readLocaleAmount(text: string, locale: string): LocaleAmount {
  const { group, decimal } = numberSymbols(locale);
  const example = localizeDecimal('25000.00', locale);
  // Any kind of space is a group separator where the locale groups with a space.
  const spaceGroup = /^\s$/u.test(group) || group === '\u202f' || group === '\u00a0';
  let t = text.trim();
  if (spaceGroup) t = t.replace(/[\s\u00a0\u202f]/g, ' ');
  else t = t.replace(/[\s\u00a0\u202f]/g, '');
  // Apostrophe-like group marks (de-CH writes ’ or ', depending on the ICU data) are the same.
  const g = group === '’' || group === "'" ? "['’]" : spaceGroup ? ' ' : escape(group);
  const d = escape(decimal);
  if (!t) return amountRefusal('empty');
  if (t.startsWith('-') || t.startsWith('−')) return amountRefusal('negative');
  const re = new RegExp(`^(\\d{1,3}(?:${g}\\d{3})+|\\d+)(?:${d}(\\d+))?$`);
  const m = re.exec(t);
  if (!m) return amountRefusal('localForm', { example });
  const whole = m[1].replace(new RegExp(g, 'g'), '');
  return { ok: true, decimal: m[2] !== undefined ? `${whole}.${m[2]}` : whole };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
