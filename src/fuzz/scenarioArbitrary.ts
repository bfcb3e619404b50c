/*
 * A whole generated case as a scenario file: first its swarm (which step and fault kinds it may
 * use, swarm.ts), its disks and their size, then the opening, body steps, fault plan, timing and
 * schedule. Everything shrinks together: fast-check shortens the steps, drops faults,
 * lowers latencies and moves the schedule's choices towards FIFO. Concurrent groups never hold two
 * requests of one VM on overlapping bytes (a guest never does; the outcome would be undefined).
 */
import fc from 'fast-check';
import type { Scenario, ScenarioStep, Step, TimingSpec } from '../scenario/Scenario.js';
import { memoizedArbitrary } from './arbitraryMemo.js';
import { faultPlanArbitrary } from './faultArbitrary.js';
import type { FuzzOptions } from './FuzzOptions.js';
import { openingArbitrary, stepArbitrary } from './stepArbitrary.js';
import { type Swarm, swarmArbitrary } from './swarm.js';

const timingArbitrary: fc.Arbitrary<TimingSpec> = fc.record({
  diskLatencyTicks: fc.oneof(fc.constant(0), fc.integer({ min: 1_000, max: 100_000 })),
  linkLatencyTicks: fc.oneof(fc.constant(0), fc.integer({ min: 1_000, max: 200_000 })),
  commitChunkBytes: fc.constantFrom(65536, 131072, 1048576),
  commitPaceTicks: fc.oneof(fc.constant(0), fc.integer({ min: 1_000, max: 500_000 })),
});

/** Scheduling: FIFO, or a list of choices (lenient: taken modulo the ready list) that shrinks to FIFO. */
const scheduleArbitrary = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ policy: 'fifo' as const }) },
  {
    weight: 3,
    arbitrary: fc.array(fc.nat({ max: 7 }), { maxLength: 120 }).map((choices) => ({ policy: 'replay' as const, choices, lenient: true })),
  },
);

/**
 * Every case ends the same way: faults stop, then a checkpoint and a failover must each complete
 * within the step bound (the liveness phase); they also give the final data checks their moment.
 */
export const LIVENESS_PHASE: readonly ScenarioStep[] = [{ do: 'heal' }, { do: 'checkpoint', side: 'both' }, { do: 'failover' }];

/** A generated case and the swarm it was drawn under (reported in the campaign's distribution). */
export interface GeneratedCase {
  readonly scenario: Scenario;
  readonly swarm: Swarm;
}

export function scenarioArbitrary(options: FuzzOptions, name = 'fuzz'): fc.Arbitrary<Scenario> {
  return generatedCaseArbitrary(options, name).map((c) => c.scenario);
}

/**
 * The disk size: mostly the campaign's, sometimes one that is not a multiple of the 64 KiB cluster
 * (a partial last cluster), down to a single sector. Never larger than the campaign's (cost).
 */
export function diskBytesArbitrary(maxBytes: number): fc.Arbitrary<number> {
  const sectors = Math.max(1, Math.floor(maxBytes / 512));
  const clusterSectors = Math.min(sectors, 128);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(sectors * 512) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: sectors }).map((n) => n * 512) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: clusterSectors }).map((n) => n * 512) },
  );
}

/** Disks per side: mostly one, up to the campaign's maximum. */
function disksArbitrary(maxDisks: number): fc.Arbitrary<number> {
  const max = Math.max(1, maxDisks);
  return fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 1, max }) });
}

/** A slow commit: small chunks with long pauses, so steps racing the failover find it in flight. */
const slowCommitTiming = fc.integer({ min: 1_000_000, max: 50_000_000 }).map((pace) => ({ commitChunkBytes: 65536, commitPaceTicks: pace }));

export function generatedCaseArbitrary(options: FuzzOptions, name = 'fuzz'): fc.Arbitrary<GeneratedCase> {
  return drawnParts(options).map((c) => {
    const steps = [...[...c.opening, ...c.body].slice(0, Math.max(1, options.steps)).map(separateConcurrent), ...LIVENESS_PHASE];
    const scenario = {
      colosim: 1,
      name,
      disk: { size: c.diskBytes, pattern: c.pattern },
      chain: 'standard',
      disks: c.disks,
      profile: options.profile,
      engine: { seed: c.seed, schedule: c.schedule, timing: withScanTime(c.timing), faults: c.faults },
      steps,
    } satisfies Scenario;
    return { scenario, swarm: c.swarm };
  });
}

/** Timing of a case whose swarm asked for a slow commit. */
const slowTimingArbitrary = fc.tuple(timingArbitrary, slowCommitTiming).map(([t, slow]) => ({ ...t, ...slow }));

/**
 * Everything a case draws, before it is put together as a scenario: one arbitrary per campaign's
 * options, whatever the case's name (arbitraryMemo.ts: building it per case cost as much as drawing).
 */
const drawnParts = memoizedArbitrary(
  (options: FuzzOptions) => `${options.steps}/${options.faults}/${options.diskBytes}/${options.maxDisks}`,
  (options: FuzzOptions) =>
    fc
      .tuple(swarmArbitrary(options.faults), disksArbitrary(options.maxDisks), diskBytesArbitrary(options.diskBytes))
      .chain(([swarm, disks, diskBytes]) => {
        const shape = { diskBytes, disks, ops: swarm.ops };
        return fc.record({
          swarm: fc.constant(swarm),
          diskBytes: fc.constant(diskBytes),
          disks: fc.constant(disks),
          opening: openingArbitrary(shape),
          body: fc.array(stepArbitrary(shape), { maxLength: Math.max(0, options.steps - 1), size: 'max' }),
          faults: faultPlanArbitrary(options.faults, disks, diskBytes, swarm.faults),
          timing: swarm.slowCommit ? slowTimingArbitrary : timingArbitrary,
          schedule: scheduleArbitrary,
          seed: fc.integer({ min: 0, max: 0x7fffffff }),
          pattern: fc.integer({ min: 0, max: 255 }),
        });
      }),
);

/**
 * The failover commit's start-up scan takes time per allocated cluster (block status reads qcow2's
 * L2 tables, slow with a small L2 cache: where QEMU 10.0.2 loses writes), so secondary writes
 * racing the failover can land in it. A generated disk has a few clusters where the issue's had
 * thousands, so each allocated cluster's lookup is scaled to outlast a guest write: SCAN_LATENCIES
 * disk accesses (of 1 µs when the disks answer at once). Derived, not drawn: no other draw shifts.
 */
const SCAN_LATENCIES = 8;
const SCAN_ACCESS_TICKS_MIN = 1_000;

function withScanTime(timing: TimingSpec): TimingSpec {
  return { ...timing, commitScanTicksPerCluster: SCAN_LATENCIES * Math.max(SCAN_ACCESS_TICKS_MIN, timing.diskLatencyTicks) };
}

/** Drop members of a concurrent group that would overlap an earlier member of the same VM where one writes. */
function separateConcurrent(step: ScenarioStep): ScenarioStep {
  if (step.do !== 'concurrent') return step;
  const kept: Step[] = [];
  for (const member of step.steps) {
    if (!kept.some((k) => conflicts(k, member))) kept.push(member);
  }
  return kept.length >= 2 ? { do: 'concurrent', steps: kept } : (kept[0] as ScenarioStep);
}

/** Steps that change bytes (a discard is dropped, a flush changes none) or read them. */
type RangeStep = Extract<Step, { do: 'read' | 'write' | 'write-zeroes' }>;

function isRangeIo(s: Step): s is RangeStep {
  return s.do === 'read' || s.do === 'write' || s.do === 'write-zeroes';
}

function conflicts(a: Step, b: Step): boolean {
  if (!isRangeIo(a) || !isRangeIo(b)) return false;
  if (a.do === 'read' && b.do === 'read') return false;
  if (a.vm !== b.vm || (a.disk ?? 0) !== (b.disk ?? 0)) return false;
  const sameTarget = (a.node ?? 'vm') === (b.node ?? 'vm') || a.vm === 'secondary';
  if (!sameTarget) return false;
  // Overlap at sector granularity: unaligned requests are padded to whole sectors below.
  return firstSector(a) < endSector(b) && firstSector(b) < endSector(a);
}

function firstSector(x: { offset: number }): number {
  return Math.floor(x.offset / 512);
}

function endSector(x: { offset: number; length: number }): number {
  return Math.ceil((x.offset + x.length) / 512);
}
