import { describe, expect, it } from 'vitest';
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
});
