// A real, throwaway PostgreSQL server for tests: Debian's postgresql-15 binaries, initdb into a temp
// directory and pg_ctl on a free loopback port, run as the `postgres` user when the tests run as root
// (initdb refuses root). Stopped and deleted afterwards. Where the binaries are missing, `available`
// says why (the tests that need it skip with that reason).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const BIN = '/usr/lib/postgresql/15/bin';

export function postgresUnavailable(): string | null {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) return `PostgreSQL 15 is not installed (${BIN}; apt-get install postgresql)`;
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root, and there is no postgres user to run initdb as';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  url: string;
  stop(): void;
}

/** `durable`: fsync on, as in production (benchmarks); tests run with fsync off (faster, nothing to keep). */
export async function startTestPostgres(opts: { durable?: boolean } = {}): Promise<TestPostgres> {
  const why = postgresUnavailable();
  if (why) throw new Error(why);
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) => execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe' });
  run(path.join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'ccc', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  run(path.join(BIN, 'pg_ctl'), ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=${opts.durable ? 'on' : 'off'} -c max_connections=200`, 'start']);
  return {
    url: `postgres://ccc@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run(path.join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
