import { describe, expect, it } from 'vitest';
import { allocBytes, allocUnfilled, isAllZero } from './buffers.js';

describe('allocBytes', () => {
  it('hands out zeroed buffers that nobody else holds', () => {
    const a = allocBytes(4096);
    const b = allocBytes(4096);
    expect([a.length, b.length]).toEqual([4096, 4096]);
    expect(isAllZero(a) && isAllZero(b)).toBe(true);
    a.fill(0xff);
    expect(isAllZero(b)).toBe(true);
    expect(isAllZero(allocBytes(4096))).toBe(true);
  });

  it('keeps views 8-byte aligned, for typed-array views over them', () => {
    allocBytes(3);
    const next = allocBytes(16);
    expect(next.byteOffset % 8).toBe(0);
    expect(() => new Float64Array(next.buffer, next.byteOffset, 2)).not.toThrow();
  });

  it('starts a new slab when the current one is full, and serves large buffers on their own', () => {
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 300; i++) seen.add(allocBytes(4096).buffer);
    // 300 x 4 KiB cannot come from one 1 MiB slab.
    expect(seen.size).toBeGreaterThanOrEqual(2);
    const big = allocBytes(128 * 1024);
    expect([big.length, big.byteOffset, big.buffer.byteLength]).toEqual([131072, 0, 131072]);
    expect(allocBytes(0).length).toBe(0);
  });
});

describe('isAllZero', () => {
  it('finds a single non-zero byte anywhere', () => {
    const data = new Uint8Array(1000);
    expect(isAllZero(data)).toBe(true);
    data[999] = 1;
    expect(isAllZero(data)).toBe(false);
    expect(isAllZero(new Uint8Array(0))).toBe(true);
  });

  it('carves buffers of up to 64 KiB out of one 1 MiB slab, sixteen of the largest a slab', () => {
    // Open a fresh slab: allocate 64 KiB buffers until one comes from a new slab.
    let first = allocBytes(64 * 1024);
    for (let i = 0; i < 17 && first.byteOffset !== 0; i++) first = allocBytes(64 * 1024);
    expect([first.byteOffset, first.buffer.byteLength]).toEqual([0, 1 << 20]);
    const rest = Array.from({ length: 15 }, () => allocBytes(64 * 1024));
    expect(rest.every((b) => b.buffer === first.buffer)).toBe(true);
    expect(rest.map((b) => b.byteOffset)).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 64 * 1024));
    // The slab is full: the next buffer, however small, opens another.
    const next = allocBytes(16);
    expect([next.buffer === first.buffer, next.byteOffset, next.buffer.byteLength]).toEqual([false, 0, 1 << 20]);
    expect(allocBytes(16).buffer).toBe(next.buffer);
  });
});

describe('allocUnfilled', () => {
  it('hands out views that never overlap, 8-byte aligned, from 1 MiB slabs, and large buffers on their own', () => {
    const a = allocUnfilled(100);
    const b = allocUnfilled(4096);
    expect([a.length, b.length, b.byteOffset % 8]).toEqual([100, 4096, 0]);
    if (a.buffer === b.buffer) expect(b.byteOffset).toBe(a.byteOffset + 104);
    a.fill(1);
    b.fill(2);
    expect([a.every((x) => x === 1), b.every((x) => x === 2)]).toEqual([true, true]);
    expect([a.buffer.byteLength, a instanceof Buffer]).toEqual([1 << 20, false]);
    const big = allocUnfilled(128 * 1024);
    expect([big.length, big.byteOffset, big.buffer.byteLength]).toEqual([131072, 0, 131072]);
  });
});
