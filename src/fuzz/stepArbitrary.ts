/*
 * Generated steps: mostly what a COLO deployment does (guest writes, reads, write-zeroes, discards
 * and flushes on both sides, checkpoints, status queries, failover), plus what it should not do but
 * might (starts in the wrong order or mode, stops, checkpoints of one side, closing nodes), and
 * groups of requests in flight at once. Only the kinds the case's swarm enabled are drawn (swarm.ts).
 * Offsets are sector-aligned but not cluster-aligned, cross clusters and reach the disk's end; a few
 * are unaligned or out of range.
 */
import fc from 'fast-check';
import type { ScenarioStep, Step } from '../scenario/Scenario.js';
import { compact } from '../util/FieldReader.js';
import { idOf, memoizedArbitrary } from './arbitraryMemo.js';
import type { SwarmOp } from './swarm.js';

const SECTOR = 512;
const CLUSTER = 65536;

export interface StepShape {
  readonly diskBytes: number;
  readonly disks: number;
  /** The step kinds this case's swarm enabled (default: all). */
  readonly ops?: readonly SwarmOp[];
}

/** A weighted choice among the entries whose kind the swarm enabled (entries without a kind always count). */
type Choice<T> = { readonly weight: number; readonly arbitrary: fc.Arbitrary<T>; readonly op?: SwarmOp };

/** What an arbitrary of guest I/O depends on: the disk's size and count. */
const sized = (shape: StepShape): string => `${shape.diskBytes}/${shape.disks}`;

/**
 * Which of `kinds` the swarm enabled, as a key: a choice among kinds is keyed by the kinds it reads
 * only, so the many swarms that agree on those share one arbitrary.
 */
function enabledOf(shape: StepShape, kinds: readonly SwarmOp[]): string {
  let key = '';
  for (const kind of kinds) key += shape.ops === undefined || shape.ops.includes(kind) ? '1' : '0';
  return key;
}

const IO_KINDS: readonly SwarmOp[] = ['write-primary', 'write-secondary', 'read-secondary', 'read-primary', 'zero-primary', 'zero-secondary', 'discard-primary', 'discard-secondary', 'flush'];
const CONTROL_KINDS: readonly SwarmOp[] = ['checkpoint', 'status', 'failover', 'wait'];
const MISUSE_KINDS: readonly SwarmOp[] = ['start', 'stop', 'checkpoint-side', 'lose-secondary', 'close', 'read-secondary-disk'];
/** What a concurrent group's members read: guest I/O and the control steps that race it. */
const CONCURRENT_KINDS: readonly SwarmOp[] = [...IO_KINDS, 'checkpoint', 'failover', 'status', 'checkpoint-side', 'start', 'stop', 'close'];
/** What failoverRace and failoverWrites read. */
const FAILOVER_RACE_KINDS: readonly SwarmOp[] = ['failover', 'write-secondary', 'read-secondary', 'status', 'checkpoint-side', 'checkpoint', 'stop', 'start', 'close'];
const FAILOVER_WRITES_KINDS: readonly SwarmOp[] = ['failover', 'write-secondary'];

function pick<T>(shape: StepShape, choices: readonly Choice<T>[]): fc.Arbitrary<T> | undefined {
  const enabled = choices.filter((c) => c.op === undefined || shape.ops === undefined || shape.ops.includes(c.op));
  if (enabled.length === 0) return undefined;
  return enabled.length === 1 ? enabled[0]!.arbitrary : fc.oneof(...enabled.map(({ weight, arbitrary }) => ({ weight, arbitrary })));
}

/** An I/O range: mostly sector-aligned runs of up to three clusters, sometimes unaligned, rarely past the end. */
export const rangeArbitrary = memoizedArbitrary((shape: StepShape) => String(shape.diskBytes), (shape: StepShape): fc.Arbitrary<{ offset: number; length: number }> => {
  const sectors = shape.diskBytes / SECTOR;
  // Mostly small requests (a guest's 4-16 KiB), sometimes up to two clusters: data volume is what
  // a case costs, and crossing one cluster boundary exercises the same paths as crossing three.
  const sectorCount = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 32 }) }, { weight: 1, arbitrary: fc.integer({ min: 33, max: (2 * CLUSTER) / SECTOR }) });
  const aligned = fc
    .tuple(fc.integer({ min: 0, max: sectors - 1 }), sectorCount)
    .map(([s, n]) => ({ offset: s * SECTOR, length: Math.min(n, sectors - s) * SECTOR }));
  const atEnd = fc.integer({ min: 1, max: Math.min(sectors, CLUSTER / SECTOR) }).map((n) => ({ offset: shape.diskBytes - n * SECTOR, length: n * SECTOR }));
  const unaligned = fc
    .tuple(fc.integer({ min: 0, max: Math.max(0, shape.diskBytes - 2) }), fc.integer({ min: 1, max: 4096 }))
    .map(([offset, n]) => ({ offset, length: Math.min(n, shape.diskBytes - offset) }));
  const pastEnd = fc.integer({ min: 1, max: 8 }).map((n) => ({ offset: shape.diskBytes - SECTOR, length: (n + 1) * SECTOR }));
  return fc.oneof(
    { weight: 80, arbitrary: aligned },
    { weight: 10, arbitrary: atEnd },
    { weight: 8, arbitrary: unaligned },
    { weight: 2, arbitrary: pastEnd },
  );
});

const diskArbitrary = memoizedArbitrary(
  (shape: StepShape) => String(shape.disks),
  (shape: StepShape): fc.Arbitrary<number | undefined> => (shape.disks === 1 ? fc.constant(undefined) : fc.integer({ min: 0, max: shape.disks - 1 }).map((d) => (d === 0 ? undefined : d))),
);

const write = memoizedArbitrary(
  (shape: StepShape, vm: 'primary' | 'secondary') => `${sized(shape)}/${vm}`,
  (shape: StepShape, vm: 'primary' | 'secondary'): fc.Arbitrary<Step> =>
    fc
      .tuple(rangeArbitrary(shape), fc.integer({ min: 1, max: 255 }), diskArbitrary(shape))
      .map(([r, pattern, disk]) => compact({ do: 'write', vm, offset: r.offset, length: r.length, pattern, disk })),
);

const read = memoizedArbitrary(
  (shape: StepShape, vm: 'primary' | 'secondary', node?: 'disk') => `${sized(shape)}/${vm}/${node ?? 'vm'}`,
  (shape: StepShape, vm: 'primary' | 'secondary', node?: 'disk'): fc.Arbitrary<Step> =>
    fc.tuple(rangeArbitrary(shape), diskArbitrary(shape)).map(([r, disk]) => compact({ do: 'read', vm, offset: r.offset, length: r.length, disk, node })),
);

const side = fc.constantFrom('primary' as const, 'secondary' as const);

/**
 * Write-zeroes of a VM's disk; on the secondary sometimes of the secondary disk's NBD export, as an
 * NBD client other than the primary's replication node sends it (that node turns zero writes into
 * plain writes): the one way NBD_CMD_WRITE_ZEROES reaches the copy-before-write filter.
 */
const writeZeroes = memoizedArbitrary((shape: StepShape, vm: 'primary' | 'secondary') => `${sized(shape)}/${vm}`, (shape: StepShape, vm: 'primary' | 'secondary'): fc.Arbitrary<Step> => {
  const node = vm === 'secondary' ? fc.option(fc.constant('disk' as const), { freq: 3, nil: undefined }) : fc.constant(undefined);
  return fc
    .tuple(rangeArbitrary(shape), fc.boolean(), diskArbitrary(shape), node)
    .map(([r, unmap, disk, target]) => compact({ do: 'write-zeroes', vm, offset: r.offset, length: r.length, unmap: unmap || undefined, disk, node: target }));
});

const discard = memoizedArbitrary(
  (shape: StepShape, vm: 'primary' | 'secondary') => `${sized(shape)}/${vm}`,
  (shape: StepShape, vm: 'primary' | 'secondary'): fc.Arbitrary<Step> =>
    fc.tuple(rangeArbitrary(shape), diskArbitrary(shape)).map(([r, disk]) => compact({ do: 'discard', vm, offset: r.offset, length: r.length, disk })),
);

const flush = memoizedArbitrary(
  (shape: StepShape) => String(shape.disks),
  (shape: StepShape): fc.Arbitrary<Step> => fc.tuple(side, diskArbitrary(shape)).map(([vm, disk]) => compact({ do: 'flush', vm, disk })),
);

/** Guest I/O only: what may be in flight together (undefined when the swarm enabled none). */
export const ioStepArbitrary = memoizedArbitrary((shape: StepShape) => `${sized(shape)}/${enabledOf(shape, IO_KINDS)}`, (shape: StepShape): fc.Arbitrary<Step> | undefined =>
  pick(shape, [
    { weight: 10, arbitrary: write(shape, 'primary'), op: 'write-primary' },
    { weight: 6, arbitrary: write(shape, 'secondary'), op: 'write-secondary' },
    { weight: 6, arbitrary: read(shape, 'secondary'), op: 'read-secondary' },
    { weight: 2, arbitrary: read(shape, 'primary'), op: 'read-primary' },
    { weight: 1, arbitrary: writeZeroes(shape, 'primary'), op: 'zero-primary' },
    { weight: 1, arbitrary: writeZeroes(shape, 'secondary'), op: 'zero-secondary' },
    { weight: 1, arbitrary: discard(shape, 'primary'), op: 'discard-primary' },
    { weight: 1, arbitrary: discard(shape, 'secondary'), op: 'discard-secondary' },
    { weight: 1, arbitrary: flush(shape), op: 'flush' },
  ]),
);

/** Control steps a well-run pair sees. */
const controlArbitrary = memoizedArbitrary((shape: StepShape) => enabledOf(shape, CONTROL_KINDS), (shape: StepShape): fc.Arbitrary<Step> | undefined =>
  pick(shape, [
    { weight: 10, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'both' }), op: 'checkpoint' },
    { weight: 4, arbitrary: side.map((s): Step => ({ do: 'status', side: s })), op: 'status' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'failover' }), op: 'failover' },
    // Time between checkpoints: COLO checkpoints every x-checkpoint-delay (QEMU's default: 20 s),
    // or sooner when the network proxy sees the VMs' output diverge.
    { weight: 3, arbitrary: fc.integer({ min: 1_000_000, max: 20_000_000_000 }).map((ticks): Step => ({ do: 'wait', ticks })), op: 'wait' },
  ]),
);

/** Steps a careless operator or a bug elsewhere might issue: starts and stops of every side and mode, in any order. */
const misuseArbitrary = memoizedArbitrary((shape: StepShape) => `${sized(shape)}/${enabledOf(shape, MISUSE_KINDS)}`, (shape: StepShape): fc.Arbitrary<Step> | undefined =>
  pick(shape, [
    { weight: 1, arbitrary: fc.tuple(side, fc.option(side, { nil: undefined })).map(([s, mode]): Step => compact({ do: 'start', side: s, mode })), op: 'start' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'start', side: 'both' }), op: 'start' },
    { weight: 1, arbitrary: fc.tuple(side, fc.boolean()).map(([s, failover]): Step => ({ do: 'stop', side: s, failover })), op: 'stop' },
    { weight: 1, arbitrary: side.map((s): Step => ({ do: 'checkpoint', side: s })), op: 'checkpoint-side' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'failover', lost: 'secondary' }), op: 'lose-secondary' },
    { weight: 1, arbitrary: closeArbitrary(shape), op: 'close' },
    { weight: 1, arbitrary: read(shape, 'secondary', 'disk'), op: 'read-secondary-disk' },
  ]),
);

/**
 * Groups in flight together: guest I/O with checkpoints, status queries, failovers, starts, stops
 * and closes racing it; a failover with control steps racing its commit (failoverRace); or with
 * secondary writes going on through it (failoverWrites). A request is judged by the stage it entered
 * replication with (NodeConformance keeps the chart as it was in each stage), so a stop racing a
 * write is the race QEMU has too.
 */
function concurrentArbitrary(shape: StepShape): fc.Arbitrary<Step> | undefined {
  if (shape.ops !== undefined && !shape.ops.includes('concurrent')) return undefined;
  const group = groupArbitrary(concurrentMember(shape));
  return oneOfPresent(
    [3, 1, 3],
    [group, failoverRace(shape), failoverWrites(shape)],
  );
}

/** What a concurrent group's members are drawn from (undefined when the swarm enabled none). */
const concurrentMember = memoizedArbitrary((shape: StepShape) => `${sized(shape)}/${enabledOf(shape, CONCURRENT_KINDS)}`, (shape: StepShape): fc.Arbitrary<Step> | undefined => {
  const io = ioStepArbitrary(shape);
  return pick(shape, [
    ...(io ? [{ weight: 8, arbitrary: io }] : []),
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'both' }), op: 'checkpoint' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'failover' }), op: 'failover' },
    { weight: 1, arbitrary: side.map((s): Step => ({ do: 'status', side: s })), op: 'status' },
    { weight: 1, arbitrary: side.map((s): Step => ({ do: 'checkpoint', side: s })), op: 'checkpoint-side' },
    { weight: 1, arbitrary: fc.constantFrom('primary' as const, 'secondary' as const, 'both' as const).map((s): Step => ({ do: 'start', side: s })), op: 'start' },
    { weight: 1, arbitrary: fc.tuple(side, fc.boolean()).map(([s, failover]): Step => ({ do: 'stop', side: s, failover })), op: 'stop' },
    { weight: 1, arbitrary: closeArbitrary(shape), op: 'close' },
  ]);
});

/** A group of 2-4 members in flight together. */
const groupArbitrary = memoizedArbitrary(
  (member: fc.Arbitrary<Step> | undefined) => String(idOf(member)),
  (member: fc.Arbitrary<Step> | undefined): fc.Arbitrary<Step> | undefined => member && fc.array(member, { minLength: 2, maxLength: 4 }).map((steps): Step => ({ do: 'concurrent', steps })),
);

/**
 * A weighted choice among the arbitraries present, in order: none gives undefined, one that one
 * itself, more a oneof. Remembered by the arbitraries' identities (and the weights), which stand
 * for everything the choice draws: the many swarms that agree on its parts share one.
 */
const oneOfPresent = memoizedArbitrary(
  <T>(weights: readonly number[], arbitraries: readonly (fc.Arbitrary<T> | undefined)[]) => `${weights.join(',')}/${arbitraries.map(idOf).join(',')}`,
  <T>(weights: readonly number[], arbitraries: readonly (fc.Arbitrary<T> | undefined)[]): fc.Arbitrary<T> | undefined => {
    const choices: { weight: number; arbitrary: fc.Arbitrary<T> }[] = [];
    arbitraries.forEach((arbitrary, i) => arbitrary && choices.push({ weight: weights[i]!, arbitrary }));
    return choices.length === 0 ? undefined : choices.length === 1 ? choices[0]!.arbitrary : fc.oneof(...choices);
  },
);

/**
 * A failover with the secondary VM writing on as it takes over (what a COLO secondary does): 1-4
 * writes in flight with it, which meet the commit's start-up scan. QEMU 8.2-10.0.12 lose those
 * that land in a cluster the scan has passed (GitLab #3273); the data model admits no loss.
 */
const failoverWrites = memoizedArbitrary((shape: StepShape) => `${sized(shape)}/${enabledOf(shape, FAILOVER_WRITES_KINDS)}`, (shape: StepShape): fc.Arbitrary<Step> | undefined => {
  if (shape.ops !== undefined && !(shape.ops.includes('failover') && shape.ops.includes('write-secondary'))) return undefined;
  return fc.array(write(shape, 'secondary'), { minLength: 2, maxLength: 6 }).map((steps): Step => ({ do: 'concurrent', steps: [{ do: 'failover' }, ...steps] }));
});

/** Closes of either side's node, or (`secondaryOnly`) of the secondary's. */
const closeArbitrary = memoizedArbitrary(
  (shape: StepShape, secondaryOnly = false) => `${shape.disks}/${secondaryOnly}`,
  (shape: StepShape, secondaryOnly = false): fc.Arbitrary<Step> =>
    fc.tuple(secondaryOnly ? fc.constant('secondary' as const) : side, diskArbitrary(shape)).map(([s, disk]): Step => compact({ do: 'close', side: s, disk })),
);

/**
 * A failover with 1-3 steps racing it: status queries, checkpoints, a stop, a start or a close of
 * the secondary, secondary I/O. With a slow commit (swarm.ts) they land while the commit is copying,
 * where QEMU 7.2 ignores start, stop and checkpoint, get_error answers "not running" and close
 * cancels the commit (50ab0e0908).
 */
const failoverRace = memoizedArbitrary((shape: StepShape) => `${sized(shape)}/${enabledOf(shape, FAILOVER_RACE_KINDS)}`, (shape: StepShape): fc.Arbitrary<Step> | undefined => {
  if (shape.ops !== undefined && !shape.ops.includes('failover')) return undefined;
  const secondaryIo = pick(shape, [
    { weight: 1, arbitrary: write(shape, 'secondary'), op: 'write-secondary' },
    { weight: 1, arbitrary: read(shape, 'secondary'), op: 'read-secondary' },
  ]);
  const racer = pick(shape, [
    { weight: 3, arbitrary: side.map((s): Step => ({ do: 'status', side: s })), op: 'status' },
    { weight: 2, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'secondary' }), op: 'checkpoint-side' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'checkpoint', side: 'both' }), op: 'checkpoint' },
    { weight: 2, arbitrary: fc.boolean().map((failover): Step => ({ do: 'stop', side: 'secondary', failover })), op: 'stop' },
    { weight: 1, arbitrary: fc.constant<Step>({ do: 'start', side: 'secondary' }), op: 'start' },
    { weight: 1, arbitrary: closeArbitrary(shape, true), op: 'close' },
    ...(secondaryIo ? [{ weight: 3, arbitrary: secondaryIo }] : []),
  ]);
  if (!racer) return undefined;
  return fc.array(racer, { minLength: 1, maxLength: 3 }).map((steps): Step => ({ do: 'concurrent', steps: [{ do: 'failover' }, ...steps] }));
});

/**
 * A body step, among the kinds the swarm enabled. Its parts are remembered by the kinds each reads,
 * the choice among them by their identities (oneOfPresent): a swarm's whole set of kinds, as a
 * key, was new to nearly every case, and the step's arbitrary was built anew each time.
 */
export function stepArbitrary(shape: StepShape): fc.Arbitrary<ScenarioStep> {
  const readDisk = shape.ops === undefined || shape.ops.includes('read-secondary-disk') ? read(shape, 'secondary', 'disk') : undefined;
  const parts = [ioStepArbitrary(shape), controlArbitrary(shape), concurrentArbitrary(shape), readDisk, misuseArbitrary(shape)];
  return oneOfPresent<ScenarioStep>(STEP_WEIGHTS, parts) ?? ONLY_CHECKPOINTS;
}

const STEP_WEIGHTS: readonly number[] = [60, 18, 12, 4, 6];
const ONLY_CHECKPOINTS = fc.constant<ScenarioStep>({ do: 'checkpoint', side: 'both' });

/**
 * How a case begins: almost always as COLO does (secondary, then primary), sometimes not: other
 * steps first, the primary first, or guest I/O and status queries between the two starts.
 */
export const openingArbitrary = memoizedArbitrary(sized, (shape: StepShape): fc.Arbitrary<ScenarioStep[]> => {
  const all = { ...shape, ops: undefined };
  const before = fc.oneof(misuseArbitrary(all)!, ioStepArbitrary(all)!);
  const between = fc.oneof(ioStepArbitrary(all)!, side.map((s): Step => ({ do: 'status', side: s })), side.map((s): Step => ({ do: 'checkpoint', side: s })));
  const split = (first: 'primary' | 'secondary') =>
    fc.array(between, { maxLength: 3 }).map((mid): ScenarioStep[] => [{ do: 'start', side: first }, ...mid, { do: 'start', side: first === 'primary' ? 'secondary' : 'primary' }]);
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant<ScenarioStep[]>([{ do: 'start', side: 'both' }]) },
    { weight: 3, arbitrary: fc.array(before, { minLength: 1, maxLength: 3 }).map((s) => [...s, { do: 'start', side: 'both' } as ScenarioStep]) },
    { weight: 2, arbitrary: split('secondary') },
    { weight: 1, arbitrary: split('primary') },
  );
});
