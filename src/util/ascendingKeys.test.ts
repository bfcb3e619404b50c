import { describe, expect, it } from 'vitest';
import { ascendingKeys } from './ascendingKeys.js';

describe('ascendingKeys', () => {
  it('a map of number keys in any order comes back ascending, as numbers (not as strings), by insertion or by sort', () => {
    const map = new Map<number, number>([[10, 1], [2, 1], [0, 1], [100, 1], [9, 1], [4096, 1], [9, 2]]);
    expect(ascendingKeys(map)).toEqual([0, 2, 9, 10, 100, 4096]);
    expect(ascendingKeys(new Map())).toEqual([]);
    const many = new Map<number, number>();
    for (let i = 0; i < 40; i++) many.set((i * 37) % 41, i);
    expect(ascendingKeys(many)).toEqual([...many.keys()].sort((a, b) => a - b));
    expect(ascendingKeys(many).slice(0, 4)).toEqual([0, 1, 2, 3]);
    const few = new Map<number, number>([[5, 0], [4, 0], [3, 0], [2, 0], [1, 0]]);
    expect(ascendingKeys(few)).toEqual([1, 2, 3, 4, 5]);
  });
});
