// Desktop packages: Linux (AppImage, deb), Windows (NSIS), macOS (dmg). What is packed follows from
// package.json: electron-builder packs the production `dependencies`; renderer packages are
// devDependencies (Vite bundles them into out/renderer); the server's own runtime dependencies, listed
// once in package.json's "ccc.serverOnly", and those the main bundle carries inside ("ccc.bundledIntoApp")
// are left out here. test/electron/packed-files.test.ts checks
// that the built bundles need exactly what is packed.
const pkg = require('./package.json');

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'co.cryptocapital.treasury',
  productName: 'CCC Treasury',
  directories: { output: 'release', buildResources: 'build' },
  files: [
    'out/**',
    'package.json',
    ...[...pkg.ccc.serverOnly, ...pkg.ccc.bundledIntoApp].map((name) => `!node_modules/${name}/**`),
    // tsx's compiler, pulled in only by the server's launcher.
    '!node_modules/esbuild/**',
    '!node_modules/@esbuild/**',
    '!src/**',
    '!test/**',
    '!bench/**',
    '!scripts/**',
    '!tools/**',
    '!schemas/**',
    '!.data/**',
    // The simulated Ledger (a chunk the main bundle loads only for a virtual-device profile) is not shipped,
    // unless a build for demonstrations asks for it.
    ...(process.env.CCC_PACKAGE_VIRTUAL_LEDGER === '1' ? [] : ['!out/main/chunks/simulated-device-*', ...pkg.ccc.simulatorOnly.map((name) => `!node_modules/${name}/**`)]),
  ],
  asarUnpack: ['node_modules/node-hid/**', 'node_modules/usb/**'],
  npmRebuild: true,
  // Updates: the packaged app-update.yml (written because of this section) carries the updater's cache
  // folder and, on Windows, the code-signing publisher that every downloaded installer must match
  // (publisherName, taken from the signing certificate). The URL here is never used: the feed is configured
  // per installation by IT (update.json, see docs/app.md); without it the app never looks for updates.
  publish: [{ provider: 'generic', url: 'https://updates.invalid/ccc-treasury', channel: 'latest' }],
  linux: { target: ['AppImage', 'deb'], category: 'Office', maintainer: 'CCC Treasury <treasury@cryptocapital.example>' },
  // Ledger devices need udev rules to be reachable without root (see docs/app.md).
  deb: { depends: ['libusb-1.0-0', 'libudev1'] },
  // Set win.publisherName when the signing certificate's subject differs from what electron-builder reads from it.
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.finance', hardenedRuntime: true },
};
