// Electron entry point, kept thin: everything that matters lives in the Node-testable core, and the
// shell's own rules (menu, notifications, badge, updates) are pure modules under ./electron.
// The sandbox server is NOT started here (it runs as its own Node process, see scripts/start-sandbox.ts);
// it is passed in through CCC_SANDBOX_ENDPOINT / CCC_SANDBOX_TRUSTED.
import { app, dialog, Menu, Notification, type BrowserWindow } from 'electron';
import fs from 'node:fs';
import { AppCore } from './core/app-core';
import { createMainWindow, focusWindow, hardenApp, setAttentionBadge } from './electron/window';
import { registerIpc } from './electron/ipc';
import { aboutText, buildMenuTemplate } from './electron/menu';
import { attentionCount, shouldNotify } from './electron/attention';
import { loadUpdateConfig, updateConfigPath, type UpdateConfigResult } from './electron/update-policy';
import { setupUpdates, type Updates } from './electron/updates';

const APP_NAME = 'CCC Treasury';
const endpoint = process.env.CCC_SANDBOX_ENDPOINT;
const trustedAddress = process.env.CCC_SANDBOX_TRUSTED;
const sandbox = endpoint && trustedAddress ? { endpoint, trustedAddress } : undefined;

// Tests give each run its own profile directory.
if (process.env.CCC_USER_DATA) app.setPath('userData', process.env.CCC_USER_DATA);
app.enableSandbox();
// Windows shows a notification only for the AppUserModelID of the Start-menu shortcut (electron-builder's appId).
if (process.platform === 'win32') app.setAppUserModelId('co.cryptocapital.treasury');

let win: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another instance is running: it receives 'second-instance' and comes to the front; this one leaves.
  app.quit();
} else {
  app.on('second-instance', () => focusWindow(win));
  void app.whenReady().then(start);
}

function start(): void {
  hardenApp({ packaged: app.isPackaged });
  const window = createMainWindow();
  win = window;
  const core = new AppCore({
    dataDir: app.getPath('userData'),
    sandbox,
    firstScreenMs: 200, // background checks wait until the first screen is drawn
    chooseSavePath: async (defaultName) => {
      // Statements are .csv, .xml (camt.053) or .pdf, receipts .pdf: offer the file's own type.
      const ext = defaultName.split('.').pop() ?? 'csv';
      const kind: Record<string, string> = { csv: 'CSV statement', xml: 'ISO 20022 camt.053 statement', pdf: 'PDF document' };
      const r = await dialog.showSaveDialog(window, { defaultPath: defaultName, filters: [{ name: kind[ext] ?? ext, extensions: [ext] }] });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    // Deposits and settled payouts: a desktop notification only for someone who is not looking at the app.
    notify: (title, body) => {
      const state = window.isDestroyed() ? null : { destroyed: false, focused: window.isFocused(), visible: window.isVisible(), minimized: window.isMinimized() };
      if (!shouldNotify(state) || !Notification.isSupported()) return;
      const n = new Notification({ title, body });
      n.on('click', () => focusWindow(window));
      n.show();
    },
  });
  registerIpc(core, window);
  core.onEvent((e) => {
    if (e.type === 'snapshot') setAttentionBadge(window, attentionCount(e.snapshot, e.snapshot.team?.awaitingMyApproval ?? 0));
  });

  const updateConfig = readUpdateConfig();
  if (updateConfig.state === 'invalid') console.warn(`[updates] off: ${updateConfig.source}: ${updateConfig.message}`);
  const updates: Updates | null = updateConfig.state === 'on' ? setupUpdates(APP_NAME, updateConfig.config, () => win) : null;

  const showAbout = async () => {
    const { profiles, activeId } = await core.listProfiles().catch(() => ({ profiles: [], activeId: null }));
    const current = (await core.getSnapshot().catch(() => null))?.profileId ?? activeId;
    const profile = profiles.find((p) => p.id === current) ?? null;
    const text = aboutText({ appName: APP_NAME, version: app.getVersion(), versions: process.versions, profile, updates: describeUpdates(updateConfig) });
    await dialog.showMessageBox(window, { type: 'info', title: text.title, message: text.message, detail: text.detail, buttons: ['OK'], noLink: true });
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate(
        { appName: APP_NAME, packaged: app.isPackaged, platform: process.platform, updatesEnabled: !!updates },
        { about: () => void showAbout(), checkForUpdates: () => void updates?.checkNow() },
      ),
    ),
  );

  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
}

/** The machine-wide file an administrator writes; CCC_UPDATE_CONFIG only for unpackaged (development) runs. */
function readUpdateConfig(): UpdateConfigResult {
  const file = !app.isPackaged && process.env.CCC_UPDATE_CONFIG ? process.env.CCC_UPDATE_CONFIG : updateConfigPath(process.platform, process.env, APP_NAME);
  return loadUpdateConfig(file, (f) => fs.readFileSync(f, 'utf8'));
}

function describeUpdates(r: UpdateConfigResult): string {
  if (r.state === 'on') return `Updates: offered from ${r.config.url} (channel ${r.config.channel})`;
  if (r.state === 'invalid') return `Updates: off — ${r.source} is invalid (${r.message})`;
  return 'Updates: off (no update feed configured by your IT department)';
}
