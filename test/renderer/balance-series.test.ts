// The dashboard chart's data: the exact available balance after every transaction (failed payouts
// count 0, pending ones are held), thinned for drawing without losing the current balance.
import { describe, expect, it } from 'vitest';
import { balanceSeries, chartCurrencies } from '../../src/shared/balance-series';
import type { TxRow } from '../../src/shared/app-api';

const row = (txid: number, p: Partial<TxRow>): TxRow => ({ txid, timestamp: 1_000 * txid, direction: 'in', counterparty: 'DE89370400440532013000', counterpartyKind: 'iban', currency: 'EUR', amount: '1.00', signedAmount: '1.00', status: 'complete', verified: true, ...p });

describe('balanceSeries', () => {
  it('follows the available balance exactly, currency by currency', () => {
    const rows = [
      row(1, { amount: '1000.00' }),
      row(2, { direction: 'out', amount: '250.50', status: 'pending' }),
      row(3, { direction: 'out', amount: '100.00', status: 'failed' }),
      row(4, { currency: 'JPY', amount: '5000' }),
      row(5, { amount: '0.10' }),
    ];
    expect(balanceSeries(rows, 'EUR').map((p) => p.amount)).toEqual(['1000.00', '749.50', '749.50', '749.60']);
    expect(balanceSeries(rows, 'JPY').map((p) => [p.amount, p.y])).toEqual([['5000', 5000]]);
    expect(chartCurrencies(rows, 'JPY')).toEqual(['JPY', 'EUR']);
  });

  it('thins a long history to the asked number of points and keeps the last balance exact', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => row(i + 1, { amount: '0.01' }));
    const s = balanceSeries(rows, 'EUR', 400);
    expect(s).toHaveLength(400);
    expect(s.at(-1)!.amount).toBe('100.00');
    expect(s.every((p, i) => i === 0 || p.t > s[i - 1].t)).toBe(true);
  });
});
