// axe-core (Deque's engine) run inside Chromium on the page as it is, in the light and the dark theme.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export interface Finding {
  state: string;
  theme: string;
  id: string;
  impact: string;
  targets: string[];
}

/** Runs axe on the page as it is, in both themes; returns every violation found. */
export async function audit(page: Page, state: string): Promise<Finding[]> {
  const found: Finding[] = [];
  // The app's CSP forbids inline scripts (rightly), so axe is evaluated through the DevTools protocol.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => window.dispatchEvent(new CustomEvent('ccc-set-theme', { detail: t })), theme);
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    // Let transitions settle so colours are measured as the user sees them.
    await page.waitForTimeout(250);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ passes: unknown[]; violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return { passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })) };
    }).then((r) => {
      // An audit that checked nothing would pass vacuously.
      expect(r.passes, `${state}: axe checked nothing`).toBeGreaterThan(10);
      return r.violations;
    });
    for (const v of violations) found.push({ state, theme, ...v });
  }
  return found;
}
