// One Electron version, stated once: package.json pins it, and the docs say the same major. And `npm ci`
// on the Node floor of package.json's "engines" prints no engine warning: every locked package accepts it.
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

describe('versions', () => {
  it('package.json pins one exact Electron version, the lock file has it, and docs/app.md states the same one', () => {
    const electron = pkg.devDependencies.electron;
    expect(semver.valid(electron), `electron is pinned exactly, not "${electron}"`).toBe(electron);
    expect(lock.packages['node_modules/electron']?.version).toBe(electron);
    const docs = ['docs/app.md', 'README.md'].map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    const stated = [...docs.matchAll(/\bElectron (\d+(?:\.\d+){0,2})\b/g)].map((m) => m[1]);
    expect(stated.length, 'docs/app.md names the Electron version').toBeGreaterThan(0);
    for (const v of stated) expect(electron.startsWith(v.split('.').length === 1 ? `${v}.` : v), `docs say Electron ${v}, package.json ${electron}`).toBe(true);
  });

  it('every locked package accepts the lowest Node that package.json allows (no EBADENGINE from npm ci)', () => {
    const floor = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.major(floor)).toBe(20);
    const refused = Object.entries(lock.packages)
      .filter(([name, p]) => name && p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(floor, p.engines.node))
      .map(([name, p]) => `${name}@${p.version} needs node ${(p.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
  });
});
