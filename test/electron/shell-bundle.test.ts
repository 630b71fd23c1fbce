// The BUILT Electron shell, executed. test/global-setup.ts runs `electron-vite build` (what `npm run build`
// runs); this file loads out/main/index.cjs and out/preload/index.cjs in Node with `require('electron')`
// answered by a recording stand-in of Electron's API (electron-standin.ts) — the Electron binary cannot be
// downloaded here. Everything else is real: the bundle's own code and dependencies, AppCore, a real
// ccc-server, the virtual Ledger over APDUs, settings files on disk.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStandIn, FakeEvent, FakeSession, FakeWebContents, useStandIn, type StandIn } from './electron-standin';
import { startTestServer, tempDir } from '../helpers/server';
import { WsProxy } from '../helpers/ws-proxy';
import { TREASURY_EVENT_CHANNEL, TREASURY_INVOKE_CHANNEL, TREASURY_METHODS } from '../../src/shared/app-api';
import { RENDERER_CSP } from '../../src/shared/renderer-csp';
import type { ServerProcess } from '../../src/server/serve';

const root = path.resolve(__dirname, '../..');
const MAIN = path.join(root, 'out/main/index.cjs');
const PRELOAD = path.join(root, 'out/preload/index.cjs');
const RENDERER = path.join(root, 'out/renderer/index.html');
const VERSION = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const IBAN = 'DE89370400440532013000';
const nodeRequire = createRequire(import.meta.url);

/** Loads a bundle afresh, noting every module file it pulls in and every native addon it opens. */
function load(file: string): { modules: string[]; natives: string[] } {
  delete nodeRequire.cache[file];
  const before = new Set(Object.keys(nodeRequire.cache));
  const natives: string[] = [];
  const ext = (Module as unknown as { _extensions: Record<string, (m: unknown, f: string) => void> })._extensions;
  const loadNode = ext['.node'];
  ext['.node'] = (m, f) => {
    natives.push(f);
    loadNode(m, f);
  };
  try {
    nodeRequire(file);
  } finally {
    ext['.node'] = loadNode;
  }
  return { modules: Object.keys(nodeRequire.cache).filter((k) => !before.has(k)), natives };
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

describe('the built main bundle (out/main/index.cjs) under a stand-in of Electron', () => {
  let server: ServerProcess;
  let proxy: WsProxy;
  let userData: string;
  let s: StandIn;
  let loaded: { modules: string[]; natives: string[] };

  const win = () => s.rec.windows[0];
  const trusted = () => ({ sender: win().webContents, senderFrame: { url: pathToFileURL(RENDERER).href, parent: null } });
  const handler = () => s.rec.ipcHandlers.get(TREASURY_INVOKE_CHANNEL)!;
  async function call<T = any>(method: string, args: unknown[] = [], event: unknown = trusted()): Promise<T> {
    const r = (await handler()(event, method, args)) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!r.ok) throw Object.assign(new Error(r.error!.message), { code: r.error!.code });
    return r.value as T;
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    // A proxy on the wire, to inject a forged notification: it is the server's public front (its host is in the login text).
    proxy = await WsProxy.listen();
    server = await startTestServer({ publicUrl: proxy.url });
    proxy.target = server.url;
    userData = tempDir('ccc-shell-');
    process.env.CCC_USER_DATA = userData;
    process.env.CCC_SANDBOX_ENDPOINT = proxy.url;
    process.env.CCC_SANDBOX_TRUSTED = server.backofficeAddress;
    delete process.env.CCC_UPDATE_CONFIG;
    // Electron sets process.resourcesPath (the packaged app's resources folder); electron-updater reads it.
    (process as { resourcesPath?: string }).resourcesPath = tempDir('ccc-resources-');
    s = createStandIn({ userData: '/nonexistent-default-userdata', appPath: root, version: VERSION, isPackaged: true, gotLock: true, platform: 'linux' });
    useStandIn(s);
    loaded = load(MAIN);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy?.close();
    await server?.close();
  });

  it('loads with every module it needs, no native addon at start, and nothing of the server', () => {
    expect(fs.existsSync(MAIN)).toBe(true);
    const deps = loaded.modules.map((m) => path.relative(root, m));
    expect(deps.some((d) => d.startsWith('node_modules/electron-window-state/'))).toBe(true);
    expect(deps.some((d) => d.startsWith('node_modules/electron-updater/'))).toBe(true);
    // USB (node-hid, usb) is opened on demand only; the server's SQLite driver never.
    expect(loaded.natives).toEqual([]);
    expect(deps.filter((d) => /better-sqlite3|node-hid|[/\\]usb[/\\]|src[/\\]server/.test(d))).toEqual([]);
    const source = fs.readFileSync(MAIN, 'utf8');
    expect(source).not.toMatch(/require\("better-sqlite3"\)|src\/server\//);
    // What the bundle loads later (the USB and Speculos transports) resolves too.
    const later = [...source.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(later).toContain('@ledgerhq/hw-transport-node-hid');
    const fromBundle = createRequire(MAIN);
    for (const m of later) expect(() => fromBundle.resolve(m), m).not.toThrow();
  });

  it('before ready: the renderer sandbox is enabled, userData is set, the single-instance lock is taken', () => {
    expect(s.rec.calls).toEqual(['app.setPath:userData', 'app.enableSandbox', 'app.requestSingleInstanceLock', 'app.whenReady']);
    expect(s.app.getPath('userData')).toBe(userData);
    expect(s.app.listenerCount('second-instance')).toBe(1);
    expect(s.rec.windows).toHaveLength(0);
  });

  it('on ready: one window with the hardened webPreferences, loading our renderer file', async () => {
    s.ready();
    await waitFor(() => s.rec.appMenu !== null, 'the application menu');
    expect(s.rec.windows).toHaveLength(1);
    const o = win().options;
    expect(o.webPreferences).toEqual({
      preload: PRELOAD,
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
      disableBlinkFeatures: 'Auxclick',
    });
    expect(fs.existsSync(o.webPreferences.preload)).toBe(true);
    expect(win().loaded).toBe(RENDERER);
    expect(fs.existsSync(RENDERER)).toBe(true);
    expect(o).toMatchObject({ show: false, title: 'CCC Treasury', minWidth: 960, minHeight: 640, width: 1280, height: 820 });
    // Shown when ready, not before (no white flash).
    expect(win().visible).toBe(false);
    win().emit('ready-to-show');
    expect(win().visible).toBe(true);
  });

  it('every session denies permissions and gets the CSP header; every web contents refuses navigation, redirects, webviews and new windows', () => {
    const later = s.session.fromPartition('persist:later');
    for (const ses of [s.defaultSession, later] as FakeSession[]) {
      for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'openExternal']) {
        let granted: boolean | undefined;
        ses.permissionRequest!({}, permission, (g: boolean) => (granted = g), {});
        expect(granted, `${ses.name}: ${permission}`).toBe(false);
        expect(ses.permissionCheck!({}, permission, 'file://', {})).toBe(false);
      }
      expect(ses.devicePermission!({ deviceType: 'hid' })).toBe(false);
      let answer: any;
      ses.headersReceived!({ url: pathToFileURL(RENDERER).href, responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': ["default-src *"] } }, (r: unknown) => (answer = r));
      expect(answer.responseHeaders['Content-Security-Policy']).toEqual([RENDERER_CSP]);
      expect(answer.responseHeaders['X-Other']).toEqual(['1']);
      expect(RENDERER_CSP).toContain("default-src 'none'");
      expect(RENDERER_CSP).toContain("connect-src 'none'");
    }
    // The window's own contents, and any contents created later (a devtools or a stray frame).
    const extra = new FakeWebContents();
    s.app.emit('web-contents-created', new FakeEvent(), extra);
    for (const wc of [win().webContents, extra]) {
      for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
        const e = new FakeEvent();
        wc.emit(ev, e, 'https://evil.example/');
        expect(e.defaultPrevented, ev).toBe(true);
      }
      expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
      expect(wc.windowOpenHandler!({ url: pathToFileURL(RENDERER).href })).toEqual({ action: 'deny' });
      // Packaged: developer tools close as soon as anything opens them.
      wc.openDevTools();
      expect(wc.devToolsOpen).toBe(false);
    }
  });

  it('one IPC handler, which refuses any sender that is not our window’s own renderer page', async () => {
    expect([...s.rec.ipcHandlers.keys()]).toEqual([TREASURY_INVOKE_CHANNEL]);
    const page = pathToFileURL(RENDERER).href;
    const refused = [
      { sender: win().webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: win().webContents, senderFrame: { url: pathToFileURL(path.join(root, 'out/renderer/other.html')).href, parent: null } },
      { sender: win().webContents, senderFrame: { url: 'file:///tmp/index.html', parent: null } },
      { sender: win().webContents, senderFrame: { url: page, parent: { url: page } } },
      { sender: win().webContents, senderFrame: null },
      { sender: new FakeWebContents(), senderFrame: { url: page, parent: null } },
    ];
    for (const event of refused) {
      expect(await handler()(event, 'listProfiles', [])).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } });
    }
    for (const [method, args] of [['constructor', []], ['__proto__', []], ['close', []], ['listProfiles', 'x']] as const) {
      expect(await handler()(trusted(), method, args)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    // The page itself (with a #route) is served.
    const ok = (await handler()({ ...trusted(), senderFrame: { url: `${page}#/history`, parent: null } }, 'listProfiles', [])) as any;
    expect(ok).toMatchObject({ ok: true, value: { activeId: 'sandbox', profiles: [{ id: 'sandbox', trustedAddress: server.backofficeAddress }] } });
  });

  it('a packaged build’s menu: our own, standard Edit roles, no reload or developer tools, About with the version and back-office key', async () => {
    const roles: string[] = [];
    const items: any[] = [];
    const walk = (t: any[]) => {
      for (const i of t) {
        items.push(i);
        if (i.role) roles.push(i.role);
        if (Array.isArray(i.submenu)) walk(i.submenu);
      }
    };
    walk(s.rec.appMenu!.template);
    expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit']));
    for (const r of ['reload', 'forceReload', 'toggleDevTools']) expect(roles).not.toContain(r);
    expect(items.find((i) => i.id === 'check-for-updates')).toBeUndefined(); // no feed configured
    items.find((i) => i.id === 'about').click();
    await waitFor(() => s.rec.messageBoxes.length > 0, 'the About box');
    const about = s.rec.messageBoxes.at(-1)!;
    expect(about.message).toBe(`CCC Treasury ${VERSION}`);
    expect(about.detail).toContain(`Back-office key: ${server.backofficeAddress}`);
    expect(about.detail).toContain('Updates: off');
  });

  it('logs in through the IPC door; events reach the window; deposits and settled payouts notify only when the window is not focused', async () => {
    const snap = await call('login', ['sandbox']);
    expect(snap).toMatchObject({ connection: 'online', profileId: 'sandbox' });
    expect(win().webContents.sent.some((m) => m.channel === TREASURY_EVENT_CHANNEL && (m.args[0] as { type: string }).type === 'snapshot')).toBe(true);
    // Badge: nothing awaits the user.
    expect(s.rec.badgeCounts.length).toBeGreaterThan(0);
    expect(new Set(s.rec.badgeCounts)).toEqual(new Set([0]));

    await call('register', [{ name: 'Zoë Exchange GmbH', email: 'treasury@zoe.example', country: 'DE', currency: 'EUR' }]);
    const address = snap.address as string;
    await server.backOffice.admin({ command: 'verify', address });

    // The user is looking at the app: a toast in the window, no desktop notification.
    win().focused = true;
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '700.00' });
    await waitFor(async () => (await call('getSnapshot')).balances[0]?.amount === '700.00', 'the first deposit');
    expect(s.rec.notifications).toEqual([]);

    // Elsewhere: the next deposit raises one.
    win().focused = false;
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '300.00' });
    await waitFor(() => s.rec.notifications.length === 1, 'the deposit notification');
    expect(s.rec.notifications[0]).toMatchObject({ options: { title: 'Deposit received', body: `300.00 EUR from ${IBAN}` }, shown: true });

    // A payout settling, while minimised.
    const review = await call('prepareTransfer', [{ destination: 'FR76 3000 6000 0112 3456 7890 189', currency: 'EUR', amount: '100' }]);
    const outcome = await call('confirmTransfer', [review.requestId]);
    expect(outcome).toMatchObject({ status: 'sent', tx: { status: 'pending' } });
    win().focused = true;
    win().minimized = true;
    await server.backOffice.admin({ command: 'settle', txid: outcome.tx.txid, outcome: 'complete' });
    await waitFor(() => s.rec.notifications.length === 2, 'the payout notification');
    expect(s.rec.notifications[1].options).toEqual({ title: 'Payout completed', body: '100.00 EUR to FR7630006000011234567890189' });

    // Clicking a notification brings the window back.
    win().actions.length = 0;
    s.rec.notifications[1].emitter.emit('click');
    expect(win().actions).toEqual(['restore', 'show', 'focus']);
  });

  it('a statement export asks the native save dialog, for the file’s own type; cancelling saves nothing', async () => {
    expect(await call('exportStatement', [{}])).toEqual({ saved: false });
    const [parent, options] = s.rec.saveDialogs.at(-1) as [unknown, { defaultPath: string; filters: { extensions: string[] }[] }];
    expect(parent).toBe(win());
    const ext = options.defaultPath.split('.').pop();
    expect(options.filters).toEqual([expect.objectContaining({ extensions: [ext] })]);
  });

  it('a forged notification is an item awaiting the user: counted on the badge until dismissed, never notified', async () => {
    const notified = s.rec.notifications.length;
    const address = (await call('getSnapshot')).address as string;
    proxy.inject({ msg: 'transfer', data: { txid: 9999, timestamp: Date.now(), sender: IBAN, destination: address, currency: 'EUR', amount: '1000000.00' } });
    await waitFor(() => s.rec.badgeCounts.at(-1) === 1, 'the badge at 1');
    const [alert] = (await call('getSnapshot')).alerts;
    expect(alert).toMatchObject({ kind: 'missing-signature' });
    await call('dismissAlert', [alert.id]);
    await waitFor(() => s.rec.badgeCounts.at(-1) === 0, 'the badge back at 0');
    expect(s.rec.notifications.length).toBe(notified);
  });

  it('a second launch focuses the running window', () => {
    win().minimized = true;
    win().focused = false;
    win().actions.length = 0;
    s.app.emit('second-instance', new FakeEvent(), ['ccc-treasury'], root);
    expect(win().actions).toEqual(['restore', 'show', 'focus']);
    expect(win().focused).toBe(true);
  });

  it('closing the window saves its size and position, closes the session and quits', async () => {
    win().bounds = { x: 120, y: 60, width: 1400, height: 900 };
    win().userCloses();
    await waitFor(() => s.rec.calls.includes('app.quit'), 'app.quit');
    const state = JSON.parse(fs.readFileSync(path.join(userData, 'window-state.json'), 'utf8'));
    expect(state).toMatchObject({ x: 120, y: 60, width: 1400, height: 900 });
    expect(unhandled).toEqual([]);
    expect(s.rec.missing).toEqual([]);
  });

  it('the next launch opens the window where it was left', async () => {
    const next = createStandIn({ userData: '/nonexistent', appPath: root, version: VERSION, isPackaged: true, gotLock: true });
    useStandIn(next);
    s = next;
    load(MAIN);
    next.ready();
    await waitFor(() => next.rec.appMenu !== null, 'the application menu');
    expect(next.rec.windows[0].options).toMatchObject({ x: 120, y: 60, width: 1400, height: 900 });
    next.rec.windows[0].userCloses();
    await waitFor(() => next.rec.calls.includes('app.quit'), 'app.quit');
    expect(next.rec.missing).toEqual([]);
  });

  it('a position left on a display that is gone falls back to the primary display', async () => {
    fs.writeFileSync(path.join(userData, 'window-state.json'), JSON.stringify({ x: 2500, y: 100, width: 1400, height: 900, isMaximized: false, isFullScreen: false, displayBounds: { x: 1920, y: 0, width: 1920, height: 1080 } }));
    const next = createStandIn({ userData: '/nonexistent', appPath: root, version: VERSION, isPackaged: true, gotLock: true });
    useStandIn(next);
    s = next;
    load(MAIN);
    next.ready();
    await waitFor(() => next.rec.appMenu !== null, 'the application menu');
    // The stand-in has one 1920×1080 display at 0,0.
    expect(next.rec.windows[0].options).toMatchObject({ x: 0, y: 0, width: 1280, height: 820 });
    next.rec.windows[0].userCloses();
    await waitFor(() => next.rec.calls.includes('app.quit'), 'app.quit');
  });

  it('a second instance hands over to the first and quits without opening anything', async () => {
    const second = createStandIn({ userData: '/nonexistent', appPath: root, version: VERSION, isPackaged: true, gotLock: false });
    useStandIn(second);
    s = second;
    load(MAIN);
    second.ready();
    await new Promise((r) => setTimeout(r, 50));
    expect(second.rec.calls).toEqual(['app.setPath:userData', 'app.enableSandbox', 'app.requestSingleInstanceLock', 'app.quit']);
    expect(second.rec.windows).toHaveLength(0);
    expect(second.rec.ipcHandlers.size).toBe(0);
  });

  // Linux: electron-updater's AppImage updater (latest-linux.yml); the other platforms' updaters need their OS.
  it.skipIf(process.platform !== 'linux')('with an update feed configured: the real electron-updater reads the feed, the user decides, a tampered download is refused', async () => {
    // The company's feed: latest-linux.yml and the AppImage it describes (a harmless script here).
    const genuine = Buffer.from('#!/bin/sh\nexit 0\n# CCC Treasury 9.9.9\n');
    const tampered = Buffer.from('#!/bin/sh\nexit 0\n# CCC Treasury 9.9.9 with something extra\n');
    let served = tampered;
    const sha512 = createHash('sha512').update(genuine).digest('base64');
    const yml = [
      'version: 9.9.9',
      'files:',
      '  - url: CCC-Treasury-9.9.9.AppImage',
      `    sha512: ${sha512}`,
      `    size: ${genuine.length}`,
      'path: CCC-Treasury-9.9.9.AppImage',
      `sha512: ${sha512}`,
      "releaseDate: '2026-12-01T00:00:00.000Z'",
      'releaseNotes: <p>Faster history</p>',
      '',
    ].join('\n');
    const feed = http.createServer((req, res) => {
      const p = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (p === '/feed/latest-linux.yml') res.writeHead(200, { 'content-type': 'text/yaml' }).end(yml);
      else if (p === '/feed/CCC-Treasury-9.9.9.AppImage') res.writeHead(200, { 'content-length': served.length }).end(served);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    const port = (feed.address() as AddressInfo).port;
    const dir = tempDir('ccc-update-');
    const cfg = path.join(dir, 'update.json');
    fs.writeFileSync(cfg, JSON.stringify({ url: `http://127.0.0.1:${port}/feed/` }));
    // The installed AppImage (electron-updater replaces it) and the updater's cache.
    const installed = path.join(dir, 'CCC-Treasury.AppImage');
    fs.writeFileSync(installed, '#!/bin/sh\nexit 0\n# CCC Treasury 0.1.0\n', { mode: 0o755 });
    const saved = { CCC_UPDATE_CONFIG: process.env.CCC_UPDATE_CONFIG, APPIMAGE: process.env.APPIMAGE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
    Object.assign(process.env, { CCC_UPDATE_CONFIG: cfg, APPIMAGE: installed, XDG_CACHE_HOME: path.join(dir, 'cache') });

    // A development run (unpackaged): the only case where CCC_UPDATE_CONFIG is read.
    const dev = createStandIn({ userData: '/nonexistent', appPath: root, version: VERSION, isPackaged: false, gotLock: true });
    useStandIn(dev);
    s = dev;
    const { autoUpdater } = nodeRequire(nodeRequire.resolve('electron-updater', { paths: [path.dirname(MAIN)] })) as typeof import('electron-updater');
    const log: string[] = [];
    autoUpdater.logger = { info: (m: unknown) => log.push(String(m)), warn: (m: unknown) => log.push(String(m)), error: (m: unknown) => log.push(String(m)), debug: () => undefined };
    const boxes = () => dev.rec.messageBoxes.map((b) => b.message);
    try {
      load(MAIN);
      dev.ready();
      await waitFor(() => dev.rec.appMenu !== null, 'the application menu');
      const items: any[] = [];
      const walk = (t: any[]) => t.forEach((i) => (items.push(i), Array.isArray(i.submenu) && walk(i.submenu)));
      walk(dev.rec.appMenu!.template);
      const checkForUpdates = () => items.find((i) => i.id === 'check-for-updates').click();
      // Unpackaged: developer tools are there, and stay open.
      expect(items.map((i) => i.role)).toContain('toggleDevTools');
      dev.rec.windows[0].webContents.openDevTools();
      expect(dev.rec.windows[0].webContents.devToolsOpen).toBe(true);
      expect({ autoDownload: autoUpdater.autoDownload, autoInstallOnAppQuit: autoUpdater.autoInstallOnAppQuit, allowDowngrade: autoUpdater.allowDowngrade, allowPrerelease: autoUpdater.allowPrerelease }).toEqual({
        autoDownload: false,
        autoInstallOnAppQuit: false,
        allowDowngrade: false,
        allowPrerelease: false,
      });

      // At start: the offer names the version; the default answer ("Not now") downloads nothing.
      await waitFor(() => boxes().length === 1, 'the offer');
      expect(dev.rec.messageBoxes[0]).toMatchObject({ message: 'CCC Treasury 9.9.9 is available (released 2026-12-01).', buttons: ['Download', 'Not now'], defaultId: 1, cancelId: 1 });
      expect(dev.rec.messageBoxes[0].detail).toContain(`You have ${VERSION}.`);
      expect(dev.rec.messageBoxes[0].detail).toContain('Faster history');
      await new Promise((r) => setTimeout(r, 100));
      expect(dev.rec.netRequests.map((u) => new URL(u).pathname)).toEqual(['/feed/latest-linux.yml']);

      // From the menu, Download: the server hands out a file whose sha512 is not the feed's — refused, shown, not installed.
      dev.answerNextMessageBox(0);
      checkForUpdates();
      await waitFor(() => boxes().length === 3, 'the download failure');
      expect(dev.rec.messageBoxes[2]).toMatchObject({ message: 'The update could not be checked or verified. Nothing was installed.' });
      expect(dev.rec.messageBoxes[2].detail).toMatch(/sha512 checksum mismatch/);
      expect(dev.rec.netRequests.some((u) => u.endsWith('/feed/CCC-Treasury-9.9.9.AppImage'))).toBe(true);
      expect(fs.readFileSync(installed, 'utf8')).toContain('0.1.0');

      // The genuine file: downloaded, verified, then the user picks the moment; "Later" installs nothing now.
      served = genuine;
      dev.answerNextMessageBox(0);
      checkForUpdates();
      await waitFor(() => boxes().length === 5, 'the ready dialog');
      expect(dev.rec.messageBoxes[4]).toMatchObject({ message: 'CCC Treasury 9.9.9 is downloaded and verified.', buttons: ['Restart and install', 'Later'], defaultId: 1 });
      await new Promise((r) => setTimeout(r, 100));
      expect(fs.readFileSync(installed, 'utf8')).toContain('0.1.0');
      expect(autoUpdater.autoInstallOnAppQuit).toBe(true);
      expect(dev.rec.calls).not.toContain('app.quit');

      // Again, and "Restart and install": the verified file replaces the installed one and the app quits.
      dev.answerNextMessageBox(0, 0);
      checkForUpdates();
      await waitFor(() => dev.rec.calls.includes('app.quit'), 'the restart');
      expect(fs.readFileSync(installed)).toEqual(genuine);
      expect(dev.rec.missing).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await new Promise((r) => feed.close(r));
    }
  });
});

describe('the built preload bundle (out/preload/index.cjs)', () => {
  it('requires nothing but electron (a sandboxed preload cannot) and exposes exactly window.treasury with the shared method list', async () => {
    const source = fs.readFileSync(PRELOAD, 'utf8');
    expect([...source.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);

    const s = createStandIn({ userData: '/nonexistent', appPath: root, version: VERSION, isPackaged: true, gotLock: true });
    useStandIn(s);
    const answers: Record<string, unknown> = {
      listProfiles: { ok: true, value: { profiles: [], activeId: null } },
      login: { ok: false, error: { code: 'NO_DEVICE', message: 'Connect your Ledger.' } },
    };
    s.ipcRenderer.invokeImpl = async (_channel: string, method: string) => answers[method] ?? { ok: true, value: null };
    load(PRELOAD);

    expect(s.rec.exposed.map((e) => e.name)).toEqual(['treasury']);
    const api = s.rec.exposed[0].api as Record<string, (...a: unknown[]) => Promise<unknown>>;
    expect(Object.keys(api).sort()).toEqual([...TREASURY_METHODS, 'onEvent'].sort());
    for (const k of Object.keys(api)) expect(typeof api[k]).toBe('function');

    expect(await api.listProfiles()).toEqual({ profiles: [], activeId: null });
    await expect(api.login('sandbox')).rejects.toMatchObject({ message: 'Connect your Ledger.', code: 'NO_DEVICE' });
    expect(s.rec.invocations).toEqual([
      { channel: TREASURY_INVOKE_CHANNEL, args: ['listProfiles', []] },
      { channel: TREASURY_INVOKE_CHANNEL, args: ['login', ['sandbox']] },
    ]);

    const seen: unknown[] = [];
    const off = (api.onEvent as unknown as (l: (e: unknown) => void) => () => void)((e) => seen.push(e));
    s.ipcRenderer.emit(TREASURY_EVENT_CHANNEL, {}, { type: 'device', status: { state: 'locked' } });
    off();
    s.ipcRenderer.emit(TREASURY_EVENT_CHANNEL, {}, { type: 'device', status: { state: 'disconnected' } });
    expect(seen).toEqual([{ type: 'device', status: { state: 'locked' } }]);
    expect(s.ipcRenderer.listenerCount(TREASURY_EVENT_CHANNEL)).toBe(0);
    expect(s.rec.missing).toEqual([]);
    // Only what a sandboxed preload has.
    expect([...s.rec.accessed].sort()).toEqual(['contextBridge', 'ipcRenderer']);
  });
});
