// Entry of a signing-pool thread: the server runs from TypeScript sources through tsx, and a worker
// thread does not inherit the parent's loader, so register it here, then load the worker itself.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
