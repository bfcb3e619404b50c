/*
 * Swarm testing: a case uses only the step and fault kinds its swarm enabled, and over a campaign
 * the generator reaches the shapes users have (disk sizes off the cluster grid down to one sector,
 * up to four disks, every crash point, control steps racing a failover's slow commit).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step } from '../scenario/Scenario.js';
import { caseArbitrary, caseSeed, generateCase, generateDrawnCase } from './caseScenario.js';
import { faultPlanArbitrary } from './faultArbitrary.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { emptyDistribution, recordCase } from './GeneratorDistribution.js';
import { stepArbitrary } from './stepArbitrary.js';
import { CRASH_POINTS } from '../colo/crashPoints.js';
import type { Fault } from '../sim/FaultPlan.js';

const flat = (steps: readonly Step[]): Step[] => steps.flatMap((s) => (s.do === 'concurrent' ? flat(s.steps) : [s]));

describe('swarm', () => {
  it('a case drawn with its swarm is the very case the campaign shrinks', () => {
    for (const index of [0, 1, 17]) {
      const seed = caseSeed(5, index);
      expect(generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 5, index, seed).scenario).toEqual(generateCase(caseArbitrary(DEFAULT_FUZZ_OPTIONS, 5, index), seed));
    }
  });

  it('steps come only from the enabled kinds', () => {
    const shape = { diskBytes: 65536, disks: 1, ops: ['read-secondary', 'status'] as const };
    const steps = flat(fc.sample(stepArbitrary({ ...shape, ops: [...shape.ops] }), { seed: 3, numRuns: 300 }));
    expect(new Set(steps.map((s) => (s.do === 'read' ? `read:${s.vm}` : s.do)))).toEqual(new Set(['read:secondary', 'status']));
  });

  it('faults come only from the enabled kinds, and tolerated mode never draws a reported one', () => {
    const plans = fc.sample(faultPlanArbitrary('all', 2, 65536, ['crash', 'link-drop']), { seed: 4, numRuns: 200 }).flat();
    expect(new Set(plans.map((f) => f.kind))).toEqual(new Set(['crash', 'link-drop']));
    const tolerated = fc.sample(faultPlanArbitrary('tolerated', 2, 65536, ['io-error', 'latency']), { seed: 4, numRuns: 200 }).flat();
    expect(new Set(tolerated.map((f) => f.kind))).toEqual(new Set(['latency']));
  });

  it('300 cases of a default campaign reach odd disk sizes, 1-4 disks, every crash point and controls racing a slow commit', () => {
    const d = emptyDistribution();
    let racesSlowCommit = 0;
    for (let index = 0; index < 300; index++) {
      const drawn = generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 1, index, caseSeed(1, index));
      recordCase(d, drawn);
      const race = drawn.scenario.steps.some((s) => s.do === 'concurrent' && s.steps[0]?.do === 'failover' && s.steps.some((m) => m.do === 'status' || m.do === 'stop'));
      if (race && drawn.scenario.engine.timing.commitPaceTicks >= 1_000_000) racesSlowCommit++;
    }
    expect(Object.keys(d.diskSizes).sort()).toEqual(['<64KiB', 'cluster multiple', 'one sector', 'partial last cluster']);
    expect(Object.keys(d.disks).sort()).toEqual(['1', '2', '3', '4']);
    for (const point of CRASH_POINTS) expect(d.faults[`crash:${point}`], point).toBeGreaterThan(0);
    expect(racesSlowCommit).toBeGreaterThan(0);
  });

  it('a fault plan fills the primary\'s local disk (every write ENOSPC, no range) in about one plan in ten, on every disk index', () => {
    // Before the local-disk-full fault, only a range-free ENOSPC write fault on primary-disk did
    // this: 3 plans of these 2,000. Now 184.
    const plans = fc.sample(faultPlanArbitrary('all', 3, 65536), { seed: 6, numRuns: 2000 });
    const isFull = (f: Fault) => f.kind === 'io-error' && f.op === 'write' && f.errno === 'ENOSPC' && f.node.startsWith('primary-disk') && f.offset === undefined && f.bytes === undefined;
    const full = plans.flat().filter(isFull);
    expect(new Set(full.map((f) => f.kind === 'io-error' && f.node))).toEqual(new Set(['primary-disk', 'primary-disk.1', 'primary-disk.2']));
    expect(plans.filter((p) => p.some(isFull)).length).toBeGreaterThan(100);
    expect(Math.max(...plans.map((p) => p.length))).toBe(3);
  });
});
