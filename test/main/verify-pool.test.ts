// The verification pool: real worker threads, real back-office signatures. Every verdict is the
// same as the client's own check (shared/node/message-signature.ts), a forged or foreign row fails,
// and the work really runs off the main thread.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { VerifyPool } from '../../src/main/history/verify-pool';
import { signData } from '../../src/shared/node/message-signature';
import type { TransferData } from '../../src/shared/protocol';
import { newIdentity } from '../helpers/server';

const backOffice = newIdentity('p2pkh');
const me = newIdentity('p2wpkh');
const records = Array.from({ length: 300 }, (_, i) => {
  const data: TransferData = { txid: i + 1, timestamp: 1_700_000_000_000 + i, sender: 'DE89370400440532013000', destination: me.address, currency: 'EUR', amount: `${i + 1}.00` };
  return { data, signed: signData(data, backOffice.privateKey).signed };
});
const pool = new VerifyPool(2);
afterAll(() => pool.close());

describe('the verification pool', () => {
  it('checks a small batch at once on this thread while its workers start, and starts them', async () => {
    const cold = new VerifyPool(2);
    try {
      const verdicts = await cold.verifyRecords(records.slice(0, 200), backOffice.address);
      expect(verdicts.every(Boolean)).toBe(true);
      expect(cold.stats.inlineBatches).toBe(1);
      await vi.waitFor(() => expect(cold.stats.readyWorkers).toBe(2), { timeout: 30_000 });
      // Ready: the same batch now goes to a worker.
      const forged = records.slice(0, 200).map((r, i) => (i === 9 ? { ...r, data: { ...r.data, amount: '9999.00' } } : r));
      expect((await cold.verifyRecords(forged, backOffice.address)).indexOf(false)).toBe(9);
      expect(cold.stats.inlineBatches).toBe(1);
    } finally {
      await cold.close();
    }
  });

  it('verifies batches on worker threads, several at once, with the client’s verdicts', async () => {
    pool.warm();
    await vi.waitFor(() => expect(pool.stats.readyWorkers).toBe(2), { timeout: 30_000 });
    const forged = records.map((r) => ({ ...r }));
    forged[17] = { ...forged[17], data: { ...forged[17].data, amount: '17000.00' } }; // altered after signing
    forged[250] = { ...forged[250], signed: signData(forged[250].data, newIdentity().privateKey).signed }; // signed by another key
    const [a, b] = await Promise.all([pool.verifyRecords(forged.slice(0, 150), backOffice.address), pool.verifyRecords(forged.slice(150), backOffice.address)]);
    const verdicts = [...a, ...b];
    expect(verdicts.filter((v) => !v).length).toBe(2);
    expect(verdicts[17]).toBe(false);
    expect(verdicts[250]).toBe(false);
    expect(pool.stats.threadIds.size).toBe(2);
    expect(pool.stats.inlineBatches).toBe(0);
  });

  it('checks cached lines: malformed, foreign and forged lines fail, at their index', async () => {
    const lines = records.slice(0, 50).map((r) => JSON.stringify(r));
    expect(await pool.firstBadLine(lines, backOffice.address, me.address)).toBe(-1);
    expect(await pool.firstBadLine(lines, backOffice.address, newIdentity().address)).toBe(0); // not this account's rows
    const bad = [...lines];
    bad[7] = bad[7].replace('"amount":"8.00"', '"amount":"8000.00"');
    expect(await pool.firstBadLine(bad, backOffice.address, me.address)).toBe(7);
    bad[3] = '{"data":{"txid":"4"},"signed":1}';
    expect(await pool.firstBadLine(bad, backOffice.address, me.address)).toBe(3);
    expect(await pool.firstBadLine(lines, newIdentity().address, me.address)).toBe(0); // another back office
  });
});
