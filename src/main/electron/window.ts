// The one application window, locked down: context isolation, sandbox, no Node in the renderer,
// a strict CSP, no navigation, no new windows, no webviews, every permission request denied —
// for every session and every web contents the app ever creates, not only the first ones.
// Its size and position are remembered between launches (electron-window-state).
import { app, BrowserWindow, nativeImage, session, type Session } from 'electron';
import windowStateKeeper from 'electron-window-state';
import path from 'node:path';
import { RENDERER_CSP } from '../../shared/renderer-csp';
import { badgeDescription } from './attention';

export const RENDERER_ENTRY = path.join(__dirname, '../renderer/index.html');
export const PRELOAD_ENTRY = path.join(__dirname, '../preload/index.cjs');

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // WebHID / WebUSB / Web Serial from the renderer: never (the device is reached from the main process).
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
}

export function hardenApp(opts: { packaged: boolean }): void {
  hardenSession(session.defaultSession);
  app.on('session-created', (ses) => hardenSession(ses));
  app.on('web-contents-created', (_e, contents) => {
    // A packaged build has no developer tools, whatever opened them (a shortcut, a command-line switch).
    if (opts.packaged) contents.on('devtools-opened', () => contents.closeDevTools());
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // The app has no external links: nothing opens, neither inside the app nor outside.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function createMainWindow(): BrowserWindow {
  const state = windowStateKeeper({ defaultWidth: 1280, defaultHeight: 820 });
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 960,
    minHeight: 640,
    title: 'CCC Treasury',
    show: false,
    backgroundColor: '#0f1419',
    // Written out here (not spread from a constant) so that electronegativity can read every value.
    webPreferences: {
      preload: PRELOAD_ENTRY,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  state.manage(win);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(RENDERER_ENTRY);
  return win;
}

/** A second launch, a notification click: bring the running window to the front. */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

// A 16×16 red dot for the Windows taskbar overlay (Windows has no numeric badge).
const BADGE_DOT_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAbElEQVR4nK2TMQ7AIAgAfQkbO4/iM7yPia+4tAtNiKE1FoZbiJyAOIxwVMiCYIRihGqE01GPwU7AnnC9MP1MKuCPxBVeBbC5OasEokAOkh8kCvSHQKPgpPzYRp+g3EJ5iOVnLC9Syyq3fKZjbgbjyCSXEbIyAAAAAElFTkSuQmCC';

/** The dock/taskbar badge: a number on macOS and Linux launchers, a dot with a description on Windows. */
export function setAttentionBadge(win: BrowserWindow | null, count: number): void {
  if (process.platform === 'win32') {
    if (!win || win.isDestroyed()) return;
    win.setOverlayIcon(count > 0 ? nativeImage.createFromDataURL(`data:image/png;base64,${BADGE_DOT_PNG}`) : null, badgeDescription(count));
    return;
  }
  app.setBadgeCount(Math.max(0, count));
}
