// A finance user's records in Chromium against the real core and server: a note and labels on a
// transaction (found by History's search, in the CSV), a one-page PDF receipt from the detail panel, and
// "export these" — a statement of exactly the rows History shows, which verifies.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loginAndRegister, go, browserAppPerTest, verifyAndFund } from '../helpers/ui';
import { verifyStatement } from '../../src/main/statements/verify-statement';

const browserApp = browserAppPerTest();

describe('records from History', () => {
  it('a note that search finds, a PDF receipt, and a statement of the rows on screen', async () => {
    const ui = await browserApp.start();
    const { page, server } = ui;
    const address = await loginAndRegister(ui);
    await verifyAndFund(ui, address, [
      { amount: '1250.00', reference: 'Funding' },
      { amount: '20.00', reference: 'Fees refund' },
      { amount: '7.50', reference: 'Interest' },
    ]);
    await go(page, 'History');
    await page.getByTestId('history-table').getByText('Fees refund').click();
    const detail = page.getByTestId('tx-detail');
    await detail.waitFor();

    // The user's own note: saved locally, then History's search finds the row by it.
    await detail.getByLabel(/Your note/).fill('Ask Anna about the refund');
    await detail.getByLabel('Labels').fill('#audit q4');
    await detail.getByRole('button', { name: 'Save note' }).click();
    await detail.getByText('Saved.').waitFor();

    // A one-page receipt, its signature verified against the back-office key.
    await detail.getByTestId('save-receipt').click();
    const receipt = await detail.getByText(/Receipt saved to .*\.pdf \(signature verified\)/).textContent();
    const receiptPath = /saved to (.*\.pdf)/.exec(receipt!)![1];
    expect(fs.readFileSync(receiptPath).subarray(0, 5).toString()).toBe('%PDF-');
    await page.keyboard.press('Escape');

    await page.getByRole('searchbox').fill('anna');
    await page.getByTestId('history-count').getByText(/^1 of 3/).waitFor();
    // Export exactly these rows.
    await page.getByTestId('export-these').getByRole('button', { name: /Export these \(1\)/ }).click();
    const saved = await page.getByTestId('export-these').getByText(/\(1 listed\)/).textContent();
    const file = /to (.*\.csv)/.exec(saved!)![1];
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv).toContain('Fees refund');
    expect(csv).not.toContain('Interest');
    expect(csv).toContain('Ask Anna about the refund #audit #q4');
    expect(csv).toMatch(/only the 1 entries chosen in History/);
    const report = await verifyStatement(file, server.backofficeAddress);
    expect(report.problems).toEqual([]);
  });
});
