// The ledger store interface, on both stores: a write transaction's savepoints undo one operation
// alone, reads see only committed data and do not wait for an open write transaction, and the
// database itself refuses an overdraft even when the code asks for it.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server';
import { STORES, storeOptions, type StoreKind } from '../helpers/stores';
import { SqliteLedgerStore } from '../../src/server/backoffice/sqlite-store';
import { PgLedgerStore } from '../../src/server/backoffice/pg-store';
import { CLEARING_OWNER } from '../../src/server/backoffice/ledger';
import type { LedgerStore, LedgerTx } from '../../src/server/backoffice/ledger-store';

const stores: LedgerStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function open(kind: StoreKind): Promise<LedgerStore> {
  const { database } = await storeOptions(kind);
  const store = database ? await PgLedgerStore.open(database) : new SqliteLedgerStore(path.join(tempDir(), 'ledger.sqlite'));
  stores.push(store);
  return store;
}

const ALICE = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2';
const BOB = '1M3HdyTFSYRmkeb9FYJHzNENtufPKo1yqR';

async function deposit(tx: LedgerTx, to: string, amount: bigint): Promise<bigint> {
  const txid = await tx.insertTransfer({ timestamp: 1, kind: 'iban_in', sender: 'DE89370400440532013000', destination: to, currency: 'EUR', amount });
  await tx.advance(txid, 'approved', 1);
  await tx.post(txid, 'EUR', [
    { owner: CLEARING_OWNER, amount: -amount },
    { owner: to, amount },
  ]);
  await tx.advance(txid, 'complete', 1);
  return txid;
}

describe.each(STORES)('ledger store (%s)', (kind) => {
  it('a savepoint undoes one operation alone; the transaction commits the rest', async () => {
    const store = await open(kind);
    await store.transaction(async (tx) => {
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      await tx.register(BOB, { name: 'Bob Ltd', email: 'b@example.com', country: 'PA', currency: 'EUR' }, 1);
      await tx.savepoint(() => deposit(tx, ALICE, 500n));
      await expect(
        tx.savepoint(async () => {
          await deposit(tx, BOB, 700n);
          throw new Error('refused after writing');
        }),
      ).rejects.toThrow('refused after writing');
    });
    expect(await store.read((r) => r.balance(ALICE, 'EUR'))).toEqual({ balance: 500n, held: 0n });
    expect(await store.read((r) => r.balance(BOB, 'EUR'))).toEqual({ balance: 0n, held: 0n });
    expect((await store.audit()).transfers.map((t) => t.destination)).toEqual([ALICE]);
    expect(await store.checkInvariants()).toEqual([]);
  });

  it('within a transaction, what an operation read or left to write later is undone with its savepoint', async () => {
    // (PostgreSQL keeps rows it read or wrote, and writes signed messages, outcomes and approval steps
    // late, to save round trips; SQLite writes at once: both must behave the same.)
    const store = await open(kind);
    let kept = 0n;
    let undone = 0n;
    await store.transaction(async (tx) => {
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      kept = await tx.savepoint(() => deposit(tx, ALICE, 500n));
      expect((await tx.findTransfer(kept))!.status).toBe('complete');
      await tx.storeSignedMessage(kept, '{"kept":1}', 'sig-kept');
      await tx.recordOutcome('ref-kept', 1, '[]', '{"ok":true}');
      await expect(
        tx.savepoint(async () => {
          await tx.updateAccount(ALICE, { email: 'changed@example.com' }, 2);
          expect((await tx.account(ALICE))!.email).toBe('changed@example.com');
          undone = await tx.insertTransfer({ timestamp: 2, kind: 'iban_in', sender: 'DE89370400440532013000', destination: ALICE, currency: 'EUR', amount: 9n });
          await tx.advance(undone, 'approved', 2);
          await tx.storeSignedMessage(kept, '{"undone":1}', 'sig-undone');
          await tx.recordOutcome('ref-undone', 2, '[]', '{"ok":true}');
          await tx.setMember(ALICE, BOB, 'viewer', ALICE, 2);
          expect(await tx.members(ALICE)).toHaveLength(1);
          throw new Error('refused after writing');
        }),
      ).rejects.toThrow('refused after writing');
      // The transaction sees the state before the failed operation, and its own kept writes.
      expect((await tx.account(ALICE))!.email).toBe('a@example.com');
      expect(await tx.findTransfer(undone)).toBeUndefined();
      expect(await tx.members(ALICE)).toEqual([]);
      expect(await tx.signedMessage(kept)).toEqual({ data: '{"kept":1}', signed: 'sig-kept' });
      expect(await tx.outcome('ref-undone')).toBeUndefined();
      expect(await tx.outcome('ref-kept')).toEqual({ messages: '[]', outcome: '{"ok":true}' });
    });
    expect(await store.read((r) => r.signedMessage(kept))).toEqual({ data: '{"kept":1}', signed: 'sig-kept' });
    expect(await store.read((r) => r.outcome('ref-kept'))).toEqual({ messages: '[]', outcome: '{"ok":true}' });
    expect(await store.read((r) => r.outcome('ref-undone'))).toBeUndefined();
    expect((await store.read((r) => r.account(ALICE)))!.email).toBe('a@example.com');
    expect((await store.audit()).transfers.map((t) => t.txid)).toEqual([kept]);
    // The status history in order, the approval step included.
    expect((await store.statusHistory(kept)).map((h) => h.status)).toEqual(['NEW', 'approved', 'complete']);
    expect(await store.checkInvariants()).toEqual([]);
  });

  it('savepoints one after another and inside each other, some failing: each undoes exactly its own writes', async () => {
    const store = await open(kind);
    const ok: bigint[] = [];
    await store.transaction(async (tx) => {
      /** A savepoint whose operation writes, then fails. */
      const fail = (fn: () => Promise<unknown>) => expect(tx.savepoint(async () => (await fn(), Promise.reject(new Error('undo'))))).rejects.toThrow('undo');
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      ok.push(await tx.savepoint(() => deposit(tx, ALICE, 1n)));
      // An operation with an inner step that succeeds and one that fails.
      ok.push(
        await tx.savepoint(async () => {
          const kept = await tx.savepoint(() => deposit(tx, ALICE, 2n));
          await fail(() => deposit(tx, ALICE, 1000n));
          return kept;
        }),
      );
      await fail(() => tx.savepoint(() => deposit(tx, ALICE, 2000n)));
      ok.push(await tx.savepoint(() => tx.savepoint(() => tx.savepoint(() => deposit(tx, ALICE, 4n)))));
      ok.push(await tx.savepoint(() => tx.savepoint(() => deposit(tx, ALICE, 16n))));
      await fail(() => deposit(tx, ALICE, 3000n));
      ok.push(await tx.savepoint(() => deposit(tx, ALICE, 8n)));
    });
    expect(await store.read((r) => r.balance(ALICE, 'EUR'))).toEqual({ balance: 31n, held: 0n });
    expect((await store.audit()).transfers.map((t) => t.txid)).toEqual(ok);
    expect(await store.checkInvariants()).toEqual([]);
  });

  it('an approval step with no step after it in the transaction is still written', async () => {
    const store = await open(kind);
    let txid = 0n;
    await store.transaction(async (tx) => {
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      txid = await tx.insertTransfer({ timestamp: 1, kind: 'iban_in', sender: 'DE89370400440532013000', destination: ALICE, currency: 'EUR', amount: 5n });
      await tx.advance(txid, 'approved', 3);
    });
    expect(await store.statusHistory(txid)).toEqual([
      { status: 'NEW', at: 1n, reason: null },
      { status: 'approved', at: 3n, reason: null },
    ]);
  });

  it('reads see committed data only, and are answered while a write transaction is open', async () => {
    const store = await open(kind);
    await store.transaction(async (tx) => {
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      await deposit(tx, ALICE, 100n);
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const batch = store.transaction(async (tx) => {
      await deposit(tx, ALICE, 50n);
      expect(await tx.balance(ALICE, 'EUR')).toEqual({ balance: 150n, held: 0n }); // the batch sees its own writes
      wrote();
      await held; // e.g. waiting for its signatures
    });
    await written;
    // The write transaction is still open: a read is answered now, from the last commit.
    expect(await store.read((r) => r.balance(ALICE, 'EUR'))).toEqual({ balance: 100n, held: 0n });
    release();
    await batch;
    expect(await store.read((r) => r.balance(ALICE, 'EUR'))).toEqual({ balance: 150n, held: 0n });
  });

  it('the database refuses an overdraft and an over-hold, whatever the code asks', async () => {
    const store = await open(kind);
    await store.transaction(async (tx) => {
      await tx.register(ALICE, { name: 'Alice Ltd', email: 'a@example.com', country: 'PA', currency: 'EUR' }, 1);
      await tx.register(BOB, { name: 'Bob Ltd', email: 'b@example.com', country: 'PA', currency: 'EUR' }, 1);
      await deposit(tx, ALICE, 100n);
      const txid = await tx.insertTransfer({ timestamp: 2, kind: 'internal', sender: ALICE, destination: BOB, currency: 'EUR', amount: 101n });
      await expect(
        tx.savepoint(() =>
          tx.post(txid, 'EUR', [
            { owner: ALICE, amount: -101n },
            { owner: BOB, amount: 101n },
          ]),
        ),
      ).rejects.toThrow();
      await expect(tx.savepoint(() => tx.hold(ALICE, 'EUR', 101n))).rejects.toThrow();
      await expect(tx.savepoint(() => tx.hold(BOB, 'EUR', 1n))).rejects.toThrow(); // no funds at all
    });
    expect(await store.read((r) => r.balance(ALICE, 'EUR'))).toEqual({ balance: 100n, held: 0n });
    expect(await store.read((r) => r.balance(BOB, 'EUR'))).toEqual({ balance: 0n, held: 0n });
    expect(await store.checkInvariants()).toEqual([]);
  });
});
