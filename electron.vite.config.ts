// electron-vite: main (the thin Electron shell + the app core), preload (the typed bridge) and
// renderer (React). Native modules stay external; the server (and better-sqlite3) is never
// imported by the main bundle — the sandbox server runs as its own Node process.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(resolve(here, 'package.json'), 'utf8')) as { ccc: { bundledIntoApp: string[] } };

export default defineConfig({
  main: {
    // package.json's ccc.bundledIntoApp (canonicalize is ESM-only: require() cannot load it) is bundled.
    plugins: [externalizeDepsPlugin({ exclude: pkg.ccc.bundledIntoApp })],
    build: {
      outDir: resolve(here, 'out/main'),
      // CommonJS (.cjs, since package.json says "type": "module"): here works and natives load plainly.
      // verify-worker: the signature verification threads (src/main/history/verify-pool.ts starts them from out/main).
      rollupOptions: { input: { index: resolve(here, 'src/main/index.ts'), 'verify-worker': resolve(here, 'src/main/history/verify-worker.ts') }, external: ['better-sqlite3'], output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    // A sandboxed preload must be CommonJS.
    build: { outDir: resolve(here, 'out/preload'), rollupOptions: { input: resolve(here, 'src/preload/index.ts'), output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: rendererConfig,
});
