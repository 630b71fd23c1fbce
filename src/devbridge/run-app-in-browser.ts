// Runs the app's real core with the dev bridge for a browser: used by `npm start` when the
// Electron binary is unavailable, by the screenshot script and by the browser tests.
import fs from 'node:fs';
import path from 'node:path';
import { AppCore } from '../main/core/app-core';
import { SimulatedLedger } from '../main/device/simulated-device';
import { startDevBridge, type DevBridge } from './bridge-server';

export interface BrowserApp {
  core: AppCore;
  bridge: DevBridge;
  device: SimulatedLedger;
  exportDir: string;
  /** The core's data directory (profiles, the local history cache). */
  dataDir: string;
  close(): Promise<void>;
}

export async function runAppInBrowser(opts: { endpoint: string; trustedAddress: string; dataDir: string; exportDir: string; rendererDir?: string; port?: number; /** another Ledger (a team's members: other seeds) */ device?: SimulatedLedger }): Promise<BrowserApp> {
  fs.mkdirSync(opts.exportDir, { recursive: true });
  const device = opts.device ?? new SimulatedLedger();
  const core = new AppCore({
    dataDir: opts.dataDir,
    sandbox: { endpoint: opts.endpoint, trustedAddress: opts.trustedAddress },
    simulatedDevice: device,
    // No native dialog in a browser: statements go to the export directory under the suggested name.
    chooseSavePath: async (name) => path.join(opts.exportDir, name),
    firstScreenMs: 200,
  });
  const bridge = await startDevBridge({ core, rendererDir: opts.rendererDir ?? path.resolve('out/renderer'), port: opts.port });
  return {
    core,
    bridge,
    device,
    exportDir: opts.exportDir,
    dataDir: opts.dataDir,
    close: async () => {
      await bridge.close();
      await core.close();
    },
  };
}
