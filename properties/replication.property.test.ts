/*
 * The main model-based suites: generated operation sequences (writes and reads on both VMs at any
 * offset, checkpoints, status, stops, failovers, wrong starts, several disks, requests in flight
 * together) run on the engine under the checker, with no faults, with faults replication must
 * tolerate, and with every fault kind. Every named invariant must hold for QEMU 7.2's behaviour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVARIANT_NAMES } from '../src/check/Invariant.js';
import { runCampaign } from '../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS, type FaultMode } from '../src/fuzz/FuzzOptions.js';
import { scenarioArbitrary } from '../src/fuzz/scenarioArbitrary.js';
import { runs, seed } from './budget.js';
import { expectNoViolation } from './checkedCase.js';

const SUITES: readonly { faults: FaultMode; cases: number; seed: number }[] = [
  { faults: 'none', cases: 300, seed: 101 },
  { faults: 'tolerated', cases: 300, seed: 202 },
  { faults: 'all', cases: 400, seed: 303 },
];

describe('replication on the engine holds every invariant (QEMU 7.2)', () => {
  for (const suite of SUITES) {
    it(`faults: ${suite.faults}`, { timeout: 600_000 }, async () => {
      const arbitrary = scenarioArbitrary({ ...DEFAULT_FUZZ_OPTIONS, faults: suite.faults });
      await fc.assert(fc.asyncProperty(arbitrary, expectNoViolation), { numRuns: runs(suite.cases), seed: seed(suite.seed) });
    });
  }

  it('one disk, long cases (100 steps)', { timeout: 600_000 }, async () => {
    const arbitrary = scenarioArbitrary({ ...DEFAULT_FUZZ_OPTIONS, steps: 100, maxDisks: 1 });
    await fc.assert(fc.asyncProperty(arbitrary, expectNoViolation), { numRuns: runs(100), seed: seed(404) });
  });
});

describe('the campaign', () => {
  it('checks every named invariant, each counted on its own, with no violation', { timeout: 600_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'colosim-campaign-'));
    try {
      const summary = await runCampaign({ seed: seed(505), runs: runs(400), fuzz: DEFAULT_FUZZ_OPTIONS, outDir, command: 'test' });
      const unchecked = INVARIANT_NAMES.filter((name) => !(summary.invariants[name]!.checks > 0));
      expect(unchecked).toEqual([]);
      expect(summary.counterexample).toBeUndefined();
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
