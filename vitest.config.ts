import { defineConfig } from 'vitest/config';

// Tests use real sockets, real SQLite files and a real browser: run them in forked
// processes (better-sqlite3 and node-hid are native) and give them room to breathe.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
