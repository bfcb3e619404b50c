/*
 * What a large buffer given back is known to hold (heldByte, heldBytes): the byte its holder marked
 * it with over the view given back, the bytes past a lent view keeping what they held, and a read
 * into it filling only what does not already hold the byte (SectorStore.readInto's holds).
 */
import { describe, expect, it } from 'vitest';
import { allocUnfilled, heldByte, heldBytes, recycleBytes } from './buffers.js';
import { markUniform } from './knownRuns.js';
import { SectorStore } from './SectorStore.js';

const KiB = 1024;

describe('large buffers given back', () => {
  it('are known to hold the byte they were marked with, past a lent view too, and only the view once it holds another', () => {
    const first = allocUnfilled(512 * KiB);
    markUniform(first.fill(0x55), 0x55);
    recycleBytes(first);
    const lent = allocUnfilled(128 * KiB, 0x55);
    expect([lent.buffer, heldByte(), heldBytes()]).toEqual([first.buffer, 0x55, 512 * KiB]);
    // Given back whole with the same byte: the 384 KiB past the view still hold it.
    recycleBytes(markUniform(lent, 0x55));
    const again = allocUnfilled(128 * KiB, 0x55);
    expect([again.buffer, heldByte(), heldBytes()]).toEqual([first.buffer, 0x55, 512 * KiB]);
    // Given back holding another byte: only the view is known.
    recycleBytes(markUniform(again.fill(0x66), 0x66));
    const other = allocUnfilled(256 * KiB, 0x66);
    expect([other.buffer, heldByte(), heldBytes()]).toEqual([first.buffer, 0x66, 128 * KiB]);
    // Given back unmarked (or as a view not at its start): nothing is known.
    recycleBytes(other);
    const unknown = allocUnfilled(256 * KiB, 0x66);
    expect([unknown.buffer, heldByte(), heldBytes()]).toEqual([first.buffer, -1, 0]);
    recycleBytes(markUniform(unknown.subarray(64 * KiB), 0x66));
    allocUnfilled(256 * KiB, 0x66);
    expect([heldByte(), heldBytes()]).toEqual([-1, 0]);
  });

  it('lend a new buffer rather than one holding another known byte, while the spares have room', () => {
    const a = allocUnfilled(256 * KiB);
    recycleBytes(markUniform(a.fill(0x11), 0x11));
    const b = allocUnfilled(256 * KiB, 0x22);
    expect(b.buffer).not.toBe(a.buffer);
    expect([heldByte(), heldBytes()]).toEqual([0, 256 * KiB]);
    recycleBytes(markUniform(b.fill(0x22), 0x22));
    // Each byte now finds its own.
    expect(allocUnfilled(256 * KiB, 0x11).buffer).toBe(a.buffer);
    expect(allocUnfilled(256 * KiB, 0x22).buffer).toBe(b.buffer);
  });
});

describe('SectorStore.readInto with a destination already holding a byte', () => {
  it('fills the pieces reading as that byte only past the bytes known to hold it', () => {
    const store = new SectorStore(1024 * KiB, 0x66);
    store.write(256 * KiB, new Uint8Array(64 * KiB).fill(0x77));
    const dest = new Uint8Array(512 * KiB).fill(0x99);
    dest.fill(0x66, 0, 128 * KiB);
    store.readInto(0, dest, 0, 512 * KiB, 0x66, 128 * KiB);
    const expected = new Uint8Array(512 * KiB).fill(0x66);
    expected.fill(0x77, 256 * KiB, 320 * KiB);
    expect(Buffer.from(dest).equals(Buffer.from(expected))).toBe(true);
  });
});
