// The Statements screen in Chromium against the real core and server: choose CSV, camt.053 or PDF,
// export, and the file written is that format, with its signatures companion, and verifies with the
// key the screen names. Screenshots of the screen (light and dark) go to screenshots/ when asked.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loginVerifiedAndFunded, go, browserAppPerTest } from '../helpers/ui';
import { verifyStatement } from '../../src/main/statements/verify-statement';

const browserApp = browserAppPerTest();

describe('Statements screen', () => {
  it('exports CSV, camt.053 and PDF, each with signatures that verify', async () => {
    const ui = await browserApp.start();
    const { page, server } = ui;
    await loginVerifiedAndFunded(ui, '1250.00', 'Funding');
    await go(page, 'Statements');
    const shots = process.env.CCC_SCREENSHOTS;
    for (const [id, label, ext, magic] of [
      ['csv', 'CSV', '.csv', '\uFEFFAccount statement'],
      ['camt053', 'ISO 20022 camt.053', '.xml', '<?xml'],
      ['pdf', 'PDF', '.pdf', '%PDF-'],
    ] as const) {
      await page.getByTestId('statement-format').locator('label').filter({ has: page.locator(`input[value="${id}"]`) }).click();
      await expect(page.getByRole('radio', { name: new RegExp(`^${label}`) }).isChecked()).resolves.toBe(true);
      await expect(page.getByTestId('export').textContent()).resolves.toBe(`Export ${label}…`);
      await page.getByTestId('export').click();
      await page.getByTestId('statement-result').waitFor();
      const file = (await page.getByTestId('statement-result').locator('code').textContent())!;
      expect(file.endsWith(ext)).toBe(true);
      expect(fs.readFileSync(file, 'utf8').startsWith(magic)).toBe(true);
      expect(fs.existsSync(`${file}.signatures.jsonl`)).toBe(true);
      await expect(page.getByTestId('verify-command').textContent()).resolves.toBe(`npx ccc-verify-statement ${path.basename(file)} --key ${server.backofficeAddress}`);
      expect((await verifyStatement(file, server.backofficeAddress)).problems).toEqual([]);
      if (ext === '.pdf') expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('1,250.00');
      if (shots) {
        fs.mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: path.join(shots, `statements-${ext.slice(1)}.png`) });
      }
    }
    if (shots) {
      await page.getByRole('button', { name: 'Dark theme' }).click();
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.screenshot({ path: path.join(shots, 'statements-dark-1024.png') });
    }
    // A status filter says plainly that the list will not add up.
    await page.getByLabel('Status').selectOption('failed');
    await expect(page.getByTestId('statement-form').textContent()).resolves.toMatch(/will not add up/);
  });
});
