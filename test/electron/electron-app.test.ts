// The packaged Electron shell, end to end with Playwright's _electron. The Electron binary
// cannot be downloaded on our CI machines; there these tests are skipped with the reason printed.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication } from 'playwright-core';
import { startTestServer, tempDir } from '../helpers/server';
import type { ServerProcess } from '../../src/server/serve';

const require = createRequire(import.meta.url);
function electronBinary(): { path: string | null; reason: string } {
  try {
    const p = require('electron') as unknown as string;
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p, reason: '' };
    return { path: null, reason: `the Electron binary is not installed (${p} missing)` };
  } catch (e) {
    return { path: null, reason: `the Electron binary is not installed: ${(e as Error).message.split('\n')[0]}` };
  }
}
const binary = electronBinary();
if (!binary.path) console.warn(`[electron e2e] SKIPPED: ${binary.reason}. The renderer and core are covered in Chromium (test/ui) and Node (test/main).`);

describe.skipIf(!binary.path)(`Electron shell${binary.path ? '' : ` (skipped: ${binary.reason})`}`, () => {
  let server: ServerProcess;
  let app: ElectronApplication;
  beforeAll(async () => {
    // out/ is built once by test/global-setup.ts (rebuilding here would race the browser tests reading out/renderer).
    const root = path.resolve(__dirname, '../..');
    server = await startTestServer();
    app = await _electron.launch({
      executablePath: binary.path!,
      args: [root, '--no-sandbox'],
      env: { ...process.env, CCC_SANDBOX_ENDPOINT: server.url, CCC_SANDBOX_TRUSTED: server.backofficeAddress, CCC_USER_DATA: tempDir() },
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await server?.close();
  });

  it('opens one hardened window whose renderer sees only window.treasury', async () => {
    const win = await app.firstWindow();
    expect(await win.title()).toBe('CCC Treasury');
    const exposed = await win.evaluate(() => ({ treasury: typeof window.treasury, require: typeof (window as unknown as { require?: unknown }).require, process: typeof (window as unknown as { process?: unknown }).process }));
    expect(exposed).toEqual({ treasury: 'object', require: 'undefined', process: 'undefined' });
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      const p = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null }).getLastWebPreferences();
      return { contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration };
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it('logs in to the sandbox with the virtual Ledger and shows the register screen', async () => {
    const win = await app.firstWindow();
    await win.getByTestId('connect').click();
    await win.getByTestId('register-form').waitFor({ timeout: 30_000 });
  });

  it('installs our own menu: Edit roles for copy and paste, and About', async () => {
    const menu = await app.evaluate(({ Menu }) => {
      const roles: string[] = [];
      const ids: string[] = [];
      const walk = (items: Electron.MenuItem[]) => {
        for (const i of items) {
          if (i.role) roles.push(String(i.role).toLowerCase());
          if (i.id) ids.push(i.id);
          if (i.submenu) walk(i.submenu.items);
        }
      };
      walk(Menu.getApplicationMenu()?.items ?? []);
      return { roles, ids };
    });
    expect(menu.roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectall']));
    expect(menu.ids).toContain('about');
  });

  it('refuses navigation and new windows', async () => {
    const win = await app.firstWindow();
    const before = win.url();
    await win.evaluate(() => {
      window.open('https://example.com');
      location.href = 'https://example.com';
    });
    await win.waitForTimeout(500);
    expect(win.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
  });
});
