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
    const store = new SectorStore(MiB, 0x11);
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
    const store = new SectorStore(TiB, 0xaa);
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
    const store = new SectorStore(TiB);
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
