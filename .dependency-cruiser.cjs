// The rooms of the code base and what each may import (docs/architecture.md). Checked in `npm test`
// (test/architecture.test.ts). A rule broken here is a design decision to discuss, not to silence.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-stays-shared',
      comment: 'src/shared is imported by the server, the main process and the renderer: it imports none of them.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(main|server|renderer|preload|devbridge)/' },
    },
    {
      name: 'shared-common-is-pure',
      comment: 'src/shared (outside node/) runs in the renderer too: no Node built-ins, no src/shared/node (VS Code\'s common/node split).',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: '^src/shared/node/' },
      to: { path: '^src/shared/node/|node_modules/(ws|bitcoinjs-message|better-sqlite3)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-common-no-builtins',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: '^src/shared/node/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-node-shared',
      comment: 'Code that needs Node (Buffer, ws) stays out of the renderer bundle.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/shared/node/' },
    },
    {
      name: 'renderer-only-shared',
      comment: 'The renderer runs in a sandboxed page: it reaches the core only through window.treasury (TreasuryApi).',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(main|server|preload|devbridge)/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'No Node built-ins in the renderer bundle.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-not-app',
      comment: 'ccc-server never depends on the desktop app.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/(main|renderer|preload|devbridge)/' },
    },
    {
      name: 'app-not-server',
      comment: 'The app talks to a server only over the wire protocol (and better-sqlite3 must stay out of Electron).',
      severity: 'error',
      from: { path: '^src/(main|preload)/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'gateway-blind',
      comment: 'The gateway knows the back office only through the contract (src/server/contract.ts).',
      severity: 'error',
      from: { path: '^src/server/(gateway/|link-client\\.ts)' },
      to: { path: '^src/server/backoffice/' },
    },
    {
      name: 'preload-minimal',
      comment: 'The preload exposes the typed API and nothing else.',
      severity: 'error',
      from: { path: '^src/preload/' },
      to: { path: '^src/', pathNot: '^src/(preload|shared/app-api\\.ts|shared/treasury-rpc\\.ts)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json'] },
  },
};
