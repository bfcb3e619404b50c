/* ByteSet: the union and equality of byte sets against their definitions (a Set sorted, element by element). */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ANY_BYTE, sameBytes, unionBytes } from './ByteSet.js';

const reference = (a: readonly number[], b: readonly number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
const sortedSet = fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((s) => s.sort((x, y) => x - y));

describe('ByteSet', () => {
  test('unionBytes of sorted sets is their sorted union', () => {
    expect(unionBytes([1, 4, 9], [2, 4, 10])).toEqual([1, 2, 4, 9, 10]);
    expect(unionBytes([], [5])).toEqual([5]);
    fc.assert(
      fc.property(sortedSet, sortedSet, (a, b) => {
        const union = unionBytes(a, b);
        expect(union).toEqual(a.length === 256 || b.length === 256 ? ANY_BYTE : reference(a, b));
        if (sameBytes(a, b)) expect(union).toBe(a);
      }),
      { numRuns: 500, seed: 512 },
    );
  });
  test('unionBytes of unsorted or repeating arrays still gives the sorted union', () => {
    expect(unionBytes([7, 3], [5])).toEqual([3, 5, 7]);
    expect(unionBytes([2, 2], [1])).toEqual([1, 2]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), (a, b) => {
        expect(unionBytes(a, b)).toEqual(sameBytes(a, b) ? a : reference(a, b));
      }),
      { numRuns: 500, seed: 513 },
    );
  });
  test('sameBytes compares element by element', () => {
    expect([sameBytes([1, 2], [1, 2]), sameBytes([1, 2], [1, 3]), sameBytes([1], [1, 2]), sameBytes([], [])]).toEqual([true, false, false, true]);
    fc.assert(
      fc.property(sortedSet, sortedSet, (a, b) => {
        expect(sameBytes(a, b)).toBe(a.length === b.length && a.every((v, i) => v === b[i]));
        expect(sameBytes(a, [...a])).toBe(true);
      }),
      { numRuns: 500, seed: 514 },
    );
  });
});
