// Builds the app once per test run with `electron-vite build` (what `npm run build` runs): the renderer
// that the browser tests serve through the dev bridge, and the main and preload bundles that
// test/electron/shell-bundle.test.ts executes against a stand-in of Electron's API.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (r.status !== 0) throw new Error('electron-vite build failed');
}
