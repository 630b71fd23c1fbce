// The back office's data directory: the ledger, its signing key, the internal link secret,
// the operator's rules, and (while running) a runtime file that admin commands use to find it.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey, type BitcoinNetwork } from '../../shared/bitcoin-address';
import { generatePrivateKey } from '../../shared/node/message-signature';

export const FILES = {
  ledger: 'ledger.sqlite',
  key: 'backoffice-key.json',
  linkSecret: 'link-secret',
  config: 'compliance.json',
  runtime: 'backoffice.json',
} as const;

export function dataPath(dataDir: string, file: keyof typeof FILES): string {
  return path.join(dataDir, FILES[file]);
}

export function ensureDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/**
 * Refuses a directory that does not hold a server's data (operator commands must never create a
 * fresh data directory because of a typo in --data and then act on it).
 */
export function requireServerDataDir(dataDir: string): void {
  // A back office whose ledger is in PostgreSQL has no ledger.sqlite; while it runs, its runtime file stands for it.
  const missing = (['ledger', 'key'] as const).filter((f) => !fs.existsSync(dataPath(dataDir, f)) && !(f === 'ledger' && fs.existsSync(dataPath(dataDir, 'runtime'))));
  if (!fs.existsSync(dataDir)) throw new Error(`${path.resolve(dataDir)} does not exist; give the --data directory of the server`);
  if (missing.length > 0) {
    throw new Error(`${path.resolve(dataDir)} does not hold a ccc-server data directory (no ${missing.map((f) => FILES[f]).join(', ')}); give the --data directory of the server`);
  }
}

function writeSecretFile(file: string, content: string): void {
  // wx: never overwrite an existing secret (two processes starting at once keep the first).
  fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
}

export interface BackOfficeKey {
  privateKey: Uint8Array;
  address: string;
}

/** Loads the back-office signing key, generating it on first start. */
export function loadOrCreateKey(dataDir: string, network: BitcoinNetwork): BackOfficeKey {
  const file = dataPath(dataDir, 'key');
  if (!fs.existsSync(file)) {
    try {
      writeSecretFile(file, JSON.stringify({ privateKey: Buffer.from(generatePrivateKey()).toString('hex'), createdAt: new Date().toISOString() }) + '\n');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { privateKey?: string };
  if (typeof parsed.privateKey !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.privateKey)) {
    throw new Error(`${file} does not hold a valid back-office key; refusing to replace it`);
  }
  const privateKey = Uint8Array.from(Buffer.from(parsed.privateKey, 'hex'));
  return { privateKey, address: addressFromPublicKey(secp256k1.getPublicKey(privateKey, true), 'p2pkh', network) };
}

export function loadOrCreateLinkSecret(dataDir: string): string {
  const file = dataPath(dataDir, 'linkSecret');
  if (!fs.existsSync(file)) {
    try {
      writeSecretFile(file, crypto.randomBytes(32).toString('hex') + '\n');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export interface RuntimeInfo {
  pid: number;
  linkUrl: string;
  startedAt: string;
}

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  const file = dataPath(dataDir, 'runtime');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function removeRuntimeInfo(dataDir: string, pid = process.pid): void {
  const info = readRuntimeInfo(dataDir);
  if (info && info.pid === pid) fs.rmSync(dataPath(dataDir, 'runtime'), { force: true });
}

/** The running back office of this data directory, if its process is alive. */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(dataPath(dataDir, 'runtime'), 'utf8')) as RuntimeInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}
