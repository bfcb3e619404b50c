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
import type { FaultMode } from './FuzzOptions.js';

const DISK_NODES = ['primary-disk', 'secondary-disk', 'hidden-disk', 'active-disk', 'link'] as const;

function nodeArbitrary(disks: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...DISK_NODES), fc.integer({ min: 0, max: disks - 1 })).map(([n, d]) => `${n}${diskSuffix(d)}`);
}

function latency(disks: number): fc.Arbitrary<Fault> {
  return fc
    .tuple(nodeArbitrary(disks), fc.constantFrom<IoOp | 'any'>('any', 'read', 'write'), fc.integer({ min: 1_000, max: 2_000_000 }))
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
      op: fc.constantFrom<IoOp | 'any'>('read', 'write', 'any'),
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

function makeEmpty(disks: number): fc.Arbitrary<Fault> {
  return fc
    .tuple(fc.constantFrom('active-disk', 'hidden-disk'), fc.integer({ min: 0, max: disks - 1 }), fc.integer({ min: 0, max: 4 }))
    .map(([n, d, afterOps]) => ({ kind: 'io-error', node: `${n}${diskSuffix(d)}`, op: 'make-empty', errno: 'EIO', afterOps, times: 1 }));
}

function linkDrop(disks: number): fc.Arbitrary<Fault> {
  return fc.tuple(fc.integer({ min: 0, max: disks - 1 }), fc.integer({ min: 0, max: 30 })).map(([d, afterOps]) => ({ kind: 'link-drop', link: `link${diskSuffix(d)}`, afterOps }));
}

function jobFail(): fc.Arbitrary<Fault> {
  return fc.integer({ min: 0, max: 20 }).map((afterOps) => ({ kind: 'job-fail', job: 'backup', afterOps }));
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

export function faultPlanArbitrary(mode: FaultMode, disks: number, diskBytes: number): fc.Arbitrary<Fault[]> {
  if (mode === 'none') return fc.constant([]);
  const tolerated = fc.oneof(latency(disks), crash());
  const any =
    mode === 'tolerated'
      ? tolerated
      : fc.oneof(
          { weight: 3, arbitrary: tolerated },
          { weight: 4, arbitrary: ioError(disks, diskBytes) },
          { weight: 1, arbitrary: makeEmpty(disks) },
          { weight: 1, arbitrary: linkDrop(disks) },
          { weight: 1, arbitrary: jobFail() },
          { weight: 2, arbitrary: commitFailure(disks) },
        );
  return fc.array(any, { maxLength: 3 });
}

function withOptional(fault: Fault, extra: Record<string, number | undefined>): Fault {
  return { ...fault, ...compact(extra) } as Fault;
}
