// A statement that runs up to now carries the back office's signed, bound balance of the whole account,
// so an auditor can tell that no entry was left out: the verifier compares that balance with what the
// signed records add up to. The gap this closes: leaving one transaction out of BOTH the statement and
// its signatures file (and fixing the arithmetic) used to go unnoticed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStatement } from '../../src/main/statements/statement-model';
import { writeStatementFiles } from '../../src/main/statements/export-statement';
import { verifyStatement } from '../../src/main/statements/verify-statement';
import { signBinding } from '../../src/shared/node/answer-binding';
import { signData } from '../../src/shared/node/message-signature';
import type { BalanceData, BoundBalance } from '../../src/shared/protocol';
import { tempDir } from '../helpers/server';
import { signedHistory, T0, DAY } from '../helpers/signed-history';

const NOW = T0 + 30 * DAY;

/** The balance answer the back office would sign for this account at `at`. */
function boundBalance(h: ReturnType<typeof signedHistory>, data: BalanceData, at: number): BoundBalance {
  const { signed } = signData(data, h.backOffice.privateKey);
  const bind = { account: h.me.address, msg: 'balance', nonce: 7, session: 'ab'.repeat(16), at };
  return { data, signed, bind, bindSigned: signBinding(bind, data, h.backOffice.privateKey) };
}

// The available balances of the signed history at NOW (failed payouts count 0, pending ones are held).
const TRUE_BALANCE: BalanceData = { EUR: '1231000.89', JPY: '50000', USD: '1000.00' };

describe('a statement up to now proves it is complete', () => {
  it('verifies when every entry is there, and fails when one was left out of both files', async () => {
    const h = signedHistory();
    const dir = tempDir('ccc-complete-');
    const honest = h.statement({}, NOW);
    const honestFile = path.join(dir, 'honest.csv');
    await writeStatementFiles(honest, honestFile, 'csv', { balance: boundBalance(h, TRUE_BALANCE, NOW - 1000) });
    const ok = await verifyStatement(honestFile, h.backOffice.address);
    expect(ok.problems).toEqual([]);
    expect(ok.notes.join(' ')).toMatch(/no entry is missing/);

    // Leave out the USD deposit everywhere, consistently: the statement and its records still add up...
    const usdDeposit = h.view.rows().find((r) => r.currency === 'USD' && r.direction === 'in')!;
    const without = buildStatement({
      holder: { name: 'Acme Exchange Ltd', address: h.me.address, iban: 'CH9300762011623852957' },
      backOfficeKey: h.backOffice.address,
      rows: h.view.rows().filter((r) => r.txid !== usdDeposit.txid),
      evidence: (id) => h.view.evidence(id),
      generatedAt: NOW,
    });
    const shortFile = path.join(dir, 'short.csv');
    await writeStatementFiles(without, shortFile, 'csv', { balance: boundBalance(h, TRUE_BALANCE, NOW - 1000) });
    const bad = await verifyStatement(shortFile, h.backOffice.address);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(/USD: the back office signed an available balance of 1000\.00 .* but the signed records add up to -0\.50 — an entry is missing/);
  });

  it('refuses a balance line that is not the back office’s balance of this account', async () => {
    const h = signedHistory();
    const file = path.join(tempDir('ccc-complete-'), 's.csv');
    const forged = boundBalance(h, TRUE_BALANCE, NOW - 1000);
    forged.bind = { ...forged.bind, account: 'bc1qsomeoneelse0000000000000000000000000' };
    await writeStatementFiles(h.statement({}, NOW), file, 'csv', { balance: forged });
    const r = await verifyStatement(file, h.backOffice.address);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/the signed balance: its binding does not verify/);
  });
});
