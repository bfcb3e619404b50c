/*
 * Minimal counterexamples: the post-pass reduces what fast-check leaves to the shortest scenario
 * that shows the same violation. Most v24 bugs need three steps (start both, one command that
 * ends replication, one command after it), so a v24 campaign must end on three, or fewer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/Scenario.js';
import { DEFAULT_TIMING } from '../scenario/Scenario.js';
import { parseScenarioText } from '../scenario/parseScenario.js';
import { runCampaign } from './Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { reduceScenario } from './reduceScenario.js';
import { dropSteps, shrinkDisk, splitConcurrent } from './reductionPasses.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-reduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What fast-check alone left on campaign seed 1 of v24 (6 steps, one a concurrent group). */
const fastCheckResult: Scenario = {
  colosim: 1,
  name: 'v24-after-fast-check',
  disk: { size: 262144, pattern: 0 },
  chain: 'standard',
  disks: 1,
  profile: 'v24',
  engine: { seed: 0, schedule: { policy: 'replay', choices: [0, 0, 0], lenient: true }, timing: { ...DEFAULT_TIMING, commitChunkBytes: 65536 }, faults: [] },
  steps: [
    { do: 'stop', side: 'primary', failover: false },
    { do: 'start', side: 'both' },
    { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1 }] },
    { do: 'heal' },
    { do: 'checkpoint', side: 'both' },
    { do: 'failover' },
  ],
};

describe('reduction passes', () => {
  it('dropSteps first cuts everything after the failing step, then windows of halving size from the end', () => {
    const s = { ...fastCheckResult, steps: fastCheckResult.steps.slice(0, 4) };
    const lengths = dropSteps(s, 1).map((c) => c.steps.map((x) => x.do).join(','));
    expect(lengths).toEqual(['stop,start', 'stop,start', 'concurrent,heal', 'stop,start,concurrent', 'stop,start,heal', 'stop,concurrent,heal', 'start,concurrent,heal']);
  });

  it('splitConcurrent offers the members in sequence, then each member alone', () => {
    const candidates = splitConcurrent(fastCheckResult, 4).map((c) => c.steps[2]!.do + (c.steps[3]!.do === 'write' ? '+write' : ''));
    expect(candidates).toEqual(['failover+write', 'failover', 'write']);
  });

  it('shrinkDisk tries one sector, then what the requests need, then one cluster', () => {
    const sizes = shrinkDisk({ ...fastCheckResult, disk: { size: 262144, pattern: 7 } }, 0).map((c) => [c.disk.size, c.disk.pattern]);
    expect(sizes).toEqual([
      [512, 7],
      [65536, 7],
      [262144, 0],
    ]);
  });
});

describe('reduceScenario', () => {
  it('reduces fast-check\'s 6-step v24 counterexample to start both, failover, checkpoint of the secondary', async () => {
    const reduced = await reduceScenario(fastCheckResult, 'ignore-after-promotion');
    expect(reduced.scenario.steps).toEqual([{ do: 'start', side: 'both' }, { do: 'failover' }, { do: 'checkpoint', side: 'secondary' }]);
    expect(reduced.scenario.disk).toEqual({ size: 512, pattern: 0 });
    expect(reduced.scenario.engine.timing).toEqual(DEFAULT_TIMING);
    expect(reduced.runs).toBeLessThanOrEqual(400);
  });

  it('is bounded in candidate runs and gives the same scenario every time', async () => {
    const a = await reduceScenario(fastCheckResult, 'ignore-after-promotion', 6);
    const b = await reduceScenario(fastCheckResult, 'ignore-after-promotion', 6);
    expect(a.runs).toBe(6);
    expect(b).toEqual(a);
    expect(a.scenario.steps.length).toBeLessThan(fastCheckResult.steps.length);
  });

  it('leaves a scenario that does not violate the invariant as it is, after one run', async () => {
    const reduced = await reduceScenario(fastCheckResult, 'cow-isolation');
    expect(reduced).toEqual({ scenario: fastCheckResult, runs: 1 });
  });
});

/**
 * The shortest scenario for each: a command after the failover that v24 answers differently (3
 * steps: start both, failover, the command), or a start whose make_empty fails, where v24's message
 * differs from 7.2's (1 step, the fault in the plan).
 */
const SHORTEST: readonly [number, string, number][] = [
  [1, 'ignore-after-promotion', 3],
  [2, 'ignore-after-promotion', 3],
  [3, 'ignore-after-promotion', 3],
  [4, 'conformance', 2],
  [8, 'ignore-after-promotion', 3],
  [11, 'conformance', 1],
];

describe('v24 campaigns end on the shortest counterexample', () => {
  for (const [seed, invariant, steps] of SHORTEST) {
    it(`campaign seed ${seed}: ${invariant} in ${steps} step(s)`, { timeout: 120_000 }, async () => {
      const out = join(dir, `seed-${seed}`);
      const summary = await runCampaign({ seed, runs: 20, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile: 'v24' }, outDir: out, command: `test v24 ${seed}` });
      expect([summary.counterexample?.invariant, summary.counterexample?.steps]).toEqual([invariant, steps]);
      // Every v24 difference needs the secondary started first (alone or with the primary).
      const file = parseScenarioText(readFileSync(summary.counterexample!.path, 'utf8'));
      expect(['start:secondary', 'start:both']).toContain(`${file.steps[0]!.do}:${(file.steps[0] as { side?: string }).side}`);
    });
  }
});
