// What the desktop installer packs follows from package.json (electron-builder.config.cjs): the
// production dependencies, less the server's ("ccc.serverOnly"). Checked against the bundles that the
// test run built (test/global-setup.ts): every package the main and preload bundles load is packed,
// every packed package is loaded by them, and nothing of the server or the renderer's bundled packages
// is packed.
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const config = createRequire(import.meta.url)(path.join(root, 'electron-builder.config.cjs'));

/** Package names the built bundles load at run time: require(), require.resolve() and import(). */
function loadedPackages(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['out/main', 'out/preload']) {
    for (const f of fs.readdirSync(path.join(root, dir)).filter((x) => x.endsWith('.cjs') || x.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(root, dir, f), 'utf8');
      for (const m of code.matchAll(/(?:\brequire[\w$]*(?:\.resolve)?|\bimport)\(\s*[`"']([^`"'$]+)/g)) {
        const id = m[1];
        if (id.startsWith('.') || id.startsWith('node:') || builtinModules.includes(id.split('/')[0])) continue;
        names.add(id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]);
      }
    }
  }
  return names;
}

describe('the installer packs what package.json says', () => {
  it('packs exactly the packages the main and preload bundles load (plus Electron itself)', () => {
    const packed = Object.keys(pkg.dependencies).filter((d) => !pkg.ccc.serverOnly.includes(d) && !pkg.ccc.bundledIntoApp.includes(d)).sort();
    const loaded = [...loadedPackages()].filter((n) => n !== 'electron').sort();
    expect(loaded.filter((n) => !packed.includes(n)), 'loaded by the app but not packed').toEqual([]);
    expect(packed.filter((n) => !loaded.includes(n)), 'packed but never loaded').toEqual([]);
  });

  it('leaves out the server and the renderer’s bundled packages, from package.json alone', () => {
    for (const name of pkg.ccc.serverOnly) {
      expect(pkg.dependencies[name], `${name} is a dependency of the server`).toBeDefined();
      expect(config.files).toContain(`!node_modules/${name}/**`);
    }
    for (const name of ['react', 'react-dom', '@tanstack/react-virtual', 'react-hook-form']) {
      expect(pkg.dependencies[name], `${name} is bundled into out/renderer`).toBeUndefined();
      expect(pkg.devDependencies[name]).toBeDefined();
    }
    expect(loadedPackages().has('better-sqlite3')).toBe(false);
  });
});
