// Wiring of the server's processes: `serve` (back office + link server + gateway in one process),
// `backoffice` (back office + link server) and `gateway` (gateway + link client).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migratePg } from './backoffice/pg-schema';
import { PgLeadership } from './backoffice/pg-leadership';
import { BackOffice } from './backoffice/back-office';
import { sharedSigningPool } from './backoffice/signing-pool';
import { PgLedgerStore } from './backoffice/pg-store';
import { startLinkServer, type LinkServer } from './backoffice/link-server';
import { loadOrCreateLinkSecret, removeRuntimeInfo, writeRuntimeInfo } from './backoffice/data-dir';
import type { Rules } from './backoffice/config';
import { startGateway, type Gateway, type GatewayOptions } from './gateway/gateway';
import { LinkClient } from './link-client';
import { Monitoring } from './monitoring';
import type { BitcoinNetwork } from '../shared/bitcoin-address';

export interface BackOfficeProcess {
  backOffice: BackOffice;
  link: LinkServer;
  close(): Promise<void>;
}

export interface BackOfficeStartOptions {
  dataDir: string;
  /** A postgres:// URL keeps the ledger in PostgreSQL (pg-store.ts); without it, SQLite in the data directory. */
  database?: string;
  sandbox?: boolean;
  network?: BitcoinNetwork;
  linkHost?: string;
  linkPort?: number;
  rules?: Rules;
  approvalTtlMs?: number;
  /** On PostgreSQL: called while this back office stands by for the active one (pg-leadership.ts). */
  onStandby?: () => void;
  /** On PostgreSQL: this back office lost its place as the active one and has stopped serving (the CLI exits, for its supervisor to restart it as a standby). */
  onDeposed?: (reason: string) => void;
  /** How often a standby tries to become active (ms). */
  standbyPollMs?: number;
}

/**
 * A back office and its link server. On PostgreSQL several may run on one database: exactly one is
 * active — it holds the leadership lock and fences every write batch with its epoch — and the others
 * wait here, without opening their link port, until it dies; then one takes over (pending payouts and
 * approvals re-armed from the ledger) and gateways following a list of back offices find it.
 */
export async function startBackOffice(opts: BackOfficeStartOptions): Promise<BackOfficeProcess> {
  let leadership: PgLeadership | null = null;
  let store: PgLedgerStore | undefined;
  let deposed: (reason: string) => void = () => undefined;
  if (opts.database) {
    checkDatabaseUrl(opts.database);
    await migrateDatabase(opts.database); // the leadership table is part of the schema
    // Said once when the lock is not had at once: another back office is active on this database.
    const standby = setTimeout(() => opts.onStandby?.(), 200);
    leadership = await PgLeadership.acquire({ connectionString: opts.database, holder: `${os.hostname()}:${process.pid}`, pollMs: opts.standbyPollMs ?? 1000, onLost: (reason) => deposed(reason) });
    clearTimeout(standby);
    const lead = leadership;
    store = await PgLedgerStore.open(opts.database, { fence: (c) => lead.fence(c) });
  }
  const backOffice = new BackOffice({ dataDir: opts.dataDir, sandbox: opts.sandbox, network: opts.network, rules: opts.rules, store, approvalTtlMs: opts.approvalTtlMs });
  const link = await startLinkServer(backOffice, { secret: loadOrCreateLinkSecret(backOffice.dataDir), host: opts.linkHost, port: opts.linkPort, monitoring: backOfficeMonitoring(backOffice) });
  writeRuntimeInfo(backOffice.dataDir, { pid: process.pid, linkUrl: link.url, startedAt: new Date().toISOString() });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    removeRuntimeInfo(backOffice.dataDir);
    await link.close();
    await backOffice.close();
    await leadership?.release();
  };
  deposed = (reason) => {
    console.error(`back office: no longer the active one (${reason}); it stops serving`);
    void close().finally(() => opts.onDeposed?.(reason));
  };
  return { backOffice, link, close };
}

function checkDatabaseUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--database must be a postgres:// URL (without it the ledger is SQLite in the data directory), not ${url}`);
}

async function migrateDatabase(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migratePg(pool);
  } finally {
    await pool.end();
  }
}

/** The ledger store for a --database URL (postgres:// or postgresql://). */
export async function openDatabase(url: string): Promise<PgLedgerStore> {
  checkDatabaseUrl(url);
  return PgLedgerStore.open(url);
}

/** The back office's health and figures, served on its link port (src/server/monitoring.ts). */
function backOfficeMonitoring(backOffice: BackOffice): Monitoring {
  const m = new Monitoring('backoffice', { problems: () => (backOffice.isAvailable() ? [] : ['the back office is closed']) });
  m.gauge('ccc_backoffice_committed_transactions', 'Group-commit transactions since start (use rate()).', () => backOffice.stats.commits);
  m.gauge('ccc_backoffice_committed_operations', 'Operations committed since start (use rate()).', () => backOffice.stats.operations);
  m.gauge('ccc_backoffice_queue_depth', 'Operations waiting for the next group commit.', () => backOffice.queueDepth());
  m.gauge('ccc_backoffice_pending_payouts', 'IBAN payouts pending settlement.', () => (backOffice.isAvailable() ? backOffice.store.pendingPayoutCount() : 0));
  m.gauge('ccc_backoffice_signing_queue_depth', 'Signatures waiting for a thread of the signing pool.', () => sharedSigningPool().queueDepth());
  return m;
}

export interface ServerProcess extends BackOfficeProcess {
  gateway: Gateway;
  url: string;
  backofficeAddress: string;
  dataDir: string;
}

/** `ccc-server serve`: everything in one process. */
export async function startServer(
  opts: { dataDir: string; database?: string; port?: number; host?: string; sandbox?: boolean; network?: BitcoinNetwork; rules?: Rules; approvalTtlMs?: number; onDeposed?: (reason: string) => void } & Partial<
    Pick<GatewayOptions, 'challengeTtlMs' | 'maxAuthFailures' | 'rateLimit' | 'heartbeatMs' | 'authTimeoutMs' | 'maxConnections' | 'maxConnectionsPerAddress' | 'output' | 'outcomeRecoveryMs' | 'publicUrl' | 'tls'>
  >,
): Promise<ServerProcess> {
  const bo = await startBackOffice({ dataDir: opts.dataDir, database: opts.database, sandbox: opts.sandbox, network: opts.network, rules: opts.rules, approvalTtlMs: opts.approvalTtlMs, onDeposed: opts.onDeposed });
  const gateway = await startGateway({ ...opts, backOffice: bo.backOffice });
  return {
    ...bo,
    gateway,
    url: gateway.url,
    backofficeAddress: bo.backOffice.address,
    dataDir: bo.backOffice.dataDir,
    close: async () => {
      await gateway.close();
      await bo.close();
    },
  };
}

/** `ccc-server gateway --backoffice URL`: a gateway in front of a remote back office. */
export async function startRemoteGateway(
  opts: { backofficeUrl: string | string[]; secret: string; port?: number; host?: string; network?: BitcoinNetwork; waitMs?: number } & Partial<
    Pick<GatewayOptions, 'outcomeRecoveryMs' | 'output' | 'maxConnections' | 'authTimeoutMs' | 'publicUrl' | 'tls'>
  >,
): Promise<{ gateway: Gateway; link: LinkClient; close(): Promise<void> }> {
  const link = new LinkClient({ url: opts.backofficeUrl, secret: opts.secret, role: 'gateway', reconnect: true });
  if (opts.waitMs !== 0) await link.ready(opts.waitMs ?? 10_000).catch(() => undefined); // start anyway; it reconnects by itself
  const gateway = await startGateway({
    backOffice: link,
    port: opts.port,
    host: opts.host,
    network: opts.network,
    outcomeRecoveryMs: opts.outcomeRecoveryMs,
    output: opts.output,
    maxConnections: opts.maxConnections,
    authTimeoutMs: opts.authTimeoutMs,
    publicUrl: opts.publicUrl,
    tls: opts.tls,
  });
  return {
    gateway,
    link,
    close: async () => {
      await gateway.close();
      await link.close();
    },
  };
}

/** TLS options from the --tls-cert / --tls-key files (both or neither). */
export function readTlsFiles(cert?: string, key?: string): { cert: Buffer; key: Buffer } | undefined {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('give both --tls-cert and --tls-key');
  return { cert: fs.readFileSync(path.resolve(cert)), key: fs.readFileSync(path.resolve(key)) };
}

export function readSecretFile(file: string): string {
  return fs.readFileSync(path.resolve(file), 'utf8').trim();
}
