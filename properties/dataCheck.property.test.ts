/*
 * The data model keeps predicting: on the default campaign options, at least 99 % of disk-steps
 * are compared against the model (issue 9's target; before, 56-59 % got no data check at all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../src/fuzz/FuzzOptions.js';
import { runs, seed } from './budget.js';

describe('data checks on the default campaign', () => {
  it('check at least 99 % of disk-steps, with no violation', { timeout: 600_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'colosim-datacheck-'));
    try {
      const summary = await runCampaign({ seed: seed(1), runs: runs(300), fuzz: DEFAULT_FUZZ_OPTIONS, outDir, command: 'test' });
      expect(summary.counterexample).toBeUndefined();
      expect(summary.dataCheck.diskSteps).toBeGreaterThan(summary.steps);
      expect(summary.dataCheck.checkedFraction).toBeGreaterThanOrEqual(0.99);
      // The races that used to switch checking off are now checked against their envelope.
      expect(summary.dataCheck.indeterminate['control-step-in-concurrent-group'] ?? 0).toBeGreaterThan(0);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
