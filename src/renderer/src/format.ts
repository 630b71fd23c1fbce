// Display formatting. Amounts arrive as canonical decimal strings and are only ever grouped and
// aligned here — never converted to floating point.
import { groupThousands } from '../../shared/money';

export function displayAmount(decimal: string): string {
  return groupThousands(decimal).replace(/^-/, '−');
}

export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function shortId(text: string, head = 8, tail = 6): string {
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
