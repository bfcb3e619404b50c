/*
 * What VerifiedChunks.held remembers, read back through toCompare with a stand-in node whose peek
 * stamps are all older than the comparison: exactly the whole chunks one expected run covered are
 * left out, across run edges, partial chunks at either end and 1 MiB pages.
 */
import { describe, expect, it } from 'vitest';
import type { ExpectedRun } from '../../models/data/ReplicationData.js';
import type { BlockNode } from '../block/BlockNode.js';
import { nextTick } from '../block/WriteClock.js';
import { VerifiedChunks } from './VerifiedChunks.js';

const K = 4096;

/** A node that nothing changed since the clock's start: every stamp 0 (below any tick held at). */
const unchanged = { peekStamps: () => undefined } as unknown as BlockNode;

/** A node changed now: every stamp the next tick. */
function changedNow(): BlockNode {
  const tick = nextTick();
  return { peekStamps: (_o: number, _b: number, into: Float64Array, _base: number) => into.fill(tick) } as unknown as BlockNode;
}

function run(offset: number, length: number, ...values: number[]): ExpectedRun {
  return { offset, length, values };
}

describe('VerifiedChunks.held', () => {
  it('remembers the whole chunks of each run, not one a run edge or an end of the range cuts', () => {
    nextTick();
    const memo = new VerifiedChunks();
    const r = { offset: 512, bytes: 10 * K };
    // Chunk 0 is partial (the range starts at 512), the edge at 3.5 chunks cuts chunk 3, chunk 10 is partial; the wide run over chunk 6 holds it too.
    const expected = [run(512, 3.5 * K - 512, 1), run(3.5 * K, 2.5 * K, 2), run(6 * K, K, 3, 4), run(7 * K, 3 * K + 512, 2)];
    memo.held(r, expected);
    expect(memo.toCompare(unchanged, r, expected)).toEqual([
      { offset: 512, bytes: K - 512 },
      { offset: 3 * K, bytes: K },
      { offset: 10 * K, bytes: 512 },
    ]);
    expect(memo.toCompare(changedNow(), r, expected)).toEqual([r]);
  });

  it('leaves out a chunk only where the model allows the same set again', () => {
    nextTick();
    const memo = new VerifiedChunks();
    const r = { offset: 0, bytes: 4 * K };
    memo.held(r, [run(0, 4 * K, 7)]);
    expect(memo.toCompare(unchanged, r, [run(0, 2 * K, 7), run(2 * K, 2 * K, 8)])).toEqual([{ offset: 2 * K, bytes: 2 * K }]);
    expect(memo.toCompare(unchanged, r, [run(0, 4 * K, 8)])).toEqual([r]);
  });

  it('spans 1 MiB pages, later comparisons overwriting earlier ones', () => {
    nextTick();
    const memo = new VerifiedChunks();
    const r = { offset: (1 << 20) - 2 * K, bytes: (1 << 20) + 4 * K };
    memo.held(r, [run(r.offset, r.bytes, 5)]);
    expect(memo.toCompare(unchanged, r, [run(r.offset, r.bytes, 5)])).toEqual([]);
    memo.held({ offset: 1 << 20, bytes: K }, [run(1 << 20, K, 6)]);
    expect(memo.toCompare(unchanged, r, [run(r.offset, r.bytes, 5)])).toEqual([{ offset: 1 << 20, bytes: K }]);
    expect(memo.toCompare(unchanged, { offset: 0, bytes: 8 * K }, [run(0, 8 * K, 5)])).toEqual([{ offset: 0, bytes: 8 * K }]);
  });
});
