// The signing pool: signatures made by worker threads are exactly the ones the back office made on
// its own thread before (same format, same bytes), interactive requests overtake bulk ones, the event
// loop keeps turning while thousands are signed, and read-only operations never open a write batch.
import { afterAll, describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1';
import crypto from 'node:crypto';
import { SigningPool } from '../../src/server/backoffice/signing-pool';
import { signBitcoinMessage, signBitcoinMessageNoble, signerImplementation, useNativeSigner } from '../../src/server/backoffice/signing-worker.mjs';
import { signMessage, verifyMessageSignature } from '../../src/shared/node/message-signature';
import { addressFromPublicKey } from '../../src/shared/bitcoin-address';
import { newCustomer, startTestServer, tempDir, testRules } from '../helpers/server';
import { BackOffice } from '../../src/server/backoffice/back-office';

// No inline budget: every signature here is made by a worker thread.
const pool = new SigningPool(2, { inlineBudgetMs: 0 });
afterAll(() => pool.close());

const keyOf = () => {
  const privateKey = secp256k1.utils.randomPrivateKey();
  return { privateKey, address: addressFromPublicKey(secp256k1.getPublicKey(privateKey, true), 'p2pkh', 'mainnet') };
};

describe('signing pool', () => {
  it("a worker's signature is signMessage's, byte for byte: with its own libsecp256k1 and with @noble/curves", () => {
    useNativeSigner(); // this thread's own copy of the addon, as a worker loads it
    expect(signerImplementation).toBe('libsecp256k1');
    for (let i = 0; i < 200; i++) {
      const key = crypto.randomBytes(32);
      // Lengths across the one-byte and three-byte varint of the message length; multi-byte UTF-8.
      const text = `${crypto.randomBytes(i * 2).toString('base64')}ü✓`;
      expect(signBitcoinMessage(text, key)).toBe(signMessage(text, key));
      expect(signBitcoinMessageNoble(text, key)).toBe(signMessage(text, key));
    }
  });

  it('signs exactly as signMessage does, for each of several keys', async () => {
    const keys = [keyOf(), keyOf()];
    const signers = keys.map((k) => pool.signer(k.privateKey));
    const texts = ['{"amount":"1.00","currency":"USD"}', 'ünïcödé ✓', '', '{"bind":{"msg":"balance"},"data":{"USD":"0.00"}}'];
    for (const [i, k] of keys.entries()) {
      const sigs = await Promise.all(texts.map((t, j) => signers[i].sign(t, j % 2 ? 'interactive' : 'bulk')));
      sigs.forEach((s, j) => {
        expect(s).toBe(signMessage(texts[j], k.privateKey)); // deterministic (RFC 6979): byte for byte the same
        expect(verifyMessageSignature(texts[j], k.address, s)).toBe(true);
      });
    }
    expect(pool.stats.signed).toBeGreaterThanOrEqual(8);
    expect(pool.stats.inline).toBe(0); // made by worker threads, not on this thread
    expect([...pool.implementations]).toEqual(['libsecp256k1']);
  });

  it('an interactive signature overtakes a queue of bulk ones, and the event loop keeps turning', async () => {
    const signer = pool.signer(keyOf().privateKey);
    await signer.sign('warm up');
    let bulkDone = 0;
    const bulk = Array.from({ length: 3000 }, (_, i) => signer.sign(`bulk ${i}`, 'bulk').then(() => void (bulkDone += 1)));
    let turns = 0;
    let signing = true;
    const spin = () => {
      turns += 1;
      if (signing) setImmediate(spin);
    };
    setImmediate(spin);
    const bulkDoneWhenInteractiveAnswered = await signer.sign('interactive', 'interactive').then(() => bulkDone);
    await Promise.all(bulk);
    signing = false;
    expect(bulkDoneWhenInteractiveAnswered).toBeLessThan(1000);
    expect(turns).toBeGreaterThan(20); // signing 3,000 texts on this thread would have been one long turn
  });
});

describe('signing pool fairness', () => {
  it('interactive requests are served round robin by lane: one flooding account delays only itself', async () => {
    const signer = pool.signer(keyOf().privateKey);
    await signer.sign('warm up');
    let floodDone = 0;
    const flood = Array.from({ length: 3000 }, (_, i) => signer.sign(`flood ${i}`, 'interactive', 'hostile').then(() => void (floodDone += 1)));
    const floodDoneWhenOtherAnswered = await signer.sign('balance of another customer', 'interactive', 'other').then(() => floodDone);
    await Promise.all(flood);
    expect(floodDoneWhenOtherAnswered).toBeLessThan(1000);
  });
});

describe('signing pool inline budget', () => {
  it('a lone interactive signature is made on the calling thread; a flood goes to the threads', async () => {
    const budgeted = new SigningPool(2);
    try {
      const key = keyOf();
      const signer = budgeted.signer(key.privateKey);
      expect(await signer.sign('balance', 'interactive', 'a')).toBe(signMessage('balance', key.privateKey));
      expect(budgeted.stats.inline).toBe(1);
      const flood = await Promise.all(Array.from({ length: 2000 }, (_, i) => signer.sign(`flood ${i}`, 'interactive', 'a')));
      expect(flood[1999]).toBe(signMessage('flood 1999', key.privateKey));
      expect(budgeted.stats.signed).toBeGreaterThan(1000); // the budget (2 ms of every 10 ms) ran out: threads signed the rest
      expect(await signer.sign('bulk', 'bulk')).toBe(signMessage('bulk', key.privateKey));
    } finally {
      await budgeted.close();
    }
  });
});

describe('the back office with the pool', () => {
  it('balance and getinfo are answered from committed data without opening a write batch', async () => {
    const server = await startTestServer();
    try {
      const { client } = await newCustomer(server.url);
      const commits = server.backOffice.stats.commits;
      for (let i = 0; i < 10; i++) {
        expect((await client.op('balance')).msg).toBe('balance');
        expect((await client.op('getinfo')).msg).toBe('account');
      }
      expect(server.backOffice.stats.commits).toBe(commits);
      await client.close();
    } finally {
      await server.close();
    }
  });
});

describe('a batch whose signatures cannot be made', () => {
  it('is rolled back whole: every operation answered INTERNAL_ERROR, nothing booked, the back office keeps working', async () => {
    const failing = new SigningPool(1, { inlineBudgetMs: 0 });
    const bo = new BackOffice({ dataDir: tempDir(), rules: testRules(), signingPool: failing });
    try {
      const account = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2';
      const sent: string[] = [];
      const reg = await bo.execute({ ref: 'r:1', account, op: 'register', params: { name: 'Kept Ltd', email: 'a@example.com', country: 'PA', currency: 'USD' } }, (m) => sent.push(m.msg));
      expect(reg).toEqual({ ok: true });
      expect((await bo.admin({ command: 'verify', address: account })).ok).toBe(true);
      await failing.close(); // from now on every signature fails
      const deposits = await Promise.all(
        [1, 2, 3].map((n) => bo.admin({ command: 'deposit', to: account, from: 'DE89370400440532013000', currency: 'USD', amount: String(n) })),
      );
      expect(deposits.map((d) => (d.ok ? 'ok' : d.error.code))).toEqual(['INTERNAL_ERROR', 'INTERNAL_ERROR', 'INTERNAL_ERROR']);
      const audit = await bo.store.audit();
      expect(audit.transfers).toEqual([]); // rolled back: no transfer, no posting, no balance
      expect(audit.postings).toBe(0n);
      expect(await bo.store.read((r) => r.balance(account, 'USD'))).toEqual({ balance: 0n, held: 0n });
      expect(await bo.store.read((r) => r.account(account))).toMatchObject({ name: 'Kept Ltd', verified: 1n }); // earlier batches stand
    } finally {
      await bo.close();
    }
  });
});
