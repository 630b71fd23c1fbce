// The shell's pure rules under Node: the menu template, the About text, when a notification is shown,
// the badge count, and the update policy (configuration file, dialogs: the user always decides).
import { describe, expect, it } from 'vitest';
import { aboutText, buildMenuTemplate, DEVELOPER_ROLES, menuRoles, type MenuContext } from '../../src/main/electron/menu';
import { attentionCount, badgeDescription, shouldNotify } from '../../src/main/electron/attention';
import { loadUpdateConfig, offerDialog, readyDialog, releaseNotesText, updateConfigPath, windowsPublisherPinned } from '../../src/main/electron/update-policy';
import type { SecurityAlert } from '../../src/shared/app-api';

const noop = { about: () => undefined, checkForUpdates: () => undefined };
const ctx = (over: Partial<MenuContext> = {}): MenuContext => ({ appName: 'CCC Treasury', packaged: true, platform: 'linux', updatesEnabled: false, ...over });

describe('application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: a packaged build has no reload and no developer tools; Edit has the standard roles`, () => {
      const roles = menuRoles(buildMenuTemplate(ctx({ platform }), noop));
      for (const r of DEVELOPER_ROLES) expect(roles).not.toContain(r);
      expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']));
      expect(roles).toContain(platform === 'darwin' ? 'close' : 'quit');
      const dev = menuRoles(buildMenuTemplate(ctx({ platform, packaged: false }), noop));
      expect(dev).toEqual(expect.arrayContaining([...DEVELOPER_ROLES]));
    });
  }

  it('About and Check for Updates call their actions; no update item without a feed', () => {
    const calls: string[] = [];
    const actions = { about: () => calls.push('about'), checkForUpdates: () => calls.push('updates') };
    const find = (t: ReturnType<typeof buildMenuTemplate>, id: string): Electron.MenuItemConstructorOptions | undefined => {
      for (const item of t) {
        if (item.id === id) return item;
        if (Array.isArray(item.submenu)) {
          const f = find(item.submenu, id);
          if (f) return f;
        }
      }
      return undefined;
    };
    for (const platform of ['linux', 'darwin'] as const) {
      const withFeed = buildMenuTemplate(ctx({ platform, updatesEnabled: true }), actions);
      (find(withFeed, 'about')!.click as () => void)();
      (find(withFeed, 'check-for-updates')!.click as () => void)();
      expect(find(buildMenuTemplate(ctx({ platform }), actions), 'check-for-updates')).toBeUndefined();
    }
    expect(calls).toEqual(['about', 'updates', 'about', 'updates']);
  });

  it('About names the version and the back-office key of the current profile', () => {
    const t = aboutText({
      appName: 'CCC Treasury',
      version: '1.2.3',
      versions: { electron: '41.7.1', chrome: '146.0', node: '24.1.0' },
      profile: { name: 'Production', endpoint: 'wss://api.ccc.example', trustedAddress: '1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ' },
      updates: 'Updates: off',
    });
    expect(t.message).toBe('CCC Treasury 1.2.3');
    expect(t.detail).toContain('Back-office key: 1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ');
    expect(t.detail).toContain('Server: wss://api.ccc.example');
    expect(t.detail).toContain('Electron 41.7.1');
    expect(aboutText({ appName: 'CCC Treasury', version: '1.2.3', versions: {}, profile: null }).detail).toMatch(/No profile selected/);
  });
});

describe('attention', () => {
  const base = { destroyed: false, focused: true, visible: true, minimized: false };
  it('notifies only when the user is not looking at the window', () => {
    expect(shouldNotify(base)).toBe(false);
    expect(shouldNotify({ ...base, focused: false })).toBe(true);
    expect(shouldNotify({ ...base, minimized: true })).toBe(true);
    expect(shouldNotify({ ...base, visible: false })).toBe(true);
    expect(shouldNotify(null)).toBe(true);
  });
  it('counts the items awaiting the user (alerts now, approvals through the seam later)', () => {
    const alert = { id: 'a' } as SecurityAlert;
    expect(attentionCount({ alerts: [] })).toBe(0);
    expect(attentionCount({ alerts: [alert, { ...alert, id: 'b' }] })).toBe(2);
    expect(attentionCount({ alerts: [alert] }, 3)).toBe(4);
    expect(attentionCount({ alerts: [] }, -2)).toBe(0);
    expect(badgeDescription(0)).toBe('');
    expect(badgeDescription(1)).toBe('1 item needs your attention');
    expect(badgeDescription(5)).toBe('5 items need your attention');
  });
});

describe('update policy', () => {
  const files: Record<string, string> = {};
  const read = (f: string) => {
    if (!(f in files)) throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
    return files[f];
  };

  it('is off without a configuration file, on with a valid one, and off (reported) with a broken one', () => {
    expect(loadUpdateConfig('/etc/ccc-treasury/update.json', read)).toMatchObject({ state: 'off' });
    files['/ok.json'] = JSON.stringify({ url: 'https://updates.corp.example/ccc-treasury/' });
    expect(loadUpdateConfig('/ok.json', read)).toEqual({ state: 'on', source: '/ok.json', config: { url: 'https://updates.corp.example/ccc-treasury/', channel: 'latest', checkOnStart: true } });
    for (const bad of ['{', JSON.stringify({ url: 'http://updates.corp.example/' }), JSON.stringify({ url: 'https://x.example', channel: 'Beta!' }), JSON.stringify({ url: 'https://x.example', silent: true })]) {
      files['/bad.json'] = bad;
      expect(loadUpdateConfig('/bad.json', read)).toMatchObject({ state: 'invalid', source: '/bad.json' });
    }
    files['/local.json'] = JSON.stringify({ url: 'http://127.0.0.1:8089/feed', channel: 'beta', checkOnStart: false });
    expect(loadUpdateConfig('/local.json', read)).toMatchObject({ state: 'on', config: { channel: 'beta', checkOnStart: false } });
  });

  it('reads a machine-wide file a normal user cannot write', () => {
    expect(updateConfigPath('linux', {})).toBe('/etc/ccc-treasury/update.json');
    expect(updateConfigPath('darwin', {})).toBe('/Library/Application Support/CCC Treasury/update.json');
    expect(updateConfigPath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\CCC Treasury\\update.json');
  });

  it('offers a version and lets the user decide; "not now" is the default answer', () => {
    const d = offerDialog('CCC Treasury', '1.0.0', { version: '1.1.0', releaseDate: '2026-11-20T10:00:00.000Z', releaseNotes: '<p>Faster history</p><ul><li>camt.053 &amp; PDF</li></ul>' });
    expect(d.message).toBe('CCC Treasury 1.1.0 is available (released 2026-11-20).');
    expect(d.detail).toContain('You have 1.0.0.');
    expect(d.detail).toContain('Faster history');
    expect(d.detail).toContain('camt.053 & PDF');
    expect(d.detail).not.toContain('<');
    expect(d.buttons[d.defaultId]).toBe('Not now');
    expect(d.cancelId).toBe(d.defaultId);
    const r = readyDialog('CCC Treasury', '1.1.0');
    expect(r.buttons[r.defaultId]).toBe('Later');
    expect(releaseNotesText([{ version: '1.1.0', note: 'a' }, { version: '1.0.1', note: null }])).toBe('1.1.0: a\n1.0.1:');
    expect(releaseNotesText('x'.repeat(5000)).length).toBe(1200);
  });

  it('on Windows, an update is only downloaded when app-update.yml pins the code-signing publisher', () => {
    expect(windowsPublisherPinned(null)).toBe(false);
    expect(windowsPublisherPinned('provider: generic\nurl: https://x\nupdaterCacheDirName: ccc-treasury-updater\n')).toBe(false);
    expect(windowsPublisherPinned('provider: generic\npublisherName:\nupdaterCacheDirName: x\n')).toBe(false);
    expect(windowsPublisherPinned('provider: generic\npublisherName: []\n')).toBe(false);
    // electron-builder writes a list.
    expect(windowsPublisherPinned('provider: generic\npublisherName:\n  - CCC Treasury Ltd\n')).toBe(true);
    expect(windowsPublisherPinned('provider: generic\npublisherName: CCC Treasury Ltd\n')).toBe(true);
    expect(windowsPublisherPinned('publisherName: [CCC Treasury Ltd]\n')).toBe(true);
  });
});
