/*
 * Interleavings on purpose: requests in flight together, their order chosen by fast-check (a list
 * of scheduling choices that shrinks towards FIFO) on top of disk and link latencies. The races of
 * interest: secondary reads against a copy-before-write in flight, a secondary write allocating a
 * cluster while the primary's copy of it is in flight (the 2018 fleecing fix, f8d59dfb40), a
 * failover while forwarded writes are in flight, and a checkpoint arriving in the middle of I/O.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCase } from '../src/fuzz/runCase.js';
import type { Profile, Scenario, ScenarioStep, Step } from '../src/scenario/Scenario.js';
import { runs, seed } from './budget.js';
import { expectNoViolation } from './checkedCase.js';

const SIZE = 262144;
const CLUSTER = 65536;

const choices = fc.array(fc.nat({ max: 9 }), { maxLength: 80 });
const latency = fc.integer({ min: 0, max: 3 }).map((n) => n * 1000);
const timing = fc.record({ diskLatencyTicks: latency, linkLatencyTicks: latency, commitChunkBytes: fc.constant(CLUSTER), commitPaceTicks: latency });

/** A sector-aligned range inside one cluster. */
const inCluster = (cluster: number) =>
  fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 1, max: 128 })).map(([s, n]) => ({ offset: cluster * CLUSTER + s * 512, length: Math.min(n, 128 - s) * 512 }));

function scenario(profile: Profile, t: Scenario['engine']['timing'], picks: number[], steps: ScenarioStep[]): Scenario {
  return {
    colosim: 1,
    name: 'interleaving',
    disk: { size: SIZE, pattern: 0x11 },
    chain: 'standard',
    disks: 1,
    profile,
    engine: { seed: 7, schedule: { policy: 'replay', choices: picks, lenient: true }, timing: t, faults: [] },
    steps: [{ do: 'start', side: 'both' }, ...steps, { do: 'heal' }, { do: 'checkpoint', side: 'both' }, { do: 'failover' }],
  };
}

const together = (...steps: Step[]): ScenarioStep => ({ do: 'concurrent', steps });

/** A secondary write that allocates part of cluster 1 while the primary's first write of the epoch copies it. */
const fleecingRace = fc.tuple(inCluster(1), inCluster(1), timing, choices).map(([p, s, t, picks]) => ({ p, s, t, picks }));

function fleecingSteps(p: { offset: number; length: number }, s: { offset: number; length: number }): ScenarioStep[] {
  return [
    together({ do: 'write', vm: 'primary', ...p, pattern: 0x22 }, { do: 'write', vm: 'secondary', ...s, pattern: 0x33 }),
    { do: 'read', vm: 'secondary', offset: CLUSTER, length: CLUSTER },
  ];
}

describe('interleavings', () => {
  it('secondary reads overlapping a copy-before-write in flight see the old data (QEMU 7.2)', { timeout: 300_000 }, async () => {
    const race = fc.tuple(inCluster(1), inCluster(1), timing, choices);
    await fc.assert(
      fc.asyncProperty(race, ([w, r, t, picks]) =>
        expectNoViolation(scenario('qemu-7.2', t, picks, [together({ do: 'write', vm: 'primary', ...w, pattern: 0x22 }, { do: 'read', vm: 'secondary', ...r }, { do: 'read', vm: 'secondary', ...r })])),
      ),
      { numRuns: runs(150), seed: seed(31) },
    );
  });

  it('a secondary write allocating a cluster during the primary\'s copy of it stays isolated (QEMU 7.2)', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fleecingRace, ({ p, s, t, picks }) => expectNoViolation(scenario('qemu-7.2', t, picks, fleecingSteps(p, s)))),
      { numRuns: runs(200), seed: seed(32) },
    );
  });

  it('the 2016 code loses that race: fast-check finds an interleaving where the primary\'s data leaks (v24)', { timeout: 300_000 }, async () => {
    const details = await fc.check(
      fc.asyncProperty(fleecingRace, async ({ p, s, t, picks }) => {
        const result = await runCase(scenario('v24', t, picks, fleecingSteps(p, s)));
        return !result.violations.some((v) => v.invariant === 'cow-isolation' || v.invariant === 'no-lost-acknowledged-write');
      }),
      { numRuns: runs(400), seed: seed(33) },
    );
    expect(details.failed, 'no interleaving exposed the v24 fleecing race').toBe(true);
  });

  it('a failover while forwarded writes are in flight keeps the secondary\'s view', { timeout: 300_000 }, async () => {
    const race = fc.tuple(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), inCluster(2), timing, choices);
    await fc.assert(
      fc.asyncProperty(race, ([writes, svm, t, picks]) => {
        const primaryWrites = writes.map(([c, pattern], i): Step => ({ do: 'write', vm: 'primary', offset: c * CLUSTER + i * 512, length: 512, pattern }));
        return expectNoViolation(
          scenario('qemu-7.2', t, picks, [
            { do: 'write', vm: 'secondary', ...svm, pattern: 0x44 },
            together(...primaryWrites, { do: 'failover' }),
            { do: 'read', vm: 'secondary', offset: 0, length: SIZE },
          ]),
        );
      }),
      { numRuns: runs(150), seed: seed(34) },
    );
  });

  it('a checkpoint arriving while I/O is in flight completes and leaves a consistent pair', { timeout: 300_000 }, async () => {
    const race = fc.tuple(inCluster(0), inCluster(3), timing, choices);
    await fc.assert(
      fc.asyncProperty(race, async ([p, s, t, picks]) => {
        const pair = scenario('qemu-7.2', t, picks, [
          together({ do: 'write', vm: 'primary', ...p, pattern: 0x22 }, { do: 'checkpoint', side: 'both' }, { do: 'write', vm: 'secondary', ...s, pattern: 0x33 }),
          { do: 'checkpoint', side: 'both' },
          { do: 'read', vm: 'secondary', offset: 0, length: SIZE },
        ]);
        await expectNoViolation(pair);
        // "Consistent" is checked on the data too, from the racing step on: every disk-step, the race against its envelope.
        const { dataCheck } = await runCase(pair);
        expect([dataCheck.diskSteps, dataCheck.checked]).toEqual([pair.steps.length, pair.steps.length]);
        expect(dataCheck.indeterminate['control-step-in-concurrent-group']).toBe(1);
      }),
      { numRuns: runs(150), seed: seed(35) },
    );
  });
});
