// Builds the app once per test run with `electron-vite build` (what `npm run build` runs): the renderer
// that the browser tests serve through the dev bridge, and the main and preload bundles that
// test/electron/shell-bundle.test.ts executes against a stand-in of Electron's API.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  // (From the module's own URL: bench/desk-e2e.ts runs this under tsx too, where __dirname is not this file's.)
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (r.status !== 0) throw new Error('electron-vite build failed');
}
