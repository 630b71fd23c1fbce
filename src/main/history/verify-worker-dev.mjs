// Development and tests only (the built app runs out/main/verify-worker.cjs): loads the TypeScript
// worker through tsx, which is a development dependency of the desktop app.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
