#!/usr/bin/env node
// Launcher so that `npx ccc-server` works from a checkout: registers tsx in this very process
// (no child process, so signals reach the server directly) and runs the TypeScript CLI.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(path.join(root, 'package.json'));
const { register } = await import(pathToFileURL(require.resolve('tsx/esm/api')).href);
register();
await import(pathToFileURL(path.join(root, 'src/server/cli.ts')).href);
