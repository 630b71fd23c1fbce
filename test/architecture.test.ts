// The rooms of the code base (docs/architecture.md), checked with dependency-cruiser against the
// rules in .dependency-cruiser.cjs: the real tree has no violation, and a fixture tree that breaks
// each rule on purpose shows that every rule fires.
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cruise, type IReporterOutput, type ICruiseResult } from 'dependency-cruiser';

const root = path.resolve(__dirname, '..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs'));

async function cruiseTree(baseDir: string): Promise<{ modules: number; violations: { rule: string; from: string; to: string }[] }> {
  const out: IReporterOutput = await cruise(['src'], { ruleSet: config, validate: true, baseDir, ...config.options, tsConfig: undefined }, undefined, { tsConfig: undefined });
  const result = out.output as ICruiseResult;
  return { modules: result.summary.totalCruised, violations: result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })) };
}

describe('architecture', () => {
  it('the source tree keeps every room to what it may import', async () => {
    const { modules, violations } = await cruiseTree(root);
    expect(modules).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  }, 60_000);

  it('every rule fires on a tree that breaks it', async () => {
    const found = new Set((await cruiseTree(path.join(root, 'test/fixtures/architecture'))).violations.map((v) => v.rule));
    for (const rule of ['shared-stays-shared', 'shared-common-is-pure', 'shared-common-no-builtins', 'renderer-no-node-shared', 'app-not-server', 'server-not-app', 'gateway-blind', 'renderer-only-shared', 'renderer-no-node', 'preload-minimal', 'no-circular']) {
      expect(found, rule).toContain(rule);
    }
  }, 60_000);
});
