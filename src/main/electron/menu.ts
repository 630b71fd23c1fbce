// The application menu and the About box, as plain data built by pure functions (tested under Node):
// our own menu instead of Electron's default one, so a packaged build has no reload and no developer
// tools, while the standard Edit roles keep copy and paste working in every text field.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuContext {
  appName: string;
  /** app.isPackaged: a packaged build never offers reload or developer tools. */
  packaged: boolean;
  platform: NodeJS.Platform;
  /** An update feed is configured for this installation (else no "Check for Updates…" item). */
  updatesEnabled: boolean;
}

export interface MenuActions {
  about(): void;
  checkForUpdates(): void;
}

/** Roles that let someone at the keyboard run code in, or reload, the renderer. */
export const DEVELOPER_ROLES = ['reload', 'forceReload', 'toggleDevTools'] as const;

export function buildMenuTemplate(ctx: MenuContext, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = ctx.platform === 'darwin';
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${ctx.appName}`, click: () => actions.about() };
  const updates: MenuItemConstructorOptions[] = ctx.updatesEnabled ? [{ id: 'check-for-updates', label: 'Check for Updates…', click: () => actions.checkForUpdates() }] : [];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: ctx.appName,
      submenu: [about, ...updates, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push({ label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] });
  template.push({
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  });
  template.push({
    label: 'View',
    submenu: [
      ...(ctx.packaged ? [] : ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({ role: 'windowMenu' });
  template.push({ role: 'help', submenu: mac ? [...updates] : [about, ...updates] });
  return template;
}

/** Every role in a template, submenus included (what tests and reviewers look for). */
export function menuRoles(template: MenuItemConstructorOptions[]): string[] {
  const out: string[] = [];
  for (const item of template) {
    if (item.role) out.push(item.role);
    if (Array.isArray(item.submenu)) out.push(...menuRoles(item.submenu));
  }
  return out;
}

export interface AboutInfo {
  appName: string;
  version: string;
  versions: { electron?: string; chrome?: string; node?: string };
  /** The current profile (the one logged in, else the one last used), or null when there is none. */
  profile: { name: string; endpoint: string; trustedAddress: string } | null;
  /** One line on the update feed (off, or where updates are offered from). */
  updates?: string;
}

/** The About box: which build this is, and which back-office key this installation trusts right now. */
export function aboutText(info: AboutInfo): { title: string; message: string; detail: string } {
  const runtime = [
    info.versions.electron && `Electron ${info.versions.electron}`,
    info.versions.chrome && `Chromium ${info.versions.chrome}`,
    info.versions.node && `Node ${info.versions.node}`,
  ].filter(Boolean);
  const profile = info.profile
    ? [`Profile: ${info.profile.name}`, `Server: ${info.profile.endpoint}`, `Back-office key: ${info.profile.trustedAddress}`]
    : ['No profile selected yet: the back-office key appears here once you choose one.'];
  return {
    title: `About ${info.appName}`,
    message: `${info.appName} ${info.version}`,
    detail: [...profile, '', ...(info.updates ? [info.updates] : []), runtime.join(' · ')].join('\n'),
  };
}
