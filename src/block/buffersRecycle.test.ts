/*
 * recycleBytes: a large buffer given back by its only holder serves the next large request (zeroed
 * again); the latest piece carved from the pool's slab is carved again by the next request (zeroed);
 * any other pooled piece, whose slab other buffers share, is never taken back. An unfilled large
 * request takes a given-back buffer as it is, and can itself be given back; the latest piece of the
 * unfilled slab given back is carved again, as it is.
 */
import { describe, expect, it } from 'vitest';
import { allocBytes, allocUnfilled, isAllZero, recycleBytes } from './buffers.js';

const KiB = 1024;

describe('recycleBytes', () => {
  it('lends a large buffer given back to the next large request, zeroed', () => {
    const first = allocBytes(256 * KiB);
    first.fill(0xab);
    recycleBytes(first);
    const next = allocBytes(200 * KiB);
    expect(next.buffer).toBe(first.buffer);
    expect(next.length).toBe(200 * KiB);
    expect(isAllZero(next)).toBe(true);
    // Lent once: the request after it gets memory of its own.
    expect(allocBytes(200 * KiB).buffer).not.toBe(first.buffer);
  });

  it('keeps a given-back buffer for a request it can hold, not a larger one', () => {
    const small = allocBytes(128 * KiB);
    recycleBytes(small);
    expect(allocBytes(512 * KiB).buffer).not.toBe(small.buffer);
    expect(allocBytes(100 * KiB).buffer).toBe(small.buffer);
  });

  it('carves the latest pooled piece given back again for the next request, zeroed', () => {
    const before = allocBytes(8);
    const piece = allocBytes(64 * KiB);
    piece.fill(0x5c);
    recycleBytes(piece);
    const next = allocBytes(4 * KiB);
    expect([next.buffer, next.byteOffset]).toEqual([piece.buffer, piece.byteOffset]);
    expect(isAllZero(piece)).toBe(true);
    // The piece before it is untouched, and the next request after `next` follows it.
    before.fill(1);
    expect(isAllZero(next)).toBe(true);
    expect(allocBytes(16).byteOffset).toBe(next.byteOffset + 4 * KiB);
  });

  it('never takes back a pooled buffer, whose slab other buffers share', () => {
    const pooled = allocBytes(4 * KiB);
    const neighbour = allocBytes(4 * KiB);
    expect(neighbour.buffer).toBe(pooled.buffer);
    recycleBytes(pooled);
    // Not the latest piece: the next request is carved after `neighbour`, not over `pooled`.
    expect(allocBytes(4 * KiB).byteOffset).toBeGreaterThan(neighbour.byteOffset);
    const large = allocBytes(128 * KiB);
    expect(large.buffer).not.toBe(pooled.buffer);
    expect(large.buffer.byteLength).toBe(128 * KiB);
  });

  it('lends a large buffer given back to the next large unfilled request as it is, and takes an unfilled one back', () => {
    const first = allocBytes(256 * KiB);
    first.fill(0xab);
    recycleBytes(first);
    const unfilled = allocUnfilled(200 * KiB);
    expect([unfilled.buffer, unfilled.length, unfilled[0], unfilled[200 * KiB - 1]]).toEqual([first.buffer, 200 * KiB, 0xab, 0xab]);
    // Lent once: the next one is new memory, which a holder can give back for the request after it.
    const fresh = allocUnfilled(300 * KiB);
    expect(fresh.buffer).not.toBe(first.buffer);
    recycleBytes(fresh);
    const next = allocBytes(300 * KiB);
    expect([next.buffer, isAllZero(next)]).toEqual([fresh.buffer, true]);
  });

  it('carves the latest unfilled piece given back again for the next unfilled request, as it is, and no other', () => {
    const older = allocUnfilled(4 * KiB);
    const piece = allocUnfilled(8 * KiB);
    piece.fill(0x5c);
    recycleBytes(older); // not the latest piece: kept out
    expect(allocUnfilled(16).byteOffset).toBe(piece.byteOffset + 8 * KiB);
    const latest = allocUnfilled(8 * KiB);
    latest.fill(0x6d);
    recycleBytes(latest);
    const next = allocUnfilled(2 * KiB);
    expect([next.buffer, next.byteOffset, next[0]]).toEqual([latest.buffer, latest.byteOffset, 0x6d]);
    expect(piece[0]).toBe(0x5c);
  });
});

