// Amounts, counts, dates and times written in a locale: the renderer shows them so, and the main
// process's history index searches the very same text. Money never becomes a float here: amounts
// stay decimal strings, only their separators are localised (the integer part is grouped from a BigInt).

export interface Symbols {
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
