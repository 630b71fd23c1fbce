// The statement model on a signed history with failed and pending payouts: opening + Σ = closing
// per currency, exactly; failed payouts count 0; pending payouts are held (available falls, booked
// does not); the closing balance equals the account's available balance.
import { describe, expect, it } from 'vitest';
import { assertReconciles, buildStatement } from '../../src/main/statements/statement-model';
import { formatAmount } from '../../src/shared/money';
import { PERIOD, signedHistory } from '../helpers/signed-history';

describe('statement model', () => {
  it('reconciles per currency, with failed payouts excluded and pending ones held', () => {
    const h = signedHistory();
    const s = h.statement(PERIOD);
    assertReconciles(s);
    const eur = s.summaries.find((c) => c.currency === 'EUR')!;
    const f = (m: bigint) => formatAmount(m, 'EUR');
    // Before the period: +1,234,567.89, a failed −15,000 (0), a pending −2,500 (held).
    expect(f(eur.opening)).toBe('1232067.89');
    expect(f(eur.openingBooked)).toBe('1234567.89');
    expect(f(eur.openingHeld)).toBe('2500.00');
    // In the period: −250.50, −777.00 complete, −15,000 failed (0), −49.50 pending; after it: +10 (not counted).
    expect(f(eur.debits)).toBe('-1077.00');
    expect(f(eur.credits)).toBe('0.00');
    expect(f(eur.closing)).toBe('1230990.89');
    expect(f(eur.closingBooked)).toBe('1233540.39');
    expect(f(eur.closingHeld)).toBe('2549.50');
    expect(eur.count).toEqual({ complete: 2, pending: 1, failed: 1 });
    const entries = [...s.entries()];
    const sum = entries.filter((e) => e.currency === 'EUR').reduce((a, e) => a + e.amount, 0n);
    expect(eur.opening + sum).toBe(eur.closing);
    const failed = entries.find((e) => e.status === 'failed')!;
    expect(failed.amount).toBe(0n);
    expect(failed.instructed).toBe(1_500_000n);
    expect(entries.every((e) => e.record && e.record.data.txid === e.txid)).toBe(true);
    expect(s.entryCount).toBe(entries.length);
    expect(entries.map((e) => e.currency).sort()).toEqual(['EUR', 'EUR', 'EUR', 'EUR', 'JPY', 'USD']);
  });

  it('closes on the available balance the server would report, over the whole history', () => {
    const h = signedHistory();
    const s = h.statement();
    const byCur = Object.fromEntries(s.summaries.map((c) => [c.currency, formatAmount(c.closing, c.currency)]));
    // 1,234,567.89 − 250.50 − 777.00 − 2,500 (held) − 49.50 (held) + 10.00
    expect(byCur).toEqual({ EUR: '1231000.89', JPY: '50000', USD: '1000.00' });
    expect(s.summaries.every((c) => c.opening === 0n)).toBe(true);
  });

  it('filters by currency and status, and refuses a period that ends before it starts', () => {
    const h = signedHistory();
    const usd = h.statement({ ...PERIOD, currency: 'USD' });
    expect(usd.summaries.map((c) => c.currency)).toEqual(['USD']);
    expect(formatAmount(usd.summaries[0].opening, 'USD')).toBe('1000.50');
    const failedOnly = h.statement({ ...PERIOD, status: 'failed' });
    expect([...failedOnly.entries()].map((e) => e.status)).toEqual(['failed']);
    expect(failedOnly.statusFilter).toBe('failed');
    const none = h.statement({ ...PERIOD, currency: 'GBP' });
    expect(none.summaries.map((c) => [c.currency, c.closing])).toEqual([['GBP', 0n]]);
    expect(() => buildStatement({ holder: { name: null, address: h.me.address, iban: null }, backOfficeKey: h.backOffice.address, rows: [], options: { from: 2, to: 1 } })).toThrow(/starts after/);
  });
});

describe('export these (History’s current view)', () => {
  it('lists only the chosen entries, says so, and keeps the balances whole', async () => {
    const h = signedHistory();
    const all = h.statement();
    const chosen = [...all.entries()].slice(0, 2).map((e) => e.txid);
    const s = h.statement({ txids: chosen });
    expect([...s.entries()].map((e) => e.txid)).toEqual(chosen);
    expect(s.entryCount).toBe(2);
    expect(s.listedNote).toMatch(/^only the 2 entries chosen in History: a partial list/);
    expect(s.summaries).toEqual(all.summaries);
  });
});
