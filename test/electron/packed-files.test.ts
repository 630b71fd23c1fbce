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
/** The bundles and their shared chunks (e.g. the verification worker's), less the simulated Ledger's chunk (checked apart). */
const bundleFiles = () =>
  ['out/main', 'out/main/chunks', 'out/preload'].flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((x) => x.endsWith('.cjs') && !x.startsWith('simulated-device-'))
      .map((f) => path.join(dir, f)),
  );

function loadedPackages(files = bundleFiles()): Set<string> {
  const names = new Set<string>();
  {
    for (const f of files) {
      const code = fs.readFileSync(path.join(root, f), 'utf8');
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
  const simulatorChunk = () => fs.readdirSync(path.join(root, 'out/main/chunks')).filter((f) => f.startsWith('simulated-device-')).map((f) => path.join('out/main/chunks', f));

  it('packs exactly the packages the main and preload bundles load (plus Electron itself)', () => {
    const notPacked = [...pkg.ccc.serverOnly, ...pkg.ccc.bundledIntoApp, ...pkg.ccc.simulatorOnly];
    const packed = Object.keys(pkg.dependencies).filter((d) => !notPacked.includes(d)).sort();
    const loaded = [...loadedPackages()].filter((n) => n !== 'electron').sort();
    const bySimulator = loadedPackages(simulatorChunk());
    expect(loaded.filter((n) => !packed.includes(n)), 'loaded by the app but not packed').toEqual([]);
    // Packages only the simulator names stay packed when the Ledger driver needs them too (hw-app-btc loads @ledgerhq/*).
    expect(packed.filter((n) => !loaded.includes(n) && !bySimulator.has(n)), 'packed but never loaded').toEqual([]);
    for (const name of pkg.ccc.simulatorOnly) {
      expect(bySimulator.has(name), `${name} is loaded by the simulator`).toBe(true);
      expect(loaded.includes(name), `${name} is not loaded by the app itself`).toBe(false);
    }
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

  it('ships no simulated Ledger: the main bundle only loads it for a virtual-device profile, and the installer leaves it out', () => {
    const main = fs.readFileSync(path.join(root, 'out/main/index.cjs'), 'utf8');
    expect(main).not.toContain('glory promote'); // the simulator's Speculos seed
    expect(main).not.toMatch(/class SimulatedLedger/);
    const chunks = fs.readdirSync(path.join(root, 'out/main/chunks')).filter((f) => f.startsWith('simulated-device-'));
    expect(chunks).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, 'out/main/chunks', chunks[0]), 'utf8')).toContain('glory promote');
    expect(config.files).toContain('!out/main/chunks/simulated-device-*');
  });
});
