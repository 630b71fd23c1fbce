// electron-updater wired to the company's own generic feed, the way update-policy.ts says: off unless
// configured, nothing downloaded or installed without the user's say, every download verified by
// electron-updater (sha512 from the feed; the installer's code signature on Windows and macOS).
import { app, dialog, type BrowserWindow } from 'electron';
import { autoUpdater, type UpdateInfo } from 'electron-updater';
import fs from 'node:fs';
import path from 'node:path';
import { offerDialog, windowsPublisherPinned, readyDialog, updateErrorDialog, upToDateDialog, type UpdateConfig, type UpdateDialog } from './update-policy';

export interface Updates {
  /** From the menu: the answer is always shown, "up to date" included. */
  checkNow(): Promise<void>;
}

export function setupUpdates(appName: string, config: UpdateConfig, getWindow: () => BrowserWindow | null): Updates {
  const updater = autoUpdater;
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.allowPrerelease = false;
  updater.disableWebInstaller = true;
  // A development run (CCC_UPDATE_CONFIG) reads dev-app-update.yml beside package.json where a packaged app
  // reads resources/app-update.yml (the updater's cache folder; on Windows the pinned publisher).
  updater.forceDevUpdateConfig = !app.isPackaged;
  updater.setFeedURL({ provider: 'generic', url: config.url, channel: config.channel });
  // setFeedURL's channel turns downgrades on; an older version is never offered.
  updater.allowDowngrade = false;

  let interactive = false;
  let busy = false;
  let downloading = false;
  const show = async (d: UpdateDialog): Promise<number> => {
    const win = getWindow();
    const opts = { type: 'info' as const, title: d.title, message: d.message, detail: d.detail, buttons: d.buttons, defaultId: d.defaultId, cancelId: d.cancelId, noLink: true };
    const r = win && !win.isDestroyed() ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    return r.response;
  };

  let offering = false;
  updater.on('update-available', (info: UpdateInfo) => {
    if (offering || downloading) return; // one question at a time
    offering = true;
    void show(offerDialog(appName, app.getVersion(), info)).then((choice) => {
      offering = false;
      if (choice !== 0) return;
      if (process.platform === 'win32' && !windowsPublisherPinned(readAppUpdateYml())) {
        void show(updateErrorDialog('This build names no code-signing publisher, so a download could not be verified. Ask IT for a signed installer.'));
        return;
      }
      // The user asked for this download: a failure (a checksum or a signature that does not match) is always shown.
      downloading = true;
      getWindow()?.setProgressBar(0);
      updater
        .downloadUpdate()
        .catch((e: Error) => {
          getWindow()?.setProgressBar(-1);
          void show(updateErrorDialog(e.message));
        })
        .finally(() => (downloading = false));
    });
  });
  updater.on('update-not-available', () => {
    if (interactive) void show(upToDateDialog(appName, app.getVersion()));
  });
  updater.on('download-progress', (p: { percent: number }) => getWindow()?.setProgressBar(Math.max(0, Math.min(1, p.percent / 100))));
  updater.on('update-downloaded', (info: UpdateInfo) => {
    getWindow()?.setProgressBar(-1);
    // The user asked for this download: installing when they quit is what "Later" means.
    updater.autoInstallOnAppQuit = true;
    void show(readyDialog(appName, info.version)).then((choice) => {
      if (choice === 0) updater.quitAndInstall(false, true);
    });
  });
  updater.on('error', (err: Error) => {
    if (downloading) return; // shown once, by the download's own failure above
    if (interactive) void show(updateErrorDialog(err.message));
    else console.warn(`[updates] ${err.message.split('\n')[0]}`);
  });

  const check = async (fromMenu: boolean) => {
    if (busy) return;
    busy = true;
    interactive = fromMenu;
    try {
      await updater.checkForUpdates();
    } catch {
      // reported through the 'error' event
    } finally {
      busy = false;
    }
  };
  if (config.checkOnStart) void check(false);
  return { checkNow: () => check(true) };
}

function readAppUpdateYml(): string | null {
  try {
    return fs.readFileSync(path.join(process.resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return null;
  }
}
