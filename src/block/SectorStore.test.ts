import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { CHUNK_SIZE, SectorStore } from './SectorStore.js';
import { filled } from './testing/simHelpers.js';

const MiB = 1 << 20;
const TiB = 2 ** 40;

describe('SectorStore', () => {
  it('reads unwritten sectors as the background byte, allocating nothing', () => {
    const store = new SectorStore(MiB, 0xaa);
    expect(encodeRuns(store.read(0, MiB))).toEqual([[0xaa, MiB]]);
    expect(store.allocatedBytes).toBe(0);
    expect(store.reservedBytes).toBe(0);
  });

  it('reads back exactly what was written, including across chunk edges', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.write(3584, filled(1024, 1));
    store.write(8192, filled(512, 2));
    expect(encodeRuns(store.read(0, 12288))).toEqual([
      [0xaa, 3584],
      [1, 1024],
      [0xaa, 3584],
      [2, 512],
      [0xaa, 3584],
    ]);
    // Two chunks touched by the first write, one by the second.
    expect(store.allocatedBytes).toBe(3 * CHUNK_SIZE);
  });

  it('keeps distinct bytes distinct (no pattern fill tricks)', () => {
    const store = new SectorStore(MiB);
    const data = Uint8Array.from({ length: 1536 }, (_, i) => (i * 7) % 256);
    store.write(2560, data);
    expect(store.read(2560, 1536)).toEqual(data);
    const dest = filled(2048, 9);
    store.readInto(2560, dest, 512, 1024);
    expect(dest.subarray(0, 512)).toEqual(filled(512, 9));
    expect(dest.subarray(512, 1536)).toEqual(data.subarray(0, 1024));
    expect(dest.subarray(1536)).toEqual(filled(512, 9));
  });

  it('writes a slice of the source with dataOffset and bytes', () => {
    const store = new SectorStore(MiB);
    const data = new Uint8Array(2048);
    data.fill(5, 512, 1024);
    store.write(0, data, 512, 512);
    expect(encodeRuns(store.read(0, 1024))).toEqual([
      [5, 512],
      [0, 512],
    ]);
  });

  it('does not allocate for writes of the background byte', () => {
    const store = new SectorStore(MiB, 0x33);
    store.write(0, filled(8192, 0x33));
    expect(store.allocatedBytes).toBe(0);
    const zeros = new SectorStore(MiB);
    zeros.write(0, new Uint8Array(8192));
    expect(zeros.allocatedBytes).toBe(0);
  });

  it('zeroes whole chunks as markers, distinct from a non-zero background', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.write(0, filled(2 * CHUNK_SIZE, 1));
    store.zero(0, 2 * CHUNK_SIZE + 512);
    expect(encodeRuns(store.read(0, 3 * CHUNK_SIZE))).toEqual([
      [0, 2 * CHUNK_SIZE + 512],
      [0xaa, CHUNK_SIZE - 512],
    ]);
    // The two whole chunks are markers; the partial third chunk holds real bytes.
    expect(store.allocatedBytes).toBe(CHUNK_SIZE);
    // Writing zeros over a zero chunk keeps it a marker.
    store.write(0, new Uint8Array(CHUNK_SIZE));
    expect(store.allocatedBytes).toBe(CHUNK_SIZE);
    // A partial write to a zero chunk starts from zeros, not the background.
    store.write(512, filled(512, 7));
    expect(encodeRuns(store.read(0, CHUNK_SIZE))).toEqual([
      [0, 512],
      [7, 512],
      [0, CHUNK_SIZE - 1024],
    ]);
  });

  it('releases whole chunks when zeroing over a zero background', () => {
    const store = new SectorStore(MiB);
    store.write(0, filled(3 * CHUNK_SIZE, 4));
    store.zero(CHUNK_SIZE - 512, CHUNK_SIZE + 1024);
    expect(encodeRuns(store.read(0, 3 * CHUNK_SIZE))).toEqual([
      [4, CHUNK_SIZE - 512],
      [0, CHUNK_SIZE + 1024],
      [4, CHUNK_SIZE - 512],
    ]);
    expect(store.allocatedBytes).toBe(2 * CHUNK_SIZE);
    // The freed slot is reused: no new slab memory.
    const reserved = store.reservedBytes;
    store.write(10 * CHUNK_SIZE, filled(512, 1));
    expect(store.allocatedBytes).toBe(3 * CHUNK_SIZE);
    expect(store.reservedBytes).toBe(reserved);
  });

  it('forgets everything on clear', () => {
    const store = new SectorStore(MiB, 0x11, { uniformChunks: false });
    store.write(0, filled(MiB, 2));
    store.zero(0, CHUNK_SIZE);
    store.clear();
    expect(encodeRuns(store.read(0, MiB))).toEqual([[0x11, MiB]]);
    expect(store.allocatedBytes).toBe(0);
    // A cleared store keeps its first two slabs (16 KiB + 32 KiB) for the writes that follow.
    expect(store.reservedBytes).toBe(48 * 1024);
    store.write(0, filled(48 * 1024, 3));
    expect(store.reservedBytes).toBe(48 * 1024);
  });

  it('holds memory in proportion to what was written: 1 MiB written into 1 TiB', () => {
    const store = new SectorStore(TiB, 0xaa, { uniformChunks: false });
    // 256 chunks of 4 KiB, scattered 4 GiB apart across the whole disk (never the background byte,
    // which would stay sparse).
    for (let i = 0; i < 256; i++) store.write(i * 2 ** 32 + 4096, filled(CHUNK_SIZE, (i % 100) + 1));
    expect(store.allocatedBytes).toBe(MiB);
    // Slabs double from 16 KiB to 1 MiB: 16+32+...+512 KiB hold the first 1008 KiB, a 1 MiB slab the rest.
    expect(store.reservedBytes).toBe(MiB - 16 * 1024 + MiB);
    expect(encodeRuns(store.read(255 * 2 ** 32, 3 * CHUNK_SIZE))).toEqual([
      [0xaa, CHUNK_SIZE],
      [56, CHUNK_SIZE],
      [0xaa, CHUNK_SIZE],
    ]);
    expect(encodeRuns(store.read(TiB - 512, 512))).toEqual([[0xaa, 512]]);
  });

  it('keeps allocating past thirty slabs (64 MiB written)', () => {
    const store = new SectorStore(TiB, 0, { uniformChunks: false });
    const chunk = filled(CHUNK_SIZE, 1);
    for (let i = 0; i < 16384; i++) store.write(i * 2 * CHUNK_SIZE, chunk);
    expect(store.allocatedBytes).toBe(64 * MiB);
    // 16 KiB + 32 + ... + 512 KiB, then 1 MiB slabs.
    expect(store.reservedBytes).toBe(MiB - 16 * 1024 + 64 * MiB);
    expect(encodeRuns(store.read(16383 * 2 * CHUNK_SIZE, 2 * CHUNK_SIZE))).toEqual([
      [1, CHUNK_SIZE],
      [0, CHUNK_SIZE],
    ]);
  });

  it('rejects unaligned or out-of-range access', () => {
    const store = new SectorStore(MiB);
    expect(() => store.read(100, 512)).toThrow(new RangeError('store access [100, +512) is not sector-aligned or exceeds 1048576 bytes'));
    expect(() => store.read(0, 100)).toThrow('store access [0, +100) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => store.write(MiB, filled(512, 1))).toThrow('store access [1048576, +512) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => store.zero(-512, 512)).toThrow('store access [-512, +512) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => new SectorStore(1000)).toThrow(new RangeError('store size must be a multiple of 512, got 1000'));
  });
});

describe('SectorStore: what it tells checkers', () => {
  it('lists the chunks written or zeroed as merged ranges in disk order, whatever order they were written in', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.write(5 * CHUNK_SIZE + 512, filled(512, 1));
    store.write(CHUNK_SIZE, filled(CHUNK_SIZE + 512, 2));
    store.zero(3 * CHUNK_SIZE, CHUNK_SIZE);
    // Background bytes written over the background leave the chunk unwritten.
    store.write(7 * CHUNK_SIZE, filled(512, 0xaa));
    expect(store.writtenRanges()).toEqual([
      { offset: CHUNK_SIZE, bytes: 3 * CHUNK_SIZE },
      { offset: 5 * CHUNK_SIZE, bytes: CHUNK_SIZE },
    ]);
    expect(new SectorStore(MiB).writtenRanges()).toEqual([]);
  });

  it('reports how far a written or an unwritten state runs, by chunk, capped at the range asked', () => {
    const store = new SectorStore(MiB);
    store.write(2 * CHUNK_SIZE, filled(2 * CHUNK_SIZE, 1));
    expect(store.writtenRun(0, MiB)).toEqual({ written: false, bytes: 2 * CHUNK_SIZE });
    expect(store.writtenRun(512, MiB - 512)).toEqual({ written: false, bytes: 2 * CHUNK_SIZE - 512 });
    expect(store.writtenRun(2 * CHUNK_SIZE + 512, MiB - 3 * CHUNK_SIZE)).toEqual({ written: true, bytes: 2 * CHUNK_SIZE - 512 });
    expect(store.writtenRun(2 * CHUNK_SIZE, 1024)).toEqual({ written: true, bytes: 1024 });
    expect(store.writtenRun(4 * CHUNK_SIZE, MiB - 4 * CHUNK_SIZE)).toEqual({ written: false, bytes: MiB - 4 * CHUNK_SIZE });
  });
});

describe('SectorStore: reused memory never shows old data', () => {
  it('a chunk freed by zeroing and handed out again starts as the background', () => {
    const store = new SectorStore(MiB);
    store.write(0, filled(CHUNK_SIZE, 5));
    store.zero(0, CHUNK_SIZE);
    store.write(3 * CHUNK_SIZE + 512, filled(512, 1));
    expect(encodeRuns(store.read(0, 4 * CHUNK_SIZE))).toEqual([
      [0, 3 * CHUNK_SIZE + 512],
      [1, 512],
      [0, CHUNK_SIZE - 1024],
    ]);
    const patterned = new SectorStore(MiB, 0x33);
    patterned.write(0, filled(CHUNK_SIZE, 5));
    patterned.zero(0, CHUNK_SIZE);
    patterned.write(2 * CHUNK_SIZE, filled(512, 1));
    expect(encodeRuns(patterned.read(0, 3 * CHUNK_SIZE))).toEqual([
      [0, CHUNK_SIZE],
      [0x33, CHUNK_SIZE],
      [1, 512],
      [0x33, CHUNK_SIZE - 512],
    ]);
  });

  it('a slab kept by clear starts each chunk it hands out again as the background, zero or not', () => {
    for (const fill of [0, 0x44]) {
      const store = new SectorStore(MiB, fill);
      store.write(0, filled(48 * 1024, 7));
      store.clear();
      // Every chunk of both kept slabs (16 KiB and 32 KiB) is handed out again, partly written.
      for (let c = 0; c < 12; c++) store.write(c * CHUNK_SIZE, filled(512, 1));
      const expected: [number, number][] = [];
      for (let c = 0; c < 12; c++) expected.push([1, 512], [fill, CHUNK_SIZE - 512]);
      expect(encodeRuns(store.read(0, 12 * CHUNK_SIZE))).toEqual(expected);
      expect(store.reservedBytes).toBe(48 * 1024);
    }
  });

  it('a cleared store that had one slab keeps it, and a store that never wrote keeps none', () => {
    const store = new SectorStore(MiB);
    store.write(0, filled(512, 1));
    store.clear();
    expect([store.reservedBytes, store.allocatedBytes, store.writtenRanges()]).toEqual([16 * 1024, 0, []]);
    const empty = new SectorStore(MiB);
    empty.clear();
    expect(empty.reservedBytes).toBe(0);
  });
});

describe('SectorStore: zeroing', () => {
  it('zeroes part of a chunk as bytes over a zero background, and forgets a whole chunk', () => {
    const store = new SectorStore(MiB);
    store.write(0, filled(2 * CHUNK_SIZE, 3));
    store.zero(512, 1024);
    store.zero(CHUNK_SIZE, CHUNK_SIZE);
    expect(encodeRuns(store.read(0, 2 * CHUNK_SIZE))).toEqual([
      [3, 512],
      [0, 1024],
      [3, CHUNK_SIZE - 1536],
      [0, CHUNK_SIZE],
    ]);
    expect([store.allocatedBytes, store.writtenRanges()]).toEqual([CHUNK_SIZE, [{ offset: 0, bytes: CHUNK_SIZE }]]);
  });

  it('zeroes an unwritten chunk of a patterned store as a marker that reads as zeros and counts as written', () => {
    const store = new SectorStore(MiB, 0x5a);
    store.zero(CHUNK_SIZE, CHUNK_SIZE);
    store.zero(4 * CHUNK_SIZE, 512);
    expect(encodeRuns(store.read(0, 5 * CHUNK_SIZE))).toEqual([
      [0x5a, CHUNK_SIZE],
      [0, CHUNK_SIZE],
      [0x5a, 2 * CHUNK_SIZE],
      [0, 512],
      [0x5a, CHUNK_SIZE - 512],
    ]);
    expect(store.allocatedBytes).toBe(CHUNK_SIZE);
    expect(store.writtenRanges()).toEqual([
      { offset: CHUNK_SIZE, bytes: CHUNK_SIZE },
      { offset: 4 * CHUNK_SIZE, bytes: CHUNK_SIZE },
    ]);
  });
});

describe('SectorStore: range checks', () => {
  it('accepts a range ending at the last byte and refuses one a sector past it, a negative length, or a bad size', () => {
    const store = new SectorStore(MiB);
    store.write(MiB - 512, filled(512, 1));
    expect(encodeRuns(store.read(MiB - 512, 512))).toEqual([[1, 512]]);
    expect(store.read(MiB, 0)).toEqual(new Uint8Array(0));
    expect(() => store.readInto(MiB - 512, new Uint8Array(1024), 0, 1024)).toThrow('store access [1048064, +1024) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => store.zero(0, -512)).toThrow('store access [0, +-512) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => store.write(0, filled(512, 1), 0, -512)).toThrow('store access [0, +-512) is not sector-aligned or exceeds 1048576 bytes');
    expect(() => new SectorStore(-512)).toThrow(new RangeError('store size must be a multiple of 512, got -512'));
    expect(() => new SectorStore(512.5)).toThrow(new RangeError('store size must be a multiple of 512, got 512.5'));
    expect(new SectorStore(0).sizeBytes).toBe(0);
  });
});

describe('SectorStore: slab edges', () => {
  it('hands chunks adjacent on disk but in two slabs over as two pieces, each with its own bytes', () => {
    const store = new SectorStore(4 * MiB, 0, { uniformChunks: false });
    // 4 + 8 + ... + 128 chunks fill slabs 0..5, 256 fill slab 6, and the next chunk opens slab 7.
    const chunks = 252 + 256 + 2;
    for (let c = 0; c < chunks; c++) store.write(c * CHUNK_SIZE, filled(CHUNK_SIZE, (c % 250) + 1));
    const pieces: [number, number][] = [];
    const seen = new Uint8Array(chunks * CHUNK_SIZE);
    store.visit(0, chunks * CHUNK_SIZE, {
      bytes: (offset, data, at, n) => {
        pieces.push([offset / CHUNK_SIZE, n / CHUNK_SIZE]);
        seen.set(data.subarray(at, at + n), offset);
      },
      uniform: (offset, n) => pieces.push([offset / CHUNK_SIZE, -n]),
    });
    expect(pieces).toEqual([
      [0, 4],
      [4, 8],
      [12, 16],
      [28, 32],
      [60, 64],
      [124, 128],
      [252, 256],
      [508, 2],
    ]);
    expect(encodeRuns(seen)).toEqual(Array.from({ length: chunks }, (_, c) => [(c % 250) + 1, CHUNK_SIZE]));
    expect(encodeRuns(seen.subarray(507 * CHUNK_SIZE, 509 * CHUNK_SIZE))).toEqual([
      [8, CHUNK_SIZE],
      [9, CHUNK_SIZE],
    ]);
  });

  it('forgets the chunks freed before a clear: two chunks written after it never share memory', () => {
    const store = new SectorStore(MiB, 0, { uniformChunks: false });
    store.write(0, filled(2 * CHUNK_SIZE, 1));
    store.zero(0, CHUNK_SIZE);
    store.clear();
    store.write(5 * CHUNK_SIZE, filled(CHUNK_SIZE, 2));
    store.write(6 * CHUNK_SIZE, filled(CHUNK_SIZE, 3));
    expect(encodeRuns(store.read(5 * CHUNK_SIZE, 2 * CHUNK_SIZE))).toEqual([
      [2, CHUNK_SIZE],
      [3, CHUNK_SIZE],
    ]);
    expect(store.allocatedBytes).toBe(2 * CHUNK_SIZE);
  });
});
