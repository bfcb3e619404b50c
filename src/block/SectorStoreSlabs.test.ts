/*
 * The small slabs stores start with are carved from a shared arena: stores made side by side must
 * never share a byte, across arena boundaries too, and a carved slab starts as zeros.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { CHUNK_SIZE, SectorStore } from './SectorStore.js';

const KiB = 1024;

describe('SectorStore slabs from the shared arena', () => {
  it('keeps the data of many stores apart, each store\'s unwritten bytes of a chunk zero', () => {
    // 120 stores x (16 + 32 + 64) KiB of slabs: more than one 1 MiB arena.
    const stores = Array.from({ length: 120 }, () => new SectorStore(1 << 20, 0, { uniformChunks: false }));
    stores.forEach((store, i) => {
      // 28 chunks fill the first three slabs; the last write covers half a chunk only.
      store.write(0, new Uint8Array(27 * CHUNK_SIZE).fill(1 + (i % 250)));
      store.write(27 * CHUNK_SIZE, new Uint8Array(2 * KiB).fill(200));
    });
    stores.forEach((store, i) => {
      expect(encodeRuns(store.read(0, 28 * CHUNK_SIZE))).toEqual([
        [1 + (i % 250), 27 * CHUNK_SIZE],
        [200, 2 * KiB],
        [0, 2 * KiB],
      ]);
      expect(store.reservedBytes).toBe(112 * KiB);
    });
  });
});
