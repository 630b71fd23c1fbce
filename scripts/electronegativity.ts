// `npm run electronegativity`: Doyensec's Electron security scanner over the app's sources.
// Its CLI breaks with the hoisted commander, so this calls its documented runner directly.
// Findings that are accepted are explained in docs/app.md.
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity') as (options: Record<string, unknown>, forCli?: boolean) => Promise<unknown>;
const input = path.resolve(process.argv[2] ?? 'src');
await run(
  {
    input,
    output: process.argv[3],
    isSarif: false,
    customScan: [],
    excludeFromScan: [],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: true,
    electronUpgrade: undefined,
    electronVersionOverride: undefined,
    parserPlugins: [],
  },
  true,
);
