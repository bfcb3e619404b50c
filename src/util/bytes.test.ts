import { describe, expect, it } from 'vitest';
import { indexOfOther } from './bytes.js';

/** The reference answer, one byte at a time. */
function naive(bytes: Uint8Array, from: number, to: number, value: number): number {
  let i = from;
  while (i < to && bytes[i] === value) i++;
  return i;
}

describe('indexOfOther', () => {
  it('finds the first other byte at every distance, across chunk boundaries and unaligned views', () => {
    const size = 300_000;
    const backing = new Uint8Array(size + 3).fill(0x5a);
    const bytes = backing.subarray(3);
    const positions = [0, 1, 15, 16, 17, 271, 272, 273, 1295, 1296, 5391, 5392, 70927, 70928, 136464, 299_999];
    for (const p of positions) {
      bytes[p] = 0x5b;
      expect([p, indexOfOther(bytes, 0, size, 0x5a)]).toEqual([p, p]);
      expect(indexOfOther(bytes, 7, size, 0x5a)).toBe(p < 7 ? size : p);
      bytes[p] = 0x5a;
    }
    expect(indexOfOther(bytes, 0, size, 0x5a)).toBe(size);
    expect(indexOfOther(bytes, 100, 100, 0x5a)).toBe(100);
    expect(indexOfOther(bytes, 0, size, 0x00)).toBe(0);
  });

  it('stops at `to` even when the bytes beyond it differ, and agrees with a byte loop on mixed data', () => {
    const bytes = new Uint8Array(70_000).fill(9);
    bytes[66_000] = 1;
    expect(indexOfOther(bytes, 10, 66_000, 9)).toBe(66_000);
    expect(indexOfOther(bytes, 10, 66_001, 9)).toBe(66_000);
    for (let i = 0; i < bytes.length; i += 997) bytes[i] = i % 3 === 0 ? 9 : 4;
    for (let from = 0; from < bytes.length; from += 4999) expect(indexOfOther(bytes, from, bytes.length, 9)).toBe(naive(bytes, from, bytes.length, 9));
  });
});
