import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markRuns } from '../block/knownRuns.js';
import { decodeRuns, encodeRuns } from './runs.js';

describe('runs', () => {
  it('encodes bytes as runs where adjacent runs never share a byte', () => {
    expect(encodeRuns(new Uint8Array([]))).toEqual([]);
    expect(encodeRuns(new Uint8Array([5]))).toEqual([[5, 1]]);
    expect(encodeRuns(new Uint8Array([0, 0, 0, 255, 255, 0, 7]))).toEqual([
      [0, 3],
      [255, 2],
      [0, 1],
      [7, 1],
    ]);
    expect(encodeRuns(new Uint8Array(1 << 20).fill(0xaa))).toEqual([[0xaa, 1 << 20]]);
  });

  it('answers the runs a buffer is marked with (knownRuns) without scanning it, as a copy of its own', () => {
    const runs: [number, number][] = [
      [3, 65536],
      [4, 512],
    ];
    // Bytes that differ from the mark show the mark is what is answered (no code marks a buffer wrongly).
    const bytes = markRuns(new Uint8Array(65536 + 512), runs);
    const encoded = encodeRuns(bytes);
    expect(encoded).toEqual(runs);
    encoded[0]![1] = 1;
    expect(runs[0]).toEqual([3, 65536]);
  });

  it('decodes back to the same bytes', () => {
    const bytes = new Uint8Array(4096);
    bytes.fill(1, 100, 612);
    bytes.fill(2, 612, 613);
    const runs = encodeRuns(bytes);
    expect(runs).toEqual([
      [0, 100],
      [1, 512],
      [2, 1],
      [0, 3483],
    ]);
    expect(decodeRuns(runs)).toEqual(bytes);
    expect(decodeRuns([])).toEqual(new Uint8Array(0));
  });

  it('handles views at any byte offset, and byte 255 (a word of all ones)', () => {
    const backing = new Uint8Array(64).fill(255);
    backing[37] = 0;
    expect(encodeRuns(backing.subarray(3, 41))).toEqual([
      [255, 34],
      [0, 1],
      [255, 3],
    ]);
  });

  it('agrees with a byte-at-a-time encoder on any bytes, any alignment', () => {
    const naive = (bytes: Uint8Array): [number, number][] => {
      const out: [number, number][] = [];
      for (const b of bytes) {
        const last = out.at(-1);
        if (last && last[0] === b) last[1]++;
        else out.push([b, 1]);
      }
      return out;
    };
    // Few distinct values and long stretches, so runs cross word boundaries.
    const chunk = fc.tuple(fc.constantFrom(0, 1, 255), fc.integer({ min: 1, max: 40 }));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 20 }), fc.integer({ min: 0, max: 7 }), (chunks, shift) => {
        const bytes = decodeRuns(chunks.map(([v, n]) => [v, n]));
        const shifted = new Uint8Array(bytes.length + shift);
        shifted.set(bytes, shift);
        const view = shifted.subarray(shift);
        const runs = encodeRuns(view);
        expect(runs).toEqual(naive(view));
        expect(decodeRuns(runs)).toEqual(view);
      }),
      { numRuns: 300, seed: 61 },
    );
  });
});
