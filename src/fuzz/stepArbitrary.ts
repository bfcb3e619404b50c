/*
 * Generated steps: mostly what a COLO deployment does (guest writes and reads on both sides,
 * checkpoints, status queries, failover), plus what it should not do but might (starts in the wrong
 * order or mode, stops, checkpoints of one side, closing nodes), and groups of requests in flight at
 * once. Offsets are sector-aligned but not cluster-aligned, cross clusters and reach the disk's end;
 * a few are unaligned or out of range.
 */
import fc from 'fast-check';
import type { ScenarioStep, Step } from '../scenario/Scenario.js';
import { compact } from '../util/FieldReader.js';

const SECTOR = 512;
const CLUSTER = 65536;

export interface StepShape {
  readonly diskBytes: number;
  readonly disks: number;
}

/** An I/O range: mostly sector-aligned runs of up to three clusters, sometimes unaligned, rarely past the end. */
export function rangeArbitrary(shape: StepShape): fc.Arbitrary<{ offset: number; length: number }> {
  const sectors = shape.diskBytes / SECTOR;
  // Mostly small requests (a guest's 4-16 KiB), sometimes up to two clusters: data volume is what
  // a case costs, and crossing one cluster boundary exercises the same paths as crossing three.
  const sectorCount = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 32 }) }, { weight: 1, arbitrary: fc.integer({ min: 33, max: (2 * CLUSTER) / SECTOR }) });
  const aligned = fc
    .tuple(fc.integer({ min: 0, max: sectors - 1 }), sectorCount)
    .map(([s, n]) => ({ offset: s * SECTOR, length: Math.min(n, sectors - s) * SECTOR }));
  const atEnd = fc.integer({ min: 1, max: CLUSTER / SECTOR }).map((n) => ({ offset: shape.diskBytes - n * SECTOR, length: n * SECTOR }));
  const unaligned = fc
    .tuple(fc.integer({ min: 0, max: shape.diskBytes - 2 }), fc.integer({ min: 1, max: 4096 }))
    .map(([offset, n]) => ({ offset, length: Math.min(n, shape.diskBytes - offset) }));
  const pastEnd = fc.integer({ min: 1, max: 8 }).map((n) => ({ offset: shape.diskBytes - SECTOR, length: (n + 1) * SECTOR }));
  return fc.oneof(
    { weight: 80, arbitrary: aligned },
    { weight: 10, arbitrary: atEnd },
    { weight: 8, arbitrary: unaligned },
    { weight: 2, arbitrary: pastEnd },
  );
}

function diskArbitrary(shape: StepShape): fc.Arbitrary<number | undefined> {
  return shape.disks === 1 ? fc.constant(undefined) : fc.integer({ min: 0, max: shape.disks - 1 }).map((d) => (d === 0 ? undefined : d));
}

function write(shape: StepShape, vm: 'primary' | 'secondary'): fc.Arbitrary<Step> {
  return fc
    .tuple(rangeArbitrary(shape), fc.integer({ min: 1, max: 255 }), diskArbitrary(shape))
    .map(([r, pattern, disk]) => compact({ do: 'write', vm, offset: r.offset, length: r.length, pattern, disk }));
}

function read(shape: StepShape, vm: 'primary' | 'secondary', node?: 'disk'): fc.Arbitrary<Step> {
  return fc.tuple(rangeArbitrary(shape), diskArbitrary(shape)).map(([r, disk]) => compact({ do: 'read', vm, offset: r.offset, length: r.length, disk, node }));
}

/** Guest I/O only: what may be in flight together. */
export function ioStepArbitrary(shape: StepShape): fc.Arbitrary<Step> {
  return fc.oneof(
    { weight: 5, arbitrary: write(shape, 'primary') },
    { weight: 3, arbitrary: write(shape, 'secondary') },
    { weight: 3, arbitrary: read(shape, 'secondary') },
    { weight: 1, arbitrary: read(shape, 'primary') },
  );
}

const side = fc.constantFrom('primary' as const, 'secondary' as const);

/** Control steps a well-run pair sees. */
function controlArbitrary(): fc.Arbitrary<Step> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'both' }) },
    { weight: 4, arbitrary: side.map((s): Step => ({ do: 'status', side: s })) },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'failover' }) },
    // Time between checkpoints: COLO checkpoints every x-checkpoint-delay (QEMU's default: 20 s),
    // or sooner when the network proxy sees the VMs' output diverge.
    { weight: 3, arbitrary: fc.integer({ min: 1_000_000, max: 20_000_000_000 }).map((ticks): Step => ({ do: 'wait', ticks })) },
  );
}

/** Steps a careless operator or a bug elsewhere might issue. */
function misuseArbitrary(shape: StepShape): fc.Arbitrary<Step> {
  return fc.oneof(
    fc.tuple(side, fc.option(side, { nil: undefined })).map(([s, mode]): Step => compact({ do: 'start', side: s, mode })),
    fc.constant<Step>({ do: 'start', side: 'both' }),
    fc.tuple(side, fc.boolean()).map(([s, failover]): Step => ({ do: 'stop', side: s, failover })),
    side.map((s): Step => ({ do: 'checkpoint', side: s })),
    fc.constant<Step>({ do: 'failover', lost: 'secondary' }),
    fc.tuple(side, diskArbitrary(shape)).map(([s, disk]): Step => compact({ do: 'close', side: s, disk })),
    read(shape, 'secondary', 'disk'),
  );
}

function concurrentArbitrary(shape: StepShape): fc.Arbitrary<Step> {
  const member = fc.oneof(
    { weight: 8, arbitrary: ioStepArbitrary(shape) },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'both' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'failover' }) },
  );
  return fc.array(member, { minLength: 2, maxLength: 4 }).map((steps): Step => ({ do: 'concurrent', steps }));
}

export function stepArbitrary(shape: StepShape): fc.Arbitrary<ScenarioStep> {
  return fc.oneof(
    { weight: 60, arbitrary: ioStepArbitrary(shape) },
    { weight: 18, arbitrary: controlArbitrary() },
    { weight: 12, arbitrary: concurrentArbitrary(shape) },
    { weight: 4, arbitrary: read(shape, 'secondary', 'disk') },
    { weight: 6, arbitrary: misuseArbitrary(shape) },
  );
}

/** How a case begins: almost always as COLO does (secondary, then primary), sometimes not. */
export function openingArbitrary(shape: StepShape): fc.Arbitrary<ScenarioStep[]> {
  return fc.oneof(
    { weight: 17, arbitrary: fc.constant<ScenarioStep[]>([{ do: 'start', side: 'both' }]) },
    { weight: 3, arbitrary: fc.array(fc.oneof(misuseArbitrary(shape), ioStepArbitrary(shape)), { minLength: 1, maxLength: 3 }).map((s) => [...s, { do: 'start', side: 'both' } as ScenarioStep]) },
  );
}

