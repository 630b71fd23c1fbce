// Operator commands. They act through the running back office (found via backoffice.json in the
// data directory) so that notifications reach connected customers at once; when no back office
// runs, they open the ledger directly. They refuse a directory that holds no server data.
import type { AdminCommand } from '../contract';
import type { ApiErrorData } from '../../shared/errors';
import { LinkClient } from '../link-client';
import { BackOffice } from './back-office';
import fs from 'node:fs';
import { dataPath, loadOrCreateLinkSecret, readRuntimeInfo, requireServerDataDir } from './data-dir';
import type { BitcoinNetwork } from '../../shared/bitcoin-address';

export type AdminResult = { ok: true; result: unknown; via: 'link' | 'direct' } | { ok: false; error: ApiErrorData; via: 'link' | 'direct' };

export async function runAdmin(dataDir: string, cmd: AdminCommand, opts: { network?: BitcoinNetwork } = {}): Promise<AdminResult> {
  requireServerDataDir(dataDir);
  const running = readRuntimeInfo(dataDir);
  if (running) {
    const link = new LinkClient({ url: running.linkUrl, secret: loadOrCreateLinkSecret(dataDir), role: 'admin', reconnect: false });
    try {
      await link.ready(5000);
      return { ...(await link.admin(cmd)), via: 'link' };
    } finally {
      await link.close();
    }
  }
  if (!fs.existsSync(dataPath(dataDir, 'ledger'))) {
    throw new Error(`the back office of ${dataDir} is not running, and its ledger is not in that directory (PostgreSQL): start the back office, then run admin commands`);
  }
  const backOffice = new BackOffice({ dataDir, network: opts.network });
  try {
    return { ...(await backOffice.admin(cmd)), via: 'direct' };
  } finally {
    await backOffice.close();
  }
}
