#!/usr/bin/env node
// Launcher so that `npx ccc-verify-statement FILE --key ADDRESS` works from a checkout: registers
// tsx in this process and runs the TypeScript command.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(path.join(root, 'src/main/statements/verify-cli.ts')).href);
