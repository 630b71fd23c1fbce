// Starts ONE real PostgreSQL server for the whole test run (Debian's postgresql-15: initdb + pg_ctl in a
// temp directory, test/helpers/postgres.ts) and hands its URL to the tests (inject('pgUrl')); each test
// that needs it creates a fresh database there (test/helpers/stores.ts). Where PostgreSQL is not
// installed, `pgUrl` is null and the store matrix runs on SQLite alone, saying why.
import type { TestProject } from 'vitest/node';
import { postgresUnavailable, startTestPostgres } from './helpers/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
    pgUnavailable: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | void> {
  const why = postgresUnavailable();
  project.provide('pgUnavailable', why ?? '');
  if (why) {
    project.provide('pgUrl', null);
    return;
  }
  const server = await startTestPostgres();
  project.provide('pgUrl', server.url);
  return () => server.stop();
}
