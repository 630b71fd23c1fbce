// Display formatting, in the user's locale (see locale.ts). Amounts arrive as canonical decimal
// strings and only their separators are localised here — never converted to floating point.
import { currentLocale, localCount, localDateTime, localizeDecimal } from './locale';

export function displayAmount(decimal: string): string {
  return localizeDecimal(decimal, currentLocale()).replace(/^-/, '−');
}

export function formatDateTime(ms: number): string {
  return localDateTime(ms, currentLocale());
}

export function formatCount(n: number): string {
  return localCount(n, currentLocale());
}

export function shortId(text: string, head = 8, tail = 6): string {
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
