// `npm start`: the sandbox ccc-server and the treasury app against it, with the virtual Ledger.
// The server runs as its own Node process (better-sqlite3 never enters Electron). The app runs in
// Electron when its binary is available, else in a browser through the dev bridge.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { runAppInBrowser } from '../src/devbridge/run-app-in-browser';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const data = path.join(root, '.data');
const require = createRequire(import.meta.url);

function startServer(): Promise<{ child: ChildProcess; ws: string; trusted: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/cli.ts'), 'serve', '--port', process.env.CCC_PORT ?? '0', '--data', path.join(data, 'sandbox-server'), '--sandbox'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      process.stdout.write(`[server] ${d}`);
      const ws = /^ws: (.*)$/m.exec(out)?.[1];
      const trusted = /^backoffice-address: (.*)$/m.exec(out)?.[1];
      if (ws && trusted) resolve({ child, ws, trusted });
    });
    child.on('exit', (code) => reject(new Error(`the sandbox server exited (${code})`)));
  });
}

function electronBinary(): string | null {
  const tryPath = () => {
    try {
      const p = require('electron') as unknown as string;
      return typeof p === 'string' && fs.existsSync(p) ? p : null;
    } catch {
      return null;
    }
  };
  let p = tryPath();
  if (!p && process.env.CCC_NO_ELECTRON_DOWNLOAD !== '1') {
    console.log('Electron binary missing: trying to download it (node node_modules/electron/install.js)…');
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8', timeout: 180_000 });
    p = tryPath();
    // The installer's stack trace says nothing a user can act on; its first line names the cause.
    if (!p && r.stderr) console.log(`  download failed: ${r.stderr.trim().split('\n')[0]}`);
  }
  return p;
}

const server = await startServer();
const stop = () => server.child.kill('SIGTERM');
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(0));

const electron = process.env.CCC_BROWSER === '1' ? null : electronBinary();
if (electron) {
  console.log('Building the app (electron-vite build)…');
  spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  const app = spawn(electron, [root], { cwd: root, stdio: 'inherit', env: { ...process.env, CCC_SANDBOX_ENDPOINT: server.ws, CCC_SANDBOX_TRUSTED: server.trusted } });
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('The Electron binary is not available here: running the same app in your browser through the dev bridge.');
  spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(root, 'vite.renderer.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  const app = await runAppInBrowser({ endpoint: server.ws, trustedAddress: server.trusted, dataDir: path.join(data, 'app'), exportDir: path.join(data, 'exports') });
  console.log(`\nCCC Treasury (sandbox) is running at:\n\n  ${app.bridge.url}\n\nStatements are saved to ${app.exportDir}. Press Ctrl+C to stop.`);
  const browser = ['/usr/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/chromium-browser'].find((b) => fs.existsSync(b));
  if (browser && (process.env.DISPLAY || process.platform === 'darwin') && process.env.CCC_NO_BROWSER !== '1') {
    spawn(browser, [`--app=${app.bridge.url}`, '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${path.join(data, 'browser-profile')}`], { stdio: 'ignore', detached: true }).unref();
  }
}
