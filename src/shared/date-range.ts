// Calendar days chosen in a form → epoch-millisecond bounds in the user's local time zone. The end is
// the start of the NEXT local day (exclusive), computed by the calendar, never as "midnight + 24 h":
// on the days clocks change, a day is 23 or 25 hours long.

/** "YYYY-MM-DD" → the epoch ms of that day's local midnight; null for anything else. */
export function localMidnight(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const t = new Date(y, mo, d);
  return t.getFullYear() === y && t.getMonth() === mo && t.getDate() === d ? t.getTime() : null;
}

/** The local calendar days from `from` to `to`, both inclusive, as [from, to) epoch ms; a missing side is open. */
export function localDayRange(from?: string, to?: string): { from?: number; to?: number } {
  const start = from ? localMidnight(from) : null;
  let end: number | null = null;
  if (to && localMidnight(to) !== null) {
    const [y, mo, d] = to.split('-').map(Number);
    end = new Date(y, mo - 1, d + 1).getTime(); // the next calendar day's midnight (Date rolls months and years)
  }
  return { ...(start !== null ? { from: start } : {}), ...(end !== null ? { to: end } : {}) };
}
