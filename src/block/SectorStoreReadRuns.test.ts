/*
 * readInto copies runs of neighbouring chunks in one call (background, zeroed, and written chunks
 * in consecutive slots of one slab): a read across every kind of boundary between those runs must
 * return, byte for byte, what a chunk-at-a-time copy returns.
 */
import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, SectorStore } from './SectorStore.js';

const KiB = 1024;

/** Distinct bytes, so that a piece copied from the wrong place cannot go unnoticed. */
function noise(bytes: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + seed * 17 + (i >> 9)) % 251);
}

describe('SectorStore.readInto over runs of chunks', () => {
  it('reads background, zeroed, consecutive and scattered chunks, across slab edges, as written', () => {
    const size = 256 * KiB;
    const store = new SectorStore(size, 0x5a);
    const expected = new Uint8Array(size).fill(0x5a);
    const put = (offset: number, data: Uint8Array): void => {
      store.write(offset, data);
      expected.set(data, offset);
    };
    // Chunks 8..13 written in order: slots 0..3 fill the first slab (4 chunks), 4..5 start the next.
    put(8 * CHUNK_SIZE, noise(6 * CHUNK_SIZE, 1));
    // Chunks 3 and 2, written in reverse: neighbours on disk, not in slab order.
    put(3 * CHUNK_SIZE, noise(CHUNK_SIZE, 2));
    put(2 * CHUNK_SIZE, noise(CHUNK_SIZE, 3));
    // A zeroed run inside the written one, and a zeroed chunk of background.
    store.zero(10 * CHUNK_SIZE, 2 * CHUNK_SIZE);
    expected.fill(0, 10 * CHUNK_SIZE, 12 * CHUNK_SIZE);
    store.zero(20 * CHUNK_SIZE, CHUNK_SIZE);
    expected.fill(0, 20 * CHUNK_SIZE, 21 * CHUNK_SIZE);
    // A sector inside a chunk of background.
    put(30 * CHUNK_SIZE + 1024, noise(512, 4));

    expect(store.read(0, size)).toEqual(expected);
    // Unaligned to chunks at both ends, and into an offset of the destination.
    const dest = new Uint8Array(40 * CHUNK_SIZE).fill(0xee);
    store.readInto(2 * CHUNK_SIZE + 1536, dest, 512, 30 * CHUNK_SIZE - 3072);
    const want = new Uint8Array(40 * CHUNK_SIZE).fill(0xee);
    want.set(expected.subarray(2 * CHUNK_SIZE + 1536, 32 * CHUNK_SIZE - 1536), 512);
    expect(dest).toEqual(want);
  });
});
