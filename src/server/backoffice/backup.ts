// An online, consistent copy of the ledger with SQLite's backup API: safe while the back office
// runs (WAL readers do not block the writer), checked after copying (integrity check, and the
// ledger's own invariants), and never written over an existing file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dataPath, requireServerDataDir } from './data-dir';
import { Ledger } from './ledger';

export interface BackupResult {
  file: string;
  bytes: number;
  transfers: number;
}

export async function backupLedger(dataDir: string, file: string): Promise<BackupResult> {
  requireServerDataDir(dataDir);
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new Error(`${target} exists; a backup never overwrites a file`);
  const source = new Database(dataPath(dataDir, 'ledger'), { readonly: true, fileMustExist: true });
  try {
    await source.backup(target);
  } finally {
    source.close();
  }
  const copy = new Ledger(target);
  try {
    const integrity = copy.db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`the copy failed SQLite's integrity check: ${String(integrity)}`);
    const problems = copy.checkInvariants();
    if (problems.length > 0) throw new Error(`the copy breaks the ledger's invariants: ${problems.join('; ')}`);
    const transfers = Number((copy.db.prepare('SELECT COUNT(*) AS n FROM transfers').get() as { n: bigint }).n);
    return { file: target, bytes: fs.statSync(target).size, transfers };
  } finally {
    copy.close();
  }
}
