// The user's locale: how amounts, counts, dates and times are written on screen, and how a typed
// amount is read. By default the browser's / the OS's (navigator.language); a choice in Account is
// kept in this window's localStorage. Money never becomes a float here: amounts stay decimal strings,
// only their separators are localised (the integer part is grouped by Intl from a BigInt).

import { amountRefusal, type AmountRefusal } from '../../shared/plain-words';

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

interface Symbols {
  group: string;
  decimal: string;
}
const symbolCache = new Map<string, Symbols>();

/** The locale's group and decimal separators (e.g. "." and "," in de-DE, "\u202f" and "," in fr-FR). */
export function numberSymbols(locale: string): Symbols {
  let s = symbolCache.get(locale);
  if (!s) {
    // A probe number only to read the separators; no amount ever goes through a float.
    const parts = new Intl.NumberFormat(locale, { useGrouping: true, minimumFractionDigits: 1 }).formatToParts(12345.5);
    s = { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
    symbolCache.set(locale, s);
  }
  return s;
}

const groupers = new Map<string, Intl.NumberFormat>();

/** A canonical decimal string ("-1234567.89") written in the locale ("-1.234.567,89"), digits unchanged. */
export function localizeDecimal(canonical: string, locale: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(canonical);
  if (!m) return canonical;
  let g = groupers.get(locale);
  if (!g) {
    g = new Intl.NumberFormat(locale, { useGrouping: true, numberingSystem: 'latn' } as Intl.NumberFormatOptions);
    groupers.set(locale, g);
  }
  const whole = g.format(BigInt(m[2]));
  return `${m[1]}${whole}${m[3] !== undefined ? numberSymbols(locale).decimal + m[3] : ''}`;
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

const dateTimes = new Map<string, Intl.DateTimeFormat>();

/** Date and time in the locale, to the minute (e.g. "26.11.2026, 13:56" in de-DE). */
export function localDateTime(ms: number, locale: string): string {
  let f = dateTimes.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    dateTimes.set(locale, f);
  }
  return f.format(ms);
}

/** A count in the locale ("100.000" in de-DE). */
export function localCount(n: number, locale: string): string {
  return localizeDecimal(String(Math.trunc(n)), locale);
}
