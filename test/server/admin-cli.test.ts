// The operator CLI at its boundary, as a real child process: a --data directory that holds no
// server data is refused (never created), txids are parsed exactly, free text follows the policy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/server';
import { BackOffice } from '../../src/server/backoffice/back-office';

describe('ccc-server admin', () => {
  it('refuses a data directory that does not hold a server, and creates nothing', async () => {
    const typo = path.join(os.tmpdir(), `ccc-typo-${process.pid}-${Date.now()}`);
    const r = await runCli(['admin', '--data', typo, 'verify', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist; give the --data directory of the server/);
    expect(fs.existsSync(typo)).toBe(false);
    const empty = tempDir();
    const k = await runCli(['admin', '--data', empty, 'key']);
    expect(k.code).toBe(1);
    expect(k.stderr).toMatch(/does not hold a ccc-server data directory \(no ledger\.sqlite, backoffice-key\.json\)/);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('parses txids exactly and applies the text policy to --reference (more cases: text-policy.test.ts)', async () => {
    const dataDir = tempDir();
    await new BackOffice({ dataDir }).close(); // a real, stopped server's data
    const big = await runCli(['admin', '--data', dataDir, 'settle', '99999999999999999999', 'complete']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/^error: INVALID_PARAMS: txid: must be an integer from 1 to 9223372036854775807/);
    const ansi = await runCli(['admin', '--data', dataDir, 'deposit', '--to', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '--from', 'DE89370400440532013000', '--currency', 'USD', '--amount', '1', '--reference', '\u001b[2Jpaid']);
    expect(ansi.code).toBe(1);
    expect(ansi.stderr).toMatch(/INVALID_PARAMS: reference: must not contain control characters \(U\+001B\)/);
  });
});
