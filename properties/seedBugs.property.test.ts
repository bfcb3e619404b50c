/*
 * The seed patch's own bugs: on the same campaign seeds, the 2016 v24 profile must be caught
 * violating invariants that QEMU fixed later (commands after a failover, reference §2.9, §8 #13),
 * while QEMU 7.2's profile passes. Each found violation is shrunk to a replayable scenario.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../src/fuzz/FuzzOptions.js';
import { runCase } from '../src/fuzz/runCase.js';
import { runs } from './budget.js';

const SEEDS = [1, 2, 3, 4, 5];
const CASES = runs(60);
/** Counterexamples go to a temporary folder, removed at the end (never into the repository's reports/). */
const OUT_DIR = mkdtempSync(join(tmpdir(), 'colosim-seed-bugs-'));
afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

describe('the v24 profile fails where QEMU 7.2 passes, on the same seeds', () => {
  for (const seed of SEEDS) {
    it(`campaign seed ${seed}`, { timeout: 300_000 }, async () => {
      const campaign = (profile: 'v24' | 'qemu-7.2') =>
        runCampaign({ seed, runs: CASES, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile }, outDir: OUT_DIR, command: `seed-bugs ${profile} ${seed}` });
      const v24 = await campaign('v24');
      expect(v24.counterexample, `v24 passed ${v24.cases} cases of seed ${seed}`).toBeDefined();
      // The 2016 code differs from 7.2 in how it answers requests after promotion, status outside RUNNING and
      // checkpoints of a node it no longer links: the violation names one of those rules.
      expect(['ignore-after-promotion', 'conformance', 'primary-swallows-errors']).toContain(v24.counterexample!.invariant);
      // The counterexample replays on its own and still fails.
      const { readFileSync } = await import('node:fs');
      const { parseScenarioText } = await import('../src/scenario/parseScenario.js');
      const replay = await runCase(parseScenarioText(readFileSync(v24.counterexample!.path, 'utf8')));
      expect(replay.violations.map((v) => v.invariant)).toContain(v24.counterexample!.invariant);
      expect(v24.counterexample!.steps).toBeLessThanOrEqual(12);
      const qemu = await campaign('qemu-7.2');
      expect(qemu.counterexample).toBeUndefined();
      expect(qemu.cases).toBe(CASES);
    });
  }
});
