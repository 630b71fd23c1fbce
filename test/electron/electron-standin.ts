// A recording stand-in for the part of Electron's main-process and preload API that our shell uses.
// The Electron binary cannot be downloaded on our machines, so the BUILT bundles (out/main, out/preload)
// are executed in Node with `require('electron')` answered by this object. It is a test double of the
// framework, never of our own code: every call is recorded, and any Electron API the shell touches that
// is not listed here is recorded as missing (and fails the test) instead of passing silently.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import Module from 'node:module';
import path from 'node:path';

type Handler = (...args: any[]) => any;

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  windowOpenHandler: Handler | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  setWindowOpenHandler(h: Handler): void {
    this.windowOpenHandler = h;
  }
  devToolsOpen = false;
  openDevTools(): void {
    this.devToolsOpen = true;
    this.emit('devtools-opened');
  }
  closeDevTools(): void {
    this.devToolsOpen = false;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeSession {
  permissionRequest: Handler | null = null;
  permissionCheck: Handler | null = null;
  devicePermission: Handler | null = null;
  headersReceived: Handler | null = null;
  constructor(readonly name: string) {}
  setPermissionRequestHandler(h: Handler | null): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Handler | null): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: Handler | null): void {
    this.devicePermission = h;
  }
  readonly webRequest = {
    onHeadersReceived: (h: Handler) => {
      this.headersReceived = h;
    },
  };
}

export interface StandInOptions {
  userData: string;
  appPath: string;
  version: string;
  isPackaged: boolean;
  /** What requestSingleInstanceLock() answers (false: another instance runs). */
  gotLock: boolean;
  platform?: NodeJS.Platform;
}

/** Everything the shell did through Electron, for the test to read. */
export interface Recorder {
  calls: string[];
  missing: string[];
  windows: FakeBrowserWindowType[];
  ipcHandlers: Map<string, Handler>;
  menus: unknown[];
  appMenu: { template: any[] } | null;
  notifications: { options: { title: string; body: string }; shown: boolean; emitter: EventEmitter }[];
  messageBoxes: { title?: string; message: string; detail?: string; buttons?: string[]; defaultId?: number; cancelId?: number }[];
  saveDialogs: unknown[];
  badgeCounts: number[];
  exposed: { name: string; api: Record<string, unknown> }[];
  invocations: { channel: string; args: unknown[] }[];
  /** URLs fetched through net.request (electron-updater's HTTP client). */
  netRequests: string[];
  /** Which members of `electron` were read. */
  accessed: Set<string>;
}

export type FakeBrowserWindowType = InstanceType<ReturnType<typeof createStandIn>['BrowserWindow']>;

export function createStandIn(opts: StandInOptions) {
  const rec: Recorder = {
    calls: [],
    missing: [],
    windows: [],
    ipcHandlers: new Map(),
    menus: [],
    appMenu: null,
    notifications: [],
    messageBoxes: [],
    saveDialogs: [],
    badgeCounts: [],
    exposed: [],
    invocations: [],
    netRequests: [],
    accessed: new Set(),
  };
  const paths: Record<string, string> = { userData: opts.userData };
  let readyResolve!: () => void;
  const readyPromise = new Promise<void>((r) => (readyResolve = r));
  let name = 'Electron';
  /** The next answers of dialog.showMessageBox (index of the button); default: the cancel button. */
  const messageBoxAnswers: number[] = [];

  class App extends EventEmitter {
    isPackaged = opts.isPackaged;
    whenReady() {
      rec.calls.push('app.whenReady');
      return readyPromise;
    }
    setPath(key: string, value: string) {
      rec.calls.push(`app.setPath:${key}`);
      paths[key] = value;
    }
    getPath(key: string) {
      if (!(key in paths)) throw new Error(`stand-in: app.getPath(${key}) not set`);
      return paths[key];
    }
    getAppPath() {
      return opts.appPath;
    }
    getVersion() {
      return opts.version;
    }
    getName() {
      return name;
    }
    setName(n: string) {
      name = n;
    }
    setAppUserModelId(id: string) {
      rec.calls.push(`app.setAppUserModelId:${id}`);
    }
    enableSandbox() {
      rec.calls.push('app.enableSandbox');
    }
    requestSingleInstanceLock() {
      rec.calls.push('app.requestSingleInstanceLock');
      return opts.gotLock;
    }
    quit() {
      rec.calls.push('app.quit');
    }
    relaunch() {
      rec.calls.push('app.relaunch');
    }
    setBadgeCount(n: number) {
      rec.badgeCounts.push(n);
      return true;
    }
  }
  const app = new App();

  const defaultSession = new FakeSession('default');
  const session = {
    defaultSession,
    fromPartition(partition: string) {
      const s = new FakeSession(partition);
      app.emit('session-created', s);
      return s;
    },
  };

  class BrowserWindow extends EventEmitter {
    static getAllWindows() {
      return rec.windows.filter((w) => !w.destroyed);
    }
    readonly webContents = new FakeWebContents();
    loaded: string | null = null;
    focused = false;
    visible = false;
    minimized = false;
    destroyed = false;
    bounds: { x: number; y: number; width: number; height: number };
    readonly actions: string[] = [];
    constructor(readonly options: Record<string, any>) {
      super();
      this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
      rec.windows.push(this);
      // As in Electron: every web contents announces itself on the app.
      app.emit('web-contents-created', new FakeEvent(), this.webContents);
    }
    loadFile(file: string) {
      this.loaded = file;
      return Promise.resolve();
    }
    show() {
      this.actions.push('show');
      this.visible = true;
    }
    focus() {
      this.actions.push('focus');
      this.focused = true;
    }
    restore() {
      this.actions.push('restore');
      this.minimized = false;
    }
    isMinimized() {
      return this.minimized;
    }
    isFocused() {
      return this.focused;
    }
    isVisible() {
      return this.visible;
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMaximized() {
      return false;
    }
    isFullScreen() {
      return false;
    }
    maximize() {
      this.actions.push('maximize');
    }
    setFullScreen(v: boolean) {
      this.actions.push(`setFullScreen:${v}`);
    }
    getBounds() {
      return { ...this.bounds };
    }
    setProgressBar(p: number) {
      this.actions.push(`progress:${p}`);
    }
    setOverlayIcon(_img: unknown, description: string) {
      this.actions.push(`overlay:${description}`);
    }
    /** What Electron does when the user closes the window. */
    userCloses() {
      this.emit('close', new FakeEvent());
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
      if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
    }
  }

  class Notification extends EventEmitter {
    static isSupported() {
      return true;
    }
    private readonly entry: Recorder['notifications'][number];
    constructor(options: { title: string; body: string }) {
      super();
      this.entry = { options, shown: false, emitter: this };
      rec.notifications.push(this.entry);
    }
    show() {
      this.entry.shown = true;
    }
  }

  const display = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };

  const ipcRenderer = Object.assign(new EventEmitter(), {
    invokeImpl: (async () => undefined) as Handler,
    invoke(channel: string, ...args: unknown[]) {
      rec.invocations.push({ channel, args });
      return ipcRenderer.invokeImpl(channel, ...args);
    },
  });

  const electron: Record<string, unknown> = {
    app,
    session,
    BrowserWindow,
    Notification,
    ipcMain: {
      handle(channel: string, h: Handler) {
        if (rec.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        rec.ipcHandlers.set(channel, h);
      },
      removeHandler(channel: string) {
        rec.ipcHandlers.delete(channel);
      },
      on() {
        rec.calls.push('ipcMain.on');
      },
    },
    dialog: {
      async showSaveDialog(...args: unknown[]) {
        rec.saveDialogs.push(args);
        return { canceled: true };
      },
      async showMessageBox(...args: any[]) {
        const o = (args.length > 1 ? args[1] : args[0]) as Recorder['messageBoxes'][number];
        rec.messageBoxes.push(o);
        return { response: messageBoxAnswers.length ? messageBoxAnswers.shift()! : (o.cancelId ?? 0), checkboxChecked: false };
      },
      showErrorBox(title: string, content: string) {
        rec.messageBoxes.push({ title, message: content });
      },
    },
    Menu: {
      buildFromTemplate(template: any[]) {
        const m = { template };
        rec.menus.push(m);
        return m;
      },
      setApplicationMenu(m: { template: any[] } | null) {
        rec.appMenu = m;
      },
    },
    screen: {
      getAllDisplays: () => [display],
      getPrimaryDisplay: () => display,
      getDisplayMatching: () => display,
    },
    nativeImage: {
      createFromDataURL: (url: string) => ({ dataURL: url, isEmpty: () => false }),
    },
    // Electron's net.request has the shape of Node's http.request; here it is Node's, for this machine only.
    net: {
      request(options: http.RequestOptions & { session?: unknown; redirect?: string }) {
        const { session: _session, redirect: _redirect, ...rest } = options;
        const url = `${rest.protocol}//${rest.hostname}:${rest.port}${rest.path}`;
        rec.netRequests.push(url);
        if (rest.protocol !== 'http:' || rest.hostname !== '127.0.0.1') throw new Error(`stand-in net.request: only http://127.0.0.1 is reachable, not ${url}`);
        return http.request(rest);
      },
    },
    // Electron's own (Squirrel) autoUpdater: electron-updater emits 'before-quit-for-update' on it.
    autoUpdater: new EventEmitter(),
    contextBridge: {
      exposeInMainWorld(name: string, api: Record<string, unknown>) {
        rec.exposed.push({ name, api });
      },
    },
    ipcRenderer,
  };

  // Unknown members are recorded: the shell must not depend on an Electron API this file does not model.
  const module = new Proxy(electron, {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop === '__esModule' || prop === 'default' || prop === 'then') return undefined;
      rec.accessed.add(prop);
      if (prop in target) return target[prop];
      rec.missing.push(prop);
      return undefined;
    },
  });

  return {
    module,
    rec,
    app,
    session,
    defaultSession,
    BrowserWindow,
    ipcRenderer,
    /** Electron's 'ready'. */
    ready: () => readyResolve(),
    answerNextMessageBox: (...answers: number[]) => messageBoxAnswers.push(...answers),
  };
}

export type StandIn = ReturnType<typeof createStandIn>;

// ---- installing it where `require('electron')` looks ---------------------------------------------

const STANDIN_FILE = path.join(path.sep, '__electron-standin__', 'electron.js');
let current: StandIn | null = null;
let installed = false;

/**
 * From now on, `require('electron')` anywhere in this process (our bundles and the libraries they load,
 * e.g. electron-window-state and electron-updater) gets the current stand-in. Modules keep the object
 * they required, so it forwards to whichever stand-in is current.
 */
export function useStandIn(s: StandIn): void {
  current = s;
  if (installed) return;
  installed = true;
  const M = Module as unknown as { _resolveFilename: Handler; _cache: Record<string, unknown> };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'electron') return STANDIN_FILE;
    return resolve.call(this, request, ...rest);
  };
  const forward = new Proxy(
    {},
    {
      get: (_t, prop) => (current!.module as Record<string | symbol, unknown>)[prop],
      has: (_t, prop) => prop in current!.module,
    },
  );
  const m = new Module(STANDIN_FILE);
  m.filename = STANDIN_FILE;
  m.loaded = true;
  m.exports = forward;
  M._cache[STANDIN_FILE] = m;
}
