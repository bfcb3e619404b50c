/*
 * The data model on hand-computed cases (exact bytes, 64 KiB clusters): the peer suite's failover
 * case, partial-cluster copy-before-write, COW across checkpoints, SVM then primary writes to one
 * cluster, FAILOVER_FAILED's split writes and constrained secondary disk, and the ways the view
 * stops being protected (backup job gone, stop without failover, a write racing the commit).
 */
import { describe, expect, test } from 'vitest';
import {
  type DataOp,
  type ReplicationData,
  applyDataOp,
  applyDataOps,
  bufferDisk,
  exactRuns,
  initialData,
  primaryDisk,
  secondaryDisk,
  secondaryView,
} from './ReplicationData.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const start: DataOp = { kind: 'secondary-start', checkpoint: 'ok' };
const pw = (offset: number, length: number, pattern: number, forward: 'ok' | 'failed' | 'not-sent' = 'ok'): DataOp => ({
  kind: 'primary-write',
  offset,
  length,
  pattern,
  local: 'ok',
  forward,
});
const sw = (offset: number, length: number, pattern: number, result: 'ok' | 'rejected' | 'failed' = 'ok'): DataOp => ({ kind: 'secondary-write', offset, length, pattern, result });
const failover: DataOp = { kind: 'secondary-stop', failover: true };
const checkpoint: DataOp = { kind: 'checkpoint', result: 'ok' };

const view = (d: ReplicationData) => exactRuns(secondaryView(d, 0, d.sizeBytes));
const disk = (d: ReplicationData) => exactRuns(secondaryDisk(d, 0, d.sizeBytes));
const primary = (d: ReplicationData) => exactRuns(primaryDisk(d, 0, d.sizeBytes));

describe('test-replication secondary/stop (reference §7 case 10, §11)', () => {
  const half = 2 * MiB;
  const running = applyDataOps(initialData(4 * MiB, 0x11), [start, pw(half, half, 0x22), sw(0, half, 0x33)]);
  test('before failover the SVM sees its own write and the checkpointed 0x11, not the primary 0x22', () => {
    expect(view(running)).toEqual([
      [0x33, half],
      [0x11, half],
    ]);
    expect(disk(running)).toEqual([
      [0x11, half],
      [0x22, half],
    ]);
  });
  test('while the commit runs the secondary disk holds old or committed bytes', () => {
    const committing = applyDataOp(running, failover);
    expect(secondaryDisk(committing, 0, 4 * MiB)).toEqual([
      { offset: 0, length: half, values: [0x11, 0x33] },
      { offset: half, length: half, values: [0x11, 0x22] },
    ]);
    expect(exactRuns(secondaryDisk(committing, 0, 4 * MiB))).toBeUndefined();
  });
  test('after the commit the view is still 0x33 | 0x11 (the un-checkpointed 0x22 is gone) and the disk equals it', () => {
    const promoted = applyDataOps(running, [failover, { kind: 'commit-ended', ok: true }]);
    const expected = [
      [0x33, half],
      [0x11, half],
    ];
    expect([promoted.stage, view(promoted), disk(promoted)]).toEqual(['promoted', expected, expected]);
    expect(primary(promoted)).toEqual([
      [0x11, half],
      [0x22, half],
    ]);
    expect([bufferDisk(promoted, 'active'), bufferDisk(promoted, 'hidden')]).toEqual([[], []]);
  });
});

describe('copy-before-write (reference §5)', () => {
  test('a 512-byte primary write copies its whole 64 KiB cluster once; later writes to it copy nothing', () => {
    let d = applyDataOps(initialData(MiB, 0x11), [start, pw(66048, 512, 0x22)]);
    expect(bufferDisk(d, 'hidden')).toEqual([{ offset: 65536, length: 65536, values: [0x11] }]);
    d = applyDataOps(d, [pw(69632, 512, 0x33), pw(130560, 1024, 0x44)]);
    /* The third write reaches into cluster 2 and copies it; cluster 1 is not copied again. */
    expect(bufferDisk(d, 'hidden')).toEqual([{ offset: 65536, length: 131072, values: [0x11] }]);
    expect(bufferDisk(d, 'active')).toEqual([]);
    expect(view(d)).toEqual([[0x11, MiB]]);
    const written = [
      [0x11, 66048],
      [0x22, 512],
      [0x11, 3072],
      [0x33, 512],
      [0x11, 60416],
      [0x44, 1024],
      [0x11, 916992],
    ];
    expect(disk(d)).toEqual(written);
    const checkpointed = applyDataOp(d, checkpoint);
    expect([view(checkpointed), bufferDisk(checkpointed, 'hidden')]).toEqual([written, []]);
  });

  test('a checkpoint re-arms: the next epoch copies the cluster again, with the new content', () => {
    let d = applyDataOps(initialData(256 * KiB, 0x11), [start, pw(0, 4096, 0x22)]);
    expect(view(d)).toEqual([[0x11, 256 * KiB]]);
    d = applyDataOps(d, [checkpoint, pw(4096, 4096, 0x44)]);
    expect(bufferDisk(d, 'hidden')).toEqual([
      { offset: 0, length: 4096, values: [0x22] },
      { offset: 4096, length: 61440, values: [0x11] },
    ]);
    d = applyDataOp(d, pw(8192, 4096, 0x55));
    const seen = [
      [0x22, 4096],
      [0x11, 258048],
    ];
    expect(view(d)).toEqual(seen);
    const promoted = applyDataOps(d, [failover, { kind: 'commit-ended', ok: true }]);
    expect([view(promoted), disk(promoted)]).toEqual([seen, seen]);
    expect(primary(promoted)).toEqual([
      [0x22, 4096],
      [0x44, 4096],
      [0x55, 4096],
      [0x11, 249856],
    ]);
  });

  test('SVM then primary write to one cluster: active holds the whole cluster, the failover keeps the SVM view', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 4096, 0x44), pw(8192, 4096, 0x55)]);
    expect(bufferDisk(d, 'active')).toEqual([
      { offset: 0, length: 4096, values: [0x44] },
      { offset: 4096, length: 61440, values: [0x11] },
    ]);
    expect(bufferDisk(d, 'hidden')).toEqual([{ offset: 0, length: 65536, values: [0x11] }]);
    const promoted = applyDataOps(d, [failover, { kind: 'commit-ended', ok: true }]);
    expect(disk(promoted)).toEqual([
      [0x44, 4096],
      [0x11, 258048],
    ]);
    expect(primary(promoted)).toEqual([
      [0x11, 8192],
      [0x55, 4096],
      [0x11, 249856],
    ]);
  });

  test('a forwarded write that never arrived (link down) changes the primary disk only', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, pw(0, 4096, 0x22, 'failed')]);
    expect([disk(d), bufferDisk(d, 'hidden'), primary(d)]).toEqual([
      [[0x11, 256 * KiB]],
      [],
      [
        [0x22, 4096],
        [0x11, 258048],
      ],
    ]);
  });
});

describe('FAILOVER_FAILED (reference §2.4 split write, §6 invariant 7)', () => {
  const failed = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 4096, 0x66), pw(65536, 4096, 0x77), failover, { kind: 'commit-ended', ok: false }]);
  test('the view stays exact; under active and hidden the secondary disk may hold old or committed bytes', () => {
    expect(view(failed)).toEqual([
      [0x66, 4096],
      [0x11, 258048],
    ]);
    expect(secondaryDisk(failed, 0, 256 * KiB)).toEqual([
      { offset: 0, length: 4096, values: [0x11, 0x66] },
      { offset: 4096, length: 61440, values: [0x11] },
      { offset: 65536, length: 4096, values: [0x11, 0x77] },
      { offset: 69632, length: 192512, values: [0x11] },
    ]);
  });
  test('a write split by allocation: allocated clusters go to active, the rest straight to the secondary disk', () => {
    const d = applyDataOp(failed, sw(61440, 73728, 0x88));
    expect(view(d)).toEqual([
      [0x66, 4096],
      [0x11, 57344],
      [0x88, 73728],
      [0x11, 126976],
    ]);
    expect(secondaryDisk(d, 0, 256 * KiB)).toEqual([
      { offset: 0, length: 4096, values: [0x11, 0x66] },
      { offset: 4096, length: 61440, values: [0x11] },
      { offset: 65536, length: 4096, values: [0x11, 0x77] },
      { offset: 69632, length: 61440, values: [0x11] },
      { offset: 131072, length: 4096, values: [0x88] },
      { offset: 135168, length: 126976, values: [0x11] },
    ]);
    expect(bufferDisk(d, 'active')).toEqual([
      { offset: 0, length: 4096, values: [0x66] },
      { offset: 4096, length: 57344, values: [0x11] },
      { offset: 61440, length: 69632, values: [0x88] },
    ]);
  });
});

describe('when the view is no longer protected', () => {
  test('the backup job ended: a primary write shows through to the SVM', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, { kind: 'backup-job-ended' }, pw(0, 4096, 0x99)]);
    expect(view(d)).toEqual([
      [0x99, 4096],
      [0x11, 258048],
    ]);
  });
  test('stop without failover: the chain stays, primary writes show where active and hidden do not shadow', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 512, 0x33), { kind: 'secondary-stop', failover: false }, pw(0, 69632, 0xaa)]);
    expect([d.stage, view(d)]).toEqual([
      'stopped',
      [
        [0x33, 512],
        [0x11, 65024],
        [0xaa, 4096],
        [0x11, 192512],
      ],
    ]);
  });
  test('a forwarded write racing the commit: under active the disk (and the promoted view) may hold either', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 4096, 0x33), failover, pw(0, 512, 0xbb), pw(131072, 4096, 0xcc), { kind: 'commit-ended', ok: true }]);
    expect(secondaryView(d, 0, 256 * KiB)).toEqual([
      { offset: 0, length: 512, values: [0x33, 0xbb] },
      { offset: 512, length: 3584, values: [0x33] },
      { offset: 4096, length: 126976, values: [0x11] },
      { offset: 131072, length: 4096, values: [0xcc] },
      { offset: 135168, length: 126976, values: [0x11] },
    ]);
    expect(view(d)).toBeUndefined();
  });
  test('a secondary write that failed below leaves each sector old or new', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 4096, 0x33, 'failed')]);
    expect(secondaryView(d, 0, 8192)).toEqual([
      { offset: 0, length: 4096, values: [0x11, 0x33] },
      { offset: 4096, length: 4096, values: [0x11] },
    ]);
  });
  test('a checkpoint whose hidden make_empty failed empties active only', () => {
    const d = applyDataOps(initialData(256 * KiB, 0x11), [start, sw(0, 4096, 0x33), pw(65536, 512, 0x22), { kind: 'checkpoint', result: 'hidden-not-emptied' }]);
    expect([bufferDisk(d, 'active'), bufferDisk(d, 'hidden')]).toEqual([[], [{ offset: 65536, length: 65536, values: [0x11] }]]);
    /* The view now reads hidden's stale copy for cluster 1: QEMU returned the error to say so. */
    expect(view(d)).toEqual([[0x11, 256 * KiB]]);
  });
});

describe('what the model refuses', () => {
  const fresh = initialData(256 * KiB, 0x11);
  test('operations the node cannot report in that stage', () => {
    expect(() => applyDataOp(fresh, { kind: 'commit-ended', ok: true })).toThrow('commit-ended: impossible while the secondary is none');
    expect(() => applyDataOps(fresh, [start, start])).toThrow('secondary-start: impossible while the secondary is running');
    expect(() => applyDataOp(fresh, sw(0, 512, 0x33))).toThrow('secondary-write: the node fails every write before start');
    expect(() => applyDataOps(fresh, [start, { kind: 'backup-job-ended' }, checkpoint])).toThrow('checkpoint: a checkpoint without a backup job');
  });
  test('ranges outside the disk and sizes that are not whole sectors', () => {
    expect(() => applyDataOp(fresh, pw(256 * KiB - 512, 1024, 0x22))).toThrow(RangeError);
    expect(() => secondaryView(fresh, 0, 0)).toThrow(RangeError);
    expect(() => initialData(1000, 0x11)).toThrow(RangeError);
  });
  test('a rejected SVM write changes nothing', () => {
    const d = applyDataOps(fresh, [start]);
    expect(applyDataOp(d, sw(0, 512, 0x33, 'rejected'))).toBe(d);
  });
});
