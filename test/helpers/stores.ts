// The server test suites run against both ledger stores (a test matrix): `describe.each(STORES)`,
// and `storeOptions(store)` gives each server its ledger — SQLite in its temp data directory, or a
// fresh database on the run's real PostgreSQL server (test/postgres-setup.ts).
import { inject } from 'vitest';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

const pgUrl = inject('pgUrl');
export const STORES: StoreKind[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
if (!pgUrl) console.warn(`[postgres] the store matrix runs on SQLite only: ${inject('pgUnavailable')}`);

let databases = 0;

/** A fresh, empty database on the test PostgreSQL server; its URL. */
export async function freshDatabase(): Promise<string> {
  if (!pgUrl) throw new Error(`PostgreSQL is not available: ${inject('pgUnavailable')}`);
  const name = `ccc_${process.pid}_${Date.now()}_${++databases}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Options for startTestServer / startBackOffice: where this store keeps the ledger. */
export async function storeOptions(store: StoreKind): Promise<{ database?: string }> {
  return store === 'postgres' ? { database: await freshDatabase() } : {};
}
