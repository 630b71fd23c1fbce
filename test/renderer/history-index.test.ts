// History search and sort keys: the screen's own forms find rows, amounts sort as integers.
import { describe, expect, it } from 'vitest';
import type { TxRow } from '../../src/shared/app-api';
import { matchesText, normaliseQuery, sortRows } from '../../src/renderer/src/history-index';
import { formatIban } from '../../src/shared/iban';

const row = (txid: number, over: Partial<TxRow> = {}): TxRow => ({
  txid,
  timestamp: Date.UTC(2026, 10, 26, 12, 0) + txid,
  direction: 'in',
  counterparty: 'FR7630006000011234567890189',
  counterpartyKind: 'iban',
  currency: 'EUR',
  amount: '12500.00',
  signedAmount: '12500.00',
  status: 'complete',
  verified: true,
  ...over,
});

const find = (rows: TxRow[], q: string) => rows.filter((r) => matchesText(r, normaliseQuery(q))).map((r) => r.txid);

describe('history search matches what the screen shows', () => {
  const rows = [
    row(1),
    row(2, { direction: 'out', amount: '15000.00', signedAmount: '-15000.00', status: 'failed', counterparty: 'DE89370400440532013000', reference: 'Supplier run' }),
    row(3, { counterpartyKind: 'address', counterparty: 'bc1qqtl9jlrwcr3fsfcjj2du7pu6fcgaxl5dsw2vyg', amount: '0.05', signedAmount: '0.05', currency: 'USD', note: 'Check with Anna', labels: ['audit'] }),
  ];
  it('grouped amounts, signed amounts with either minus, spaced and unspaced IBANs, references, txids', () => {
    expect(find(rows, '12,500')).toEqual([1]);
    expect(find(rows, '12500')).toEqual([1]);
    expect(find(rows, '−15,000.00')).toEqual([2]);
    expect(find(rows, '-15,000')).toEqual([2]);
    expect(find(rows, '+12,500.00')).toEqual([1]);
    expect(find(rows, 'FR76 3000')).toEqual([1]);
    expect(find(rows, 'fr76  3000 6000')).toEqual([1]);
    expect(find(rows, 'DE89 3704')).toEqual([2]);
    expect(find(rows, 'de8937040044')).toEqual([2]);
    expect(find(rows, 'supplier')).toEqual([2]);
    expect(find(rows, '#3')).toEqual([3]);
    expect(find(rows, 'bc1qqtl9')).toEqual([3]);
    expect(find(rows, 'failed')).toEqual([2]);
    expect(find(rows, '')).toEqual([1, 2, 3]);
    expect(find(rows, 'nothing like this')).toEqual([]);
    // The user's own notes and labels are searchable too.
    expect(find(rows, 'anna')).toEqual([3]);
    expect(find(rows, '#audit')).toEqual([3]);
  });
  it('groups IBANs exactly like the screen does', () => {
    for (const iban of ['FR7630006000011234567890189', 'DE89370400440532013000', 'GB29NWBK60161331926819', 'NO9386011117947']) {
      const r = row(9, { counterparty: iban });
      expect(matchesText(r, normaliseQuery(formatIban(iban)))).toBe(true);
    }
  });
});

describe('history sort', () => {
  it('compares amounts as integers within a currency (no float rounding), txid breaks ties', () => {
    const rows = [
      row(1, { signedAmount: '9007199254740993.00', amount: '9007199254740993.00' }),
      row(2, { signedAmount: '9007199254740992.00', amount: '9007199254740992.00' }),
      row(3, { signedAmount: '-1.00' }),
      row(4, { signedAmount: '5.00', currency: 'CHF' }),
      row(5, { signedAmount: '-1.00' }),
    ];
    expect(sortRows(rows, 'signedAmount', false).map((r) => r.txid)).toEqual([4, 3, 5, 2, 1]);
    expect(sortRows(rows, 'timestamp', true).map((r) => r.txid)).toEqual([5, 4, 3, 2, 1]);
    expect(rows.map((r) => r.txid)).toEqual([1, 2, 3, 4, 5]); // a copy is sorted
  });
});
