// The user's notes and labels on transactions: validated, kept locally per profile and account
// (surviving a new login), searchable on the rows, in the CSV statement's own column, never in the
// signed data — and a notes file that cannot be read is never written over.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { startTestServer, tempDir } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});


describe('notes and labels', () => {
  it('are validated, kept across logins, shown on the row and in the statement, and never signed', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const dataDir = tempDir('ccc-notes-');
    const exportDir = tempDir('ccc-notes-export-');
    const core = new AppCore({ dataDir, sandbox: { endpoint: server.url, trustedAddress: server.backofficeAddress }, simulatedDevice: new SimulatedLedger(), chooseSavePath: async (n) => path.join(exportDir, n) });
    cleanups.push(() => core.close());
    await core.login(SANDBOX_PROFILE_ID);
    await core.register({ name: 'Notes Ltd', email: 'n@example.com', country: 'DE', currency: 'EUR' });
    const address = (await core.getSnapshot()).address!;
    await server.backOffice.admin({ command: 'verify', address });
    await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'EUR', amount: '42.00', reference: 'Funding' });
    await waitFor(async () => (await core.getTransactions()).length === 1);
    const [tx] = await core.getTransactions();

    await expect(core.setTransactionNote(tx.txid, { note: 'bad\u202Etext' })).rejects.toMatchObject({ code: 'NOTE_INVALID' });
    await expect(core.setTransactionNote(tx.txid, { labels: ['two words'] })).rejects.toMatchObject({ code: 'NOTE_INVALID' });
    await expect(core.setTransactionNote(999_999, { note: 'x' })).rejects.toMatchObject({ code: 'UNKNOWN_TRANSACTION' });
    const row = await core.setTransactionNote(tx.txid, { note: ' Q4 funding from the Frankfurt desk ', labels: ['#funding', 'q4', 'q4'] });
    expect(row).toMatchObject({ txid: tx.txid, note: 'Q4 funding from the Frankfurt desk', labels: ['funding', 'q4'], reference: 'Funding' });
    // The signed record is untouched: the note lives beside it.
    const detail = await core.getTransactionDetail(tx.txid);
    expect(detail.tx.note).toBe('Q4 funding from the Frankfurt desk');
    expect(detail.signedData).not.toContain('Frankfurt');
    expect(detail.signedData).toContain('"reference":"Funding"');

    const r = await core.exportStatement({ format: 'csv' } as never);
    expect(r.saved).toBe(true);
    const text = fs.readFileSync((r as { path: string }).path, 'utf8');
    expect(text).toContain('Q4 funding from the Frankfurt desk #funding #q4');
    expect(fs.readFileSync(`${(r as { path: string }).path}.signatures.jsonl`, 'utf8')).not.toContain('Frankfurt');

    // A new login on the same profile and account finds the note again.
    await core.logout();
    await core.login(SANDBOX_PROFILE_ID);
    await waitFor(async () => (await core.getTransactions()).length === 1);
    expect((await core.getTransactions())[0]).toMatchObject({ note: 'Q4 funding from the Frankfurt desk', labels: ['funding', 'q4'] });
    // Clearing both removes them.
    expect(await core.setTransactionNote(tx.txid, { note: '', labels: [] })).not.toHaveProperty('note');

    // An unreadable notes file is reported and left untouched.
    await core.logout();
    const file = fs.readdirSync(path.join(dataDir, 'notes')).map((f) => path.join(dataDir, 'notes', f))[0];
    fs.writeFileSync(file, '{ broken');
    await core.login(SANDBOX_PROFILE_ID);
    expect((await core.getSnapshot()).lastError).toMatchObject({ code: 'NOTES_UNREADABLE' });
    await waitFor(async () => (await core.getTransactions()).length === 1);
    await expect(core.setTransactionNote(tx.txid, { note: 'x' })).rejects.toMatchObject({ code: 'NOTES_UNREADABLE' });
    expect(fs.readFileSync(file, 'utf8')).toBe('{ broken');
  });
});
