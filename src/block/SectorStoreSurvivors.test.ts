/*
 * SectorStore behaviour the mutation run (stryker-sectorstore.config.mjs) found untested: the
 * write-clock stamps a store keeps per chunk (raiseStamps, touch), writes of a slice given by its
 * start only, and the edges of the size check. Every store operation that changes a chunk takes
 * exactly one tick (WriteClock.nextTick), so currentTick() right after it is that operation's stamp.
 */
import { describe, expect, it, vi } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { CHUNK_SIZE, SectorStore } from './SectorStore.js';
import { filled } from './testing/simHelpers.js';
import { currentTick } from './WriteClock.js';

const MiB = 1 << 20;
/** Chunks in one stamp page (SectorStore's STAMP_PAGE): 1 MiB of disk. */
const PAGE = 256;

/** raiseStamps over chunks [first, first + count) into an array starting at `init`, as a plain array. */
function stamps(store: SectorStore, first: number, count: number, init = 0): number[] {
  const into = new Float64Array(count).fill(init);
  store.raiseStamps(first * CHUNK_SIZE, count * CHUNK_SIZE, into, first);
  return [...into];
}

describe('SectorStore stamps: what raiseStamps tells a checker', () => {
  it('gives every chunk the tick the store was made at until something changes it', () => {
    const store = new SectorStore(4 * MiB);
    const made = currentTick();
    expect(stamps(store, 0, 3)).toEqual([made, made, made]);
    // In a page no chunk was ever stamped in, too.
    expect(stamps(store, 3 * PAGE + 10, 2)).toEqual([made, made]);
  });

  it('moves a written chunk only, and keeps the earlier stamps of its page', () => {
    const store = new SectorStore(4 * MiB);
    const made = currentTick();
    store.write(0, filled(512, 1));
    const first = currentTick();
    store.write(CHUNK_SIZE + 512, filled(512, 2));
    const second = currentTick();
    expect(first).toBe(made + 1);
    expect(second).toBe(first + 1);
    expect(stamps(store, 0, 3)).toEqual([first, second, made]);
  });

  it('covers every chunk the byte range overlaps, a partial chunk at either end included', () => {
    const store = new SectorStore(MiB);
    const made = currentTick();
    store.write(CHUNK_SIZE, filled(2 * CHUNK_SIZE, 3));
    const w = currentTick();
    const into = new Float64Array(4);
    // [CHUNK_SIZE + 512, 3 * CHUNK_SIZE - 512) overlaps chunks 1 and 2; base 1 puts chunk 1 at into[0].
    store.raiseStamps(CHUNK_SIZE + 512, 2 * CHUNK_SIZE - 1024, into, 1);
    expect([...into]).toEqual([w, w, 0, 0]);
    const tail = new Float64Array(2);
    // [0, CHUNK_SIZE + 512) ends inside chunk 1.
    store.raiseStamps(0, CHUNK_SIZE + 512, tail, 0);
    expect([...tail]).toEqual([made, w]);
  });

  it('looks up the page of a range that starts past the first page', () => {
    const store = new SectorStore(4 * MiB);
    const made = currentTick();
    store.write((PAGE + 44) * CHUNK_SIZE, filled(512, 1));
    const w = currentTick();
    expect(stamps(store, PAGE + 44, 1)).toEqual([w]);
    // A range across the page edge: chunk PAGE - 1 is in page 0 (never stamped), PAGE + 44 in page 1.
    expect(stamps(store, PAGE - 1, 46)).toEqual([made, ...new Array(44).fill(made), w]);
    // Chunk 44 of page 0 keeps the store's tick: pages are not shared.
    expect(stamps(store, 44, 1)).toEqual([made]);
  });

  it('only raises: a later tick already in the array stays, an earlier one is replaced', () => {
    const store = new SectorStore(MiB);
    const made = currentTick();
    store.write(0, filled(512, 1));
    const w = currentTick();
    expect(stamps(store, 0, 2, w + 100)).toEqual([w + 100, w + 100]);
    expect(stamps(store, 0, 2, made)).toEqual([w, made]);
  });

  it('does not move for background bytes written over the background, which change nothing', () => {
    const store = new SectorStore(MiB, 0x33);
    const made = currentTick();
    store.write(0, filled(CHUNK_SIZE, 0x33));
    expect(currentTick()).toBe(made + 1);
    expect(stamps(store, 0, 1)).toEqual([made]);
  });

  it('moves for a zero, even of a chunk that stays sparse, and everywhere on a clear', () => {
    const store = new SectorStore(MiB);
    const made = currentTick();
    store.zero(CHUNK_SIZE, CHUNK_SIZE);
    const z = currentTick();
    expect(stamps(store, 0, 3)).toEqual([made, z, made]);
    expect(store.writtenRanges()).toEqual([]);
    store.write(2 * CHUNK_SIZE, filled(512, 1));
    store.clear();
    const c = currentTick();
    expect(stamps(store, 0, 3)).toEqual([c, c, c]);
  });

  it('touch moves the chunks the range overlaps without changing a byte or allocating', () => {
    const store = new SectorStore(MiB, 0xaa);
    const made = currentTick();
    store.touch(CHUNK_SIZE + 512, CHUNK_SIZE);
    const t = currentTick();
    expect(t).toBe(made + 1);
    // [CHUNK_SIZE + 512, 2 * CHUNK_SIZE + 512) overlaps chunks 1 and 2, not 0 or 3.
    expect(stamps(store, 0, 4)).toEqual([made, t, t, made]);
    store.touch(0, 512);
    const u = currentTick();
    expect(stamps(store, 0, 4)).toEqual([u, t, t, made]);
    expect(encodeRuns(store.read(0, 4 * CHUNK_SIZE))).toEqual([[0xaa, 4 * CHUNK_SIZE]]);
    expect([store.allocatedBytes, store.reservedBytes, store.writtenRanges()]).toEqual([0, 0, []]);
  });
});

describe('SectorStore: writes and sizes at the edges', () => {
  it('writes the rest of the source from dataOffset when no length is given', () => {
    const store = new SectorStore(MiB);
    const data = new Uint8Array(2048);
    data.fill(1, 0, 512);
    data.fill(2, 512, 2048);
    store.write(CHUNK_SIZE, data, 512);
    expect(encodeRuns(store.read(CHUNK_SIZE, 2048))).toEqual([
      [2, 1536],
      [0, 512],
    ]);
  });

  it('refuses a size that is a multiple of 512 but past the safe integers', () => {
    expect(() => new SectorStore(2 ** 60)).toThrow(new RangeError(`store size must be a multiple of 512, got ${2 ** 60}`));
    expect(new SectorStore(2 ** 52).sizeBytes).toBe(2 ** 52);
  });

  it('defaults its background to 0', () => {
    const store = new SectorStore(MiB);
    expect(store.fill).toBe(0);
    expect(encodeRuns(store.read(0, 1024))).toEqual([[0, 1024]]);
  });
});

describe('SectorStore: a write given its start in the source only', () => {
  it('writes up to the end of the source and no further, so it fits a store that ends there', () => {
    const store = new SectorStore(MiB);
    const data = new Uint8Array(2048);
    data.fill(1, 0, 512);
    data.fill(2, 512, 2048);
    // 1536 bytes from data[512]: exactly the store's last three sectors.
    store.write(MiB - 1536, data, 512);
    expect(encodeRuns(store.read(MiB - 2048, 2048))).toEqual([
      [0, 512],
      [2, 1536],
    ]);
  });
});

describe('SectorStore: chunk memory handed out', () => {
  it('does not clear fresh slab memory (still zero) for a zero background, and sets every other chunk it hands out to the background', () => {
    const store = new SectorStore(MiB);
    const patterned = new SectorStore(MiB, 0x44);
    const one = filled(512, 1);
    const spy = vi.spyOn(Uint8Array.prototype, 'fill');
    let slabFills: unknown[][];
    try {
      store.write(0, one); // slot 0 of a new 16 KiB slab: left as it is
      store.write(CHUNK_SIZE, one); // slot 1: left as it is
      store.zero(0, CHUNK_SIZE); // frees slot 0
      store.write(2 * CHUNK_SIZE, one); // slot 0 again: it held chunk 0's bytes, so cleared
      store.clear(); // keeps the 16 KiB slab, its memory as it was
      // Slots 0..3 of the kept slab, each cleared; then slot 0 of a new 32 KiB slab, left as it is.
      for (let c = 0; c < 5; c++) store.write(c * CHUNK_SIZE, one);
      patterned.write(0, one); // a new slab's slot 0, but the background is 0x44
      // Fills of slab memory only (slabs are 16 KiB and more; the test's own buffers are smaller).
      slabFills = spy.mock.contexts.map((self, i) => [(self as Uint8Array).length, ...spy.mock.calls[i]!]).filter(([length]) => (length as number) >= 16 * 1024);
    } finally {
      spy.mockRestore();
    }
    expect(slabFills).toEqual([
      [16384, 0, 0, 4096],
      [16384, 0, 0, 4096],
      [16384, 0, 4096, 8192],
      [16384, 0, 8192, 12288],
      [16384, 0, 12288, 16384],
      [16384, 0x44, 0, 4096],
    ]);
    expect(encodeRuns(store.read(0, 6 * CHUNK_SIZE))).toEqual([
      [1, 512],
      [0, CHUNK_SIZE - 512],
      [1, 512],
      [0, CHUNK_SIZE - 512],
      [1, 512],
      [0, CHUNK_SIZE - 512],
      [1, 512],
      [0, CHUNK_SIZE - 512],
      [1, 512],
      [0, 2 * CHUNK_SIZE - 512],
    ]);
  });

  it('zeroing a zeroed chunk again frees nothing: the next chunk written gets memory of its own', () => {
    const store = new SectorStore(MiB, 0x5a);
    store.zero(0, CHUNK_SIZE);
    store.zero(0, CHUNK_SIZE);
    store.write(CHUNK_SIZE, filled(512, 7));
    expect(encodeRuns(store.read(0, 2 * CHUNK_SIZE))).toEqual([
      [0, CHUNK_SIZE],
      [7, 512],
      [0x5a, CHUNK_SIZE - 512],
    ]);
    expect(store.allocatedBytes).toBe(CHUNK_SIZE);
  });
});

describe('SectorStore: freed chunks are reused before new memory', () => {
  it('a chunk freed in a full slab takes the next write, so the store reserves no second slab', () => {
    const store = new SectorStore(MiB, 0, { uniformChunks: false });
    // The first slab holds 4 chunks (16 KiB): fill it, free chunk 1, write a fifth chunk.
    store.write(0, filled(4 * CHUNK_SIZE, 1));
    store.zero(CHUNK_SIZE, CHUNK_SIZE);
    store.write(9 * CHUNK_SIZE, filled(512, 2));
    expect([store.reservedBytes, store.allocatedBytes]).toEqual([16 * 1024, 4 * CHUNK_SIZE]);
    expect(encodeRuns(store.read(9 * CHUNK_SIZE, CHUNK_SIZE))).toEqual([
      [2, 512],
      [0, CHUNK_SIZE - 512],
    ]);
  });
});

describe('SectorStore: readInto a larger buffer', () => {
  it('fills exactly the bytes of a never-written or zeroed piece, whichever side of the disk offset the buffer offset lies', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.zero(2 * CHUNK_SIZE, CHUNK_SIZE);
    // Buffer offset below the disk offset: [CHUNK_SIZE, +512) of the background into dest[512, 1024).
    const below = filled(1536, 9);
    store.readInto(CHUNK_SIZE, below, 512, 512);
    expect(encodeRuns(below)).toEqual([
      [9, 512],
      [0xaa, 512],
      [9, 512],
    ]);
    // The zeroed chunk likewise.
    const zeros = filled(1536, 9);
    store.readInto(2 * CHUNK_SIZE, zeros, 512, 512);
    expect(encodeRuns(zeros)).toEqual([
      [9, 512],
      [0, 512],
      [9, 512],
    ]);
    // Buffer offset above the disk offset: [0, +1024) into dest[1536, 2560).
    const above = filled(3072, 9);
    store.readInto(0, above, 1536, 1024);
    expect(encodeRuns(above)).toEqual([
      [9, 1536],
      [0xaa, 1024],
      [9, 512],
    ]);
  });
});
