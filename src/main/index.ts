// Electron entry point, kept thin: everything that matters lives in the Node-testable core.
// The sandbox server is NOT started here (it runs as its own Node process, see scripts/start-sandbox.ts);
// it is passed in through CCC_SANDBOX_ENDPOINT / CCC_SANDBOX_TRUSTED.
import { app, dialog, Notification } from 'electron';
import { AppCore } from './core/app-core';
import { createMainWindow, hardenApp } from './electron/window';
import { registerIpc } from './electron/ipc';

const endpoint = process.env.CCC_SANDBOX_ENDPOINT;
const trustedAddress = process.env.CCC_SANDBOX_TRUSTED;
const sandbox = endpoint && trustedAddress ? { endpoint, trustedAddress } : undefined;

// Tests give each run its own profile directory.
if (process.env.CCC_USER_DATA) app.setPath('userData', process.env.CCC_USER_DATA);
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

app.whenReady().then(() => {
  hardenApp();
  const win = createMainWindow();
  const core = new AppCore({
    dataDir: app.getPath('userData'),
    sandbox,
    chooseSavePath: async (defaultName) => {
      const r = await dialog.showSaveDialog(win, { defaultPath: defaultName, filters: [{ name: 'CSV statement', extensions: ['csv'] }] });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
  });
  registerIpc(core, win);
  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
});
