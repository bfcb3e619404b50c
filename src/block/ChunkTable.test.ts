/*
 * ChunkTable answers as a Map of chunk index to slot or marker would, dense or not: absent chunks
 * (also past the disk's end) are undefined, every slot and marker value comes back as set, clear
 * forgets everything, and the keys come out ascending.
 */
import { describe, expect, it } from 'vitest';
import { ChunkTable } from './ChunkTable.js';

describe.each([
  ['dense', 8192],
  ['a Map', 16],
  ['a Map (huge disk)', 1 << 20],
])('ChunkTable (%s)', (_kind, chunks) => {
  it('keeps what is set like a Map, and forgets what is deleted or cleared', () => {
    const table = new ChunkTable(chunks);
    const model = new Map<number, number>();
    const values = [0, 1, 255, (7 << 8) | 3, -1, -2, -257];
    for (let k = 0; k < 40; k++) {
      const index = (k * 7919) % chunks;
      if (k % 5 === 4) {
        table.delete(index);
        model.delete(index);
      } else {
        table.set(index, values[k % values.length]!);
        model.set(index, values[k % values.length]!);
      }
    }
    for (let index = 0; index < Math.min(chunks, 9000); index++) {
      expect([table.get(index), table.has(index)]).toEqual([model.get(index), model.has(index)]);
    }
    expect([table.get(chunks), table.get(-1)]).toEqual([undefined, undefined]);
    expect(table.sortedKeys()).toEqual([...model.keys()].sort((a, b) => a - b));
    table.clear();
    expect([table.sortedKeys(), table.get(values.length)]).toEqual([[], undefined]);
  });
});
