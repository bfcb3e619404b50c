/*
 * A fuzz campaign from a user's test: a clean one under QEMU 7.2's code, and one under the 2016
 * v24 patch, which the campaign catches at case 3 (a checkpoint after failover dereferences a NULL
 * disk), shrinks to three steps and writes as a counterexample that still fails when checked again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCase, parseScenarioText, runCampaign } from 'colosim';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'colosim-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runCampaign from a user test', () => {
  it('40 cases of seed 1 under QEMU 7.2 hold', async () => {
    const summary = await runCampaign({ seed: 1, runs: 40, outDir: join(dir, 'clean') });
    expect(summary.cases).toBe(40);
    expect(summary.counterexample).toBeUndefined();
    expect(Object.entries(summary.invariants).filter(([, c]) => c.violations > 0)).toEqual([]);
    expect(summary.invariants.conformance.checks).toBeGreaterThan(0);
  });

  it('the v24 profile fails at case 0 and its counterexample replays', async () => {
    const summary = await runCampaign({ seed: 1, runs: 300, profile: 'v24', outDir: join(dir, 'v24') });
    expect(summary.cases).toBe(1);
    expect(summary.counterexample?.invariant).toBe('ignore-after-promotion');
    expect(summary.counterexample?.path).toBe(join(dir, 'v24', 'counterexample-ignore-after-promotion-seed-1-case-0.json'));
    const scenario = parseScenarioText(readFileSync(summary.counterexample!.path, 'utf8'));
    expect(scenario.steps).toHaveLength(3);
    const verdict = await checkCase(scenario);
    expect(verdict.ok).toBe(false);
    expect(verdict.violations.map((v) => v.invariant)).toContain('ignore-after-promotion');
    expect(verdict.traceHash).toBe(scenario.origin?.traceHash);
  });
});
