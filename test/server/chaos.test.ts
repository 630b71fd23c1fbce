// The Jepsen-style bank test, briefly (test/chaos/bank.ts; `npm run chaos` runs it longer):
// random transfers from several clients while the back office and a gateway are killed and
// restarted; every answer any client got must match the ledger, and the ledger must balance.
import { describe, expect, it } from 'vitest';
import { runBankChaos } from '../chaos/bank';
import { STORES, storeOptions } from '../helpers/stores';

describe.each(STORES)('chaos: processes killed under a transfer workload (ledger in %s)', (store) => {
  it('every answer matches the ledger (0 acknowledged-but-missing, 0 refused-but-committed, 0 doubled) and the ledger balances', async () => {
    const r = await runBankChaos({ seconds: 7, accounts: 5, workers: 8, gateways: 2, killEveryMs: 1200, alternateVictims: true, ...(await storeOptions(store)) });
    expect(r.kills.backoffice).toBeGreaterThanOrEqual(1);
    expect(r.kills.gateway).toBeGreaterThanOrEqual(1);
    expect(r.transfers.acknowledged).toBeGreaterThan(0);
    expect(r.transfers.refused).toBeGreaterThan(0); // overdraws happen
    expect(r.examples).toEqual([]);
    expect({ acknowledgedButMissing: r.acknowledgedButMissing, refusedButCommitted: r.refusedButCommitted, doubled: r.doubled }).toEqual({ acknowledgedButMissing: 0, refusedButCommitted: 0, doubled: 0 });
    expect(r.invariantProblems).toEqual([]);
    expect(r.moneyConserved).toBe(true);
  }, 180_000);
});
