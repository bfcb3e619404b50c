/*
 * Generated fault plans, split by what replication owes: tolerated faults (latency, a lost primary
 * or secondary) must leave every invariant intact; reported faults (I/O errors on any disk or the
 * link, a dropped link, make_empty failing, the backup job dying, the commit failing part way) must
 * surface as a replication error, a named error, a guest EIO or FAILOVER_FAILED.
 */
import fc from 'fast-check';
import { diskSuffix } from '../colo/PairConfig.js';
import { CRASH_POINTS } from '../colo/crashPoints.js';
import type { Fault, IoOp } from '../sim/FaultPlan.js';
import { compact } from '../util/FieldReader.js';
import { memoizedArbitrary } from './arbitraryMemo.js';
import type { FaultMode } from './FuzzOptions.js';
import { SWARM_FAULTS, type SwarmFault } from './swarm.js';

const DISK_NODES = ['primary-disk', 'secondary-disk', 'hidden-disk', 'active-disk', 'link'] as const;

function nodeArbitrary(disks: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...DISK_NODES), fc.integer({ min: 0, max: disks - 1 })).map(([n, d]) => `${n}${diskSuffix(d)}`);
}

function latency(disks: number): fc.Arbitrary<Fault> {
  return fc
    .tuple(nodeArbitrary(disks), fc.constantFrom<IoOp | 'any'>('any', 'read', 'write', 'write-zeroes', 'flush'), fc.integer({ min: 1_000, max: 2_000_000 }))
    .map(([node, op, ticks]) => ({ kind: 'latency', node, op, ticks }));
}

function crash(): fc.Arbitrary<Fault> {
  return fc.tuple(fc.constantFrom(...CRASH_POINTS), fc.integer({ min: 0, max: 12 })).map(([point, afterHits]) => ({ kind: 'crash', point, afterHits }));
}

function ioError(disks: number, diskBytes: number): fc.Arbitrary<Fault> {
  const sectors = diskBytes / 512;
  return fc
    .record({
      node: nodeArbitrary(disks),
      op: fc.constantFrom<IoOp | 'any'>('read', 'write', 'any', 'read', 'write', 'any', 'write-zeroes', 'flush'),
      range: fc.option(fc.tuple(fc.integer({ min: 0, max: sectors - 1 }), fc.integer({ min: 1, max: 256 })), { nil: undefined }),
      afterOps: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      times: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      errno: fc.constantFrom('EIO' as const, 'EIO' as const, 'ENOSPC' as const),
    })
    .map(({ node, op, range, afterOps, times, errno }) => {
      const fault: Fault = { kind: 'io-error', node, op, errno };
      return withOptional(fault, {
        offset: range ? range[0] * 512 : undefined,
        bytes: range ? Math.min(range[1], sectors - range[0]) * 512 : undefined,
        afterOps,
        times,
      });
    });
}

/**
 * The primary's local disk is full: every write to it fails with ENOSPC, from the start or after a
 * few, for a while or for good. With replication not running (before start, after a stop) the
 * quorum's other child fails too, with EIO, and the guest's errno is then the quorum's vote between
 * two errors (quorum_vote_error); a range-bound, one-errno-in-three fault reaches that rarely.
 */
function localDiskFull(disks: number): fc.Arbitrary<Fault> {
  return fc
    .record({
      disk: fc.integer({ min: 0, max: disks - 1 }),
      afterOps: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      times: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    })
    .map(({ disk, afterOps, times }) => withOptional({ kind: 'io-error', node: `primary-disk${diskSuffix(disk)}`, op: 'write', errno: 'ENOSPC' }, { afterOps, times }));
}

function makeEmpty(disks: number): fc.Arbitrary<Fault> {
  return fc
    .tuple(fc.constantFrom('active-disk', 'hidden-disk'), fc.integer({ min: 0, max: disks - 1 }), fc.integer({ min: 0, max: 4 }))
    .map(([n, d, afterOps]) => ({ kind: 'io-error', node: `${n}${diskSuffix(d)}`, op: 'make-empty', errno: 'EIO', afterOps, times: 1 }));
}

function linkDrop(disks: number): fc.Arbitrary<Fault> {
  return fc.tuple(fc.integer({ min: 0, max: disks - 1 }), fc.integer({ min: 0, max: 30 })).map(([d, afterOps]) => ({ kind: 'link-drop', link: `link${diskSuffix(d)}`, afterOps }));
}

/** The backup job of any disk, or of one named replication node. */
function jobFail(disks: number): fc.Arbitrary<Fault> {
  const node = fc.option(fc.integer({ min: 0, max: disks - 1 }).map((d) => `replication-secondary${diskSuffix(d)}`), { nil: undefined });
  return fc.tuple(fc.integer({ min: 0, max: 20 }), node).map(([afterOps, n]) => withOptional({ kind: 'job-fail', job: 'backup' }, { afterOps, node: n }));
}

/** The commit fails part way: the secondary disk's writes fail after a few went through, or the job gives up after some chunks. */
function commitFailure(disks: number): fc.Arbitrary<Fault> {
  return fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: disks - 1 }), fc.integer({ min: 0, max: 40 }))
      .map(([d, afterOps]): Fault => ({ kind: 'io-error', node: `secondary-disk${diskSuffix(d)}`, op: 'write', errno: 'EIO', afterOps })),
    fc.integer({ min: 0, max: 3 }).map((afterOps): Fault => ({ kind: 'job-fail', job: 'commit', afterOps })),
  );
}

/**
 * A plan of up to three faults of the kinds the mode allows and the case's swarm enabled (default:
 * all of them). Every fault point is reachable: each I/O op on each node of each disk, every crash point.
 */
export function faultPlanArbitrary(mode: FaultMode, disks: number, diskBytes: number, enabled: readonly SwarmFault[] = SWARM_FAULTS): fc.Arbitrary<Fault[]> {
  return faultPlan(mode, disks, diskBytes, enabled);
}

/** One plan arbitrary per mode, disks, size and enabled kinds (arbitraryMemo.ts: building it cost as much as drawing it). */
const faultPlan = memoizedArbitrary(
  (mode: FaultMode, disks: number, diskBytes: number, enabled: readonly SwarmFault[]) => `${mode}/${disks}/${diskBytes}/${enabled.join(',')}`,
  (mode: FaultMode, disks: number, diskBytes: number, enabled: readonly SwarmFault[]) => buildFaultPlan(mode, disks, diskBytes, enabled),
);

function buildFaultPlan(mode: FaultMode, disks: number, diskBytes: number, enabled: readonly SwarmFault[]): fc.Arbitrary<Fault[]> {
  if (mode === 'none') return fc.constant([]);
  const kinds: { weight: number; arbitrary: fc.Arbitrary<Fault>; kind: SwarmFault; reported?: true }[] = [
    { weight: 2, arbitrary: latencyOf(disks), kind: 'latency' },
    { weight: 2, arbitrary: CRASH, kind: 'crash' },
    { weight: 4, arbitrary: ioErrorOf(disks, diskBytes), kind: 'io-error', reported: true },
    { weight: 1, arbitrary: localDiskFullOf(disks), kind: 'io-error', reported: true },
    { weight: 1, arbitrary: makeEmptyOf(disks), kind: 'make-empty', reported: true },
    { weight: 1, arbitrary: linkDropOf(disks), kind: 'link-drop', reported: true },
    { weight: 1, arbitrary: jobFailOf(disks), kind: 'backup-fail', reported: true },
    { weight: 3, arbitrary: commitFailureOf(disks), kind: 'commit-failure', reported: true },
  ];
  const allowed = kinds.filter((k) => enabled.includes(k.kind) && (mode === 'all' || !k.reported));
  if (allowed.length === 0) return fc.constant([]);
  return fc.array(fc.oneof(...allowed.map(({ weight, arbitrary }) => ({ weight, arbitrary }))), { maxLength: 3 });
}

/**
 * Each kind's arbitrary, remembered by what it reads (the disk count; io-error the size too): a plan
 * is keyed by the case's size and swarm, new to many cases, and its kinds were built anew with it.
 */
const perDisks = (build: (disks: number) => fc.Arbitrary<Fault>) => memoizedArbitrary((disks: number) => String(disks), build);
const latencyOf = perDisks(latency);
const localDiskFullOf = perDisks(localDiskFull);
const makeEmptyOf = perDisks(makeEmpty);
const linkDropOf = perDisks(linkDrop);
const jobFailOf = perDisks(jobFail);
const commitFailureOf = perDisks(commitFailure);
const ioErrorOf = memoizedArbitrary((disks: number, diskBytes: number) => `${disks}/${diskBytes}`, ioError);
const CRASH = crash();

function withOptional(fault: Fault, extra: Record<string, number | string | undefined>): Fault {
  return { ...fault, ...compact(extra) } as Fault;
}
