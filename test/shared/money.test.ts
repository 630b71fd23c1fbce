import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount, parseWireAmount, groupThousands, maxMinor } from '../../src/shared/money';

describe('parseAmount', () => {
  it('parses decimal strings into integer minor units', () => {
    expect(parseAmount('12.5', 'USD')).toEqual({ ok: true, minor: 1250n });
    expect(parseAmount('0.01', 'EUR')).toEqual({ ok: true, minor: 1n });
    expect(parseAmount('500', 'JPY')).toEqual({ ok: true, minor: 500n });
    expect(parseAmount('1.234', 'BHD')).toEqual({ ok: true, minor: 1234n });
    expect(parseAmount('1.500', 'USD')).toEqual({ ok: true, minor: 150n });
  });
  it('accepts numbers only when exactly representable', () => {
    expect(parseAmount(10.25, 'USD')).toEqual({ ok: true, minor: 1025n });
    expect(parseAmount(0.1, 'USD')).toEqual({ ok: true, minor: 10n });
    expect(parseAmount(1e21, 'USD')).toMatchObject({ ok: false, error: { kind: 'precision' } });
    expect(parseAmount(1234567890123456.7, 'USD')).toMatchObject({ ok: false, error: { kind: 'precision' } });
    expect(parseAmount(Number.NaN, 'USD')).toMatchObject({ ok: false, error: { kind: 'format' } });
  });
  it('rejects zero, negative, over-precise, malformed and absurd amounts', () => {
    expect(parseAmount('0', 'USD')).toMatchObject({ ok: false, error: { kind: 'zero' } });
    expect(parseAmount('0.00', 'USD')).toMatchObject({ ok: false, error: { kind: 'zero' } });
    expect(parseAmount('-1', 'USD')).toMatchObject({ ok: false, error: { kind: 'negative' } });
    expect(parseAmount(-1, 'USD')).toMatchObject({ ok: false, error: { kind: 'negative' } });
    expect(parseAmount('1.001', 'USD')).toMatchObject({ ok: false, error: { kind: 'precision' } });
    expect(parseAmount('1.5', 'JPY')).toMatchObject({ ok: false, error: { kind: 'precision' } });
    for (const bad of ['', ' 1', '1,000.00', '1e3', '01', '.5', '5.', '+5', '0x10', '١٢']) {
      expect(parseAmount(bad, 'USD')).toMatchObject({ ok: false, error: { kind: 'format' } });
    }
    expect(parseAmount('10000000000000.01', 'USD')).toMatchObject({ ok: false, error: { kind: 'too_large' } });
    expect(parseAmount('9'.repeat(40), 'USD')).toMatchObject({ ok: false, error: { kind: 'too_large' } });
    expect(parseAmount('10000000000000', 'USD')).toEqual({ ok: true, minor: maxMinor('USD') });
  });
});

describe('formatAmount / parseWireAmount', () => {
  it('round-trips with the currency exponent', () => {
    for (const [minor, cur, text] of [
      [1250n, 'USD', '12.50'],
      [-300n, 'EUR', '-3.00'],
      [0n, 'USD', '0.00'],
      [5n, 'USD', '0.05'],
      [500n, 'JPY', '500'],
      [1n, 'KWD', '0.001'],
    ] as const) {
      expect(formatAmount(minor, cur)).toBe(text);
      expect(parseWireAmount(text, cur)).toBe(minor);
    }
  });
  it('refuses non-canonical wire amounts', () => {
    expect(() => parseWireAmount('12.5', 'USD')).toThrow();
    expect(() => parseWireAmount('1.00', 'JPY')).toThrow();
    expect(() => parseWireAmount(12 as unknown as string, 'USD')).toThrow();
  });
  it('groups thousands for display', () => {
    expect(groupThousands('1234567.89')).toBe('1,234,567.89');
    expect(groupThousands('-1000')).toBe('-1,000');
    expect(groupThousands('999.00')).toBe('999.00');
  });
});
