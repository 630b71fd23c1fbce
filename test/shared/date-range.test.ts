// Day ranges in the user's time zone, across the days clocks change (23- and 25-hour days), checked in
// two zones by running the real function in a Node process with that TZ.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NODE_TSX } from '../helpers/server';

function inZone(tz: string, days: [string, string][]): { from: number; to: number }[] {
  const code = `import { localDayRange } from './src/shared/date-range.ts'; console.log(JSON.stringify(${JSON.stringify(days)}.map(([f, t]) => localDayRange(f, t))));`;
  const r = spawnSync(process.execPath, [...NODE_TSX, '--input-type=module', '-e', code], { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, TZ: tz }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const H = 3_600_000;

describe('localDayRange', () => {
  it('Europe/Berlin: the spring day has 23 hours, the autumn day 25, an ordinary day 24', () => {
    const [spring, autumn, plain, week] = inZone('Europe/Berlin', [
      ['2026-03-29', '2026-03-29'],
      ['2026-10-25', '2026-10-25'],
      ['2026-06-01', '2026-06-01'],
      ['2026-10-24', '2026-10-30'],
    ]);
    expect(spring.to - spring.from).toBe(23 * H);
    expect(autumn.to - autumn.from).toBe(25 * H);
    expect(plain.to - plain.from).toBe(24 * H);
    expect(week.to - week.from).toBe(7 * 24 * H + H);
    expect(new Date(spring.from).toISOString()).toBe('2026-03-28T23:00:00.000Z'); // local midnight, UTC+1
    expect(new Date(autumn.to).toISOString()).toBe('2026-10-25T23:00:00.000Z'); // next local midnight, UTC+1 again
  });

  it('America/New_York: its own change days (8 March, 1 November 2026)', () => {
    const [spring, autumn, newYear] = inZone('America/New_York', [
      ['2026-03-08', '2026-03-08'],
      ['2026-11-01', '2026-11-01'],
      ['2026-12-31', '2026-12-31'],
    ]);
    expect(spring.to - spring.from).toBe(23 * H);
    expect(autumn.to - autumn.from).toBe(25 * H);
    expect(new Date(newYear.to).toISOString()).toBe('2027-01-01T05:00:00.000Z'); // rolls into the next year
  });

  it('refuses what is not a calendar day, and leaves a missing side open', () => {
    const [bad, open] = inZone('UTC', [
      ['2026-02-30', 'not a day'],
      ['', '2026-01-01'],
    ]);
    expect(bad).toEqual({});
    expect(open).toEqual({ to: Date.UTC(2026, 0, 2) });
  });
});
