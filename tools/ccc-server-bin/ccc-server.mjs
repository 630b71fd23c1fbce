#!/usr/bin/env node
// Launcher so that `npx ccc-server` works from a checkout: registers tsx in this very process
// (no child process, so signals reach the server directly) and runs the TypeScript CLI.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
// Resolved from this file's real location (tools/ccc-server-bin), i.e. the repository's node_modules.
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(path.join(root, 'src/server/cli.ts')).href);
