/*
 * The data model's rules for outcomes a single step does not determine, on hand-computed cases with
 * exact byte sets: the copy into hidden at the backup job's report, padding bytes left undefined,
 * the envelope of a race, and narrowing once the engine's bytes are seen.
 */
import { describe, expect, test } from 'vitest';
import { ANY_BYTE, admits, unionBytes } from './ByteSet.js';
import { adoptCopyState, adoptRace, NARROW_RUNS_MAX, narrowDisk } from './Observation.js';
import { copyBeforeWriteIsolates, primaryEnvelope, secondaryEnvelope } from './RaceEnvelope.js';
import { type DataOp, applyDataOps, exactRuns, initialData, secondaryDisk, secondaryView } from './ReplicationData.js';

const C = 65536;
const start: DataOp = { kind: 'secondary-start', checkpoint: 'ok' };
const forwarded = (offset: number, length: number, pattern: number, forward: 'ok' | 'failed' = 'ok'): DataOp => ({ kind: 'primary-write', offset, length, pattern, local: 'ok', forward });

describe('ByteSet', () => {
  test('any byte absorbs every union and admits every byte', () => {
    expect(unionBytes([3], ANY_BYTE)).toBe(ANY_BYTE);
    expect(unionBytes([7, 3], [5])).toEqual([3, 5, 7]);
    expect([admits(ANY_BYTE, 0), admits(ANY_BYTE, 255), admits([1, 2], 3)]).toEqual([true, true, false]);
  });
});

describe('a copy into hidden counts from the backup job report', () => {
  test('a forwarded write that copied cluster 0 and then failed leaves the copy in H (the seed 1 / seed 51 false positive)', () => {
    const d = applyDataOps(initialData(4 * C, 0x11), [
      start,
      { kind: 'cluster-copied', offset: 0, length: C },
      forwarded(0, 512, 0x22, 'failed'),
      { kind: 'backup-job-ended' },
      forwarded(0, 512, 0x33),
    ]);
    // Without copy-before-write the 0x33 reaches S only; the view still reads the copy in H.
    expect(exactRuns(secondaryDisk(d, 0, C))).toEqual([
      [0x33, 512],
      [0x11, C - 512],
    ]);
    expect(exactRuns(secondaryView(d, 0, C))).toEqual([[0x11, C]]);
  });

  test('a second report for a copied cluster copies nothing', () => {
    const d = applyDataOps(initialData(2 * C, 0x11), [start, forwarded(0, 512, 0x22), { kind: 'cluster-copied', offset: 0, length: C }]);
    expect(exactRuns(secondaryView(d, 0, C))).toEqual([[0x11, C]]);
  });

  test('a cluster maybe copied is copied only when the job reports it', () => {
    const running = applyDataOps(initialData(2 * C, 0x11), [start]);
    const maybe = adoptCopyState(running, 0, C, true);
    // No report: the write reaches S and the view shows it (the engine's bitmap said copied).
    expect(exactRuns(secondaryView(applyDataOps(maybe, [forwarded(0, 512, 0x22)]), 0, 1024))).toEqual([
      [0x22, 512],
      [0x11, 512],
    ]);
    // A report first: H holds the old bytes.
    const reported = applyDataOps(maybe, [{ kind: 'cluster-copied', offset: 0, length: C }, forwarded(0, 512, 0x22)]);
    expect(exactRuns(secondaryView(reported, 0, 1024))).toEqual([[0x11, 1024]]);
    // An armed cluster: the rule copies before the write.
    expect(exactRuns(secondaryView(applyDataOps(adoptCopyState(running, 0, C, false), [forwarded(0, 512, 0x22)]), 0, 1024))).toEqual([[0x11, 1024]]);
  });
});

describe('undefined padding bytes', () => {
  test('an unaligned forwarded write whose padding read failed: the rest of its edge sectors admit any byte', () => {
    const d = applyDataOps(initialData(2 * C, 0x11), [
      start,
      {
        kind: 'primary-write',
        offset: 1000,
        length: 100,
        pattern: 0x22,
        local: 'ok',
        forward: 'ok',
        undefinedBytes: [
          { offset: 512, length: 488 },
          { offset: 1100, length: 436 },
        ],
      },
    ]);
    expect(secondaryDisk(d, 0, 2048)).toEqual([
      { offset: 0, length: 512, values: [0x11] },
      { offset: 512, length: 488, values: ANY_BYTE },
      { offset: 1000, length: 100, values: [0x22] },
      { offset: 1100, length: 436, values: ANY_BYTE },
      { offset: 1536, length: 512, values: [0x11] },
    ]);
    // Copy-before-write kept the view: it never sees the padding.
    expect(exactRuns(secondaryView(d, 0, 2048))).toEqual([[0x11, 2048]]);
  });
});

describe('the envelope of a race', () => {
  const before = applyDataOps(initialData(2 * C, 0x11), [start, { kind: 'secondary-write', offset: 0, length: 512, pattern: 0x33, result: 'ok' }]);
  const after = applyDataOps(before, [{ kind: 'checkpoint', result: 'ok' }, forwarded(512, 512, 0x22)]);

  test('secondary layers: any value a layer held at that offset before or after, or a pattern written', () => {
    expect(secondaryEnvelope(before, after, 0, 1024, [0x22, 0x44]).intervals()).toEqual([
      { start: 0, end: 512, value: [0x11, 0x22, 0x33, 0x44] },
      { start: 512, end: 1024, value: [0x11, 0x22, 0x44] },
    ]);
  });

  test('a race that emptied a buffer also admits zeros (a cluster linked to an emptied image)', () => {
    expect(secondaryEnvelope(before, after, 512, 1024, [0x22], true).intervals()).toEqual([{ start: 512, end: 1024, value: [0x00, 0x11, 0x22] }]);
  });

  test('copy-before-write isolates a primary write only while it runs, and not over a maybe-copied cluster', () => {
    const running = applyDataOps(initialData(2 * C, 0x11), [start]);
    const maybe = adoptCopyState(running, C, 2 * C, true);
    expect([copyBeforeWriteIsolates(running, 0, 512), copyBeforeWriteIsolates(maybe, 0, 512), copyBeforeWriteIsolates(maybe, C - 512, 1024)]).toEqual([true, true, false]);
    expect(copyBeforeWriteIsolates(applyDataOps(running, [{ kind: 'backup-job-ended' }]), 0, 512)).toBe(false);
  });

  test('the primary disk: its own values and the primary patterns, never the secondary buffers', () => {
    // The SVM's 0x33 in A at [0, 512) is not admitted on the primary disk.
    expect(primaryEnvelope(before, after, 0, 1024, [0x22]).intervals()).toEqual([{ start: 0, end: 1024, value: [0x11, 0x22] }]);
  });
});

describe('narrowing by observation', () => {
  const failed = applyDataOps(initialData(2 * C, 0x11), [{ kind: 'primary-write', offset: 0, length: 1024, pattern: 0x22, local: 'failed', forward: 'not-sent' }]);

  test('an old-or-new range takes the bytes the engine holds', () => {
    const seen = new Uint8Array(1024).fill(0x22, 0, 512).fill(0x11, 512);
    expect(narrowDisk(failed, 'primary', { offset: 0, bytes: seen }).primary.slice(0, 2048)).toEqual([
      { start: 0, end: 512, value: [0x22] },
      { start: 512, end: 2048, value: [0x11] },
    ]);
  });

  test(`bytes with more than ${NARROW_RUNS_MAX} runs (PRNG padding) leave the set as it is`, () => {
    const seen = Uint8Array.from({ length: 1024 }, (_, i) => (i % 2 === 0 ? 0x11 : 0x22));
    expect(narrowDisk(failed, 'primary', { offset: 0, bytes: seen }).primary.slice(0, 1024)).toEqual([{ start: 0, end: 1024, value: [0x11, 0x22] }]);
  });

  test('after a race, a sector of PRNG bytes is taken as any byte, its plain neighbour exactly', () => {
    const seen = new Uint8Array(1024).fill(0x44);
    for (let i = 0; i < 512; i++) seen[i] = (i * 37) & 0xff;
    const adopted = adoptRace(initialData(2 * C, 0x11), 0, 1024, { secondary: { offset: 0, bytes: seen } });
    expect(adopted.secondary.slice(0, 2048)).toEqual([
      { start: 0, end: 512, value: ANY_BYTE },
      { start: 512, end: 1024, value: [0x44] },
      { start: 1024, end: 2048, value: [0x11] },
    ]);
  });

  test('after a race, buffers take the engine allocated runs and S its bytes', () => {
    const running = applyDataOps(initialData(2 * C, 0x11), [start, { kind: 'secondary-write', offset: 0, length: 512, pattern: 0x33, result: 'ok' }]);
    const adopted = adoptRace(running, 0, C, { secondary: { offset: 0, bytes: new Uint8Array(C).fill(0x44) }, active: [], hidden: [{ offset: 0, bytes: new Uint8Array(512).fill(0x55) }] });
    expect([adopted.active.intervals(), adopted.hidden.intervals()]).toEqual([[], [{ start: 0, end: 512, value: [0x55] }]]);
    expect(exactRuns(secondaryView(adopted, 0, 1024))).toEqual([
      [0x55, 512],
      [0x44, 512],
    ]);
  });
});
