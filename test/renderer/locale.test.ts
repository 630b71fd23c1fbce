// Amounts written and read in the user's locale, without ever becoming a float.
import { describe, expect, it } from 'vitest';
import { localCount, localDateTime, localizeDecimal, readLocaleAmount } from '../../src/renderer/src/locale';

describe('localizeDecimal', () => {
  it('uses the locale separators and keeps every digit', () => {
    expect(localizeDecimal('1234567.89', 'en-US')).toBe('1,234,567.89');
    expect(localizeDecimal('1234567.89', 'de-DE')).toBe('1.234.567,89');
    expect(localizeDecimal('-1234567.89', 'de-DE')).toBe('-1.234.567,89');
    expect(localizeDecimal('1234567.89', 'fr-FR')).toBe('1\u202f234\u202f567,89');
    expect(localizeDecimal('1234567.89', 'de-CH')).toMatch(/^1['’]234['’]567\.89$/);
    expect(localizeDecimal('1234567.89', 'en-IN')).toBe('12,34,567.89');
    // Beyond a double's precision: still exact.
    expect(localizeDecimal('123456789012345678901.23', 'de-DE')).toBe('123.456.789.012.345.678.901,23');
    expect(localizeDecimal('15000000', 'de-DE')).toBe('15.000.000');
    expect(localizeDecimal('0.10', 'de-DE')).toBe('0,10');
  });
  it('counts', () => {
    expect(localCount(100000, 'de-DE')).toBe('100.000');
    expect(localCount(100000, 'en-US')).toBe('100,000');
  });
});

describe('readLocaleAmount', () => {
  const ok = (text: string, locale: string) => readLocaleAmount(text, locale);
  it('reads the locale form into a plain decimal string', () => {
    expect(ok('1.234,56', 'de-DE')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('1234,56', 'de-DE')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok(' 1.234.567 ', 'de-DE')).toEqual({ ok: true, decimal: '1234567' });
    expect(ok('1,234.56', 'en-US')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('1234.56', 'en-US')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('1 234,56', 'fr-FR')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('1\u202f234,56', 'fr-FR')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok("1'234.56", 'de-CH')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('1’234.56', 'de-CH')).toEqual({ ok: true, decimal: '1234.56' });
    expect(ok('0,1', 'de-DE')).toEqual({ ok: true, decimal: '0.1' });
  });
  it('refuses the other locale form and misplaced groups rather than guessing', () => {
    for (const [text, locale] of [
      ['1,234.56', 'de-DE'],
      ['1.5', 'de-DE'],
      ['12.34,5', 'de-DE'],
      ['1,5', 'en-US'],
      ['1,23,456.00', 'en-US'],
      ['1.234,56', 'en-US'],
      ['12a', 'en-US'],
      ['1e3', 'en-US'],
      ['', 'de-DE'],
      ['-5', 'de-DE'],
    ] as const) {
      expect(readLocaleAmount(text, locale).ok, `${text} in ${locale}`).toBe(false);
    }
    expect(readLocaleAmount('1,5', 'en-US')).toMatchObject({ ok: false, message: 'Enter the amount as you write it here, e.g. 25,000.00.' });
    expect(readLocaleAmount('1.5', 'de-DE')).toMatchObject({ ok: false, message: 'Enter the amount as you write it here, e.g. 25.000,00.' });
  });
});

describe('localDateTime', () => {
  it('writes the date and time the locale way', () => {
    const t = Date.UTC(2026, 10, 26, 13, 56);
    const z = (s: string) => s.replace(/\d{2}:\d{2}/, 'HH:MM'); // the hour depends on the machine's zone
    expect(z(localDateTime(t, 'de-DE'))).toMatch(/^2[67]\.11\.2026, HH:MM$/);
    expect(z(localDateTime(t, 'en-GB'))).toMatch(/^2[67]\/11\/2026, HH:MM$/);
    expect(localDateTime(t, 'en-US')).toMatch(/^11\/2[67]\/2026, \d{2}:\d{2} (AM|PM)$/);
  });
});
