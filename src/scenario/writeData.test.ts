import { describe, expect, it } from 'vitest';
import { runsOf } from '../block/knownRuns.js';
import { WriteData } from './writeData.js';

/** The view's runs by a plain loop (encodeRuns would trust the buffer's mark, which is under test too). */
function encodeRuns(bytes: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (const byte of bytes) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === byte) last[1]++;
    else runs.push([byte, 1]);
  }
  return runs;
}

describe('WriteData', () => {
  it('hands out the pattern over exactly the write\'s length, also in a reused buffer', () => {
    const data = new WriteData();
    expect(encodeRuns(data.filled(0, 4096, 7))).toEqual([[7, 4096]]);
    const second = data.filled(0, 1024, 9);
    expect(second.length).toBe(1024);
    expect(encodeRuns(second)).toEqual([[9, 1024]]);
    data.release();
  });

  it('gives each slot its own buffer, so members of a concurrent step never share bytes', () => {
    const data = new WriteData();
    const a = data.filled(1, 8192, 1);
    const b = data.filled(2, 8192, 2);
    expect(a.buffer).not.toBe(b.buffer);
    expect(encodeRuns(a)).toEqual([[1, 8192]]);
    expect(encodeRuns(b)).toEqual([[2, 8192]]);
    data.release();
  });

  it('lends a released run\'s buffer to a later run, and none a run still holds', () => {
    const first = new WriteData();
    const held = first.filled(0, 3 * 65536 + 512, 5);
    const other = new WriteData();
    // `first` has not released: `other` must get memory of its own.
    expect(other.filled(0, 3 * 65536, 6).buffer).not.toBe(held.buffer);
    expect(encodeRuns(held)).toEqual([[5, 3 * 65536 + 512]]);
    first.release();
    const later = new WriteData();
    expect(later.filled(0, 3 * 65536 + 512, 8).buffer).toBe(held.buffer);
    other.release();
    later.release();
  });

  it('keeps a buffer for each of two patterns written in turn, refilling neither, each marked as its pattern', () => {
    const size = 256 * 1024;
    const run1 = new WriteData();
    const a = run1.filled(0, size, 0x22);
    const b = run1.filled(0, size, 0x33);
    expect(b.buffer).not.toBe(a.buffer);
    run1.release();
    const run2 = new WriteData();
    const a2 = run2.filled(0, size, 0x22);
    const b2 = run2.filled(0, size / 2, 0x33);
    expect([a2.buffer, b2.buffer]).toEqual([a.buffer, b.buffer]);
    expect([encodeRuns(a2), encodeRuns(b2), runsOf(a2), runsOf(b2)]).toEqual([[[0x22, size]], [[0x33, size / 2]], [[0x22, size]], [[0x33, size / 2]]]);
    run2.release();
  });

  it('fills a buffer holding the pattern over part of a longer write past that part, and one holding another pattern whole', () => {
    const data = new WriteData();
    data.filled(0, 65536, 4);
    const longer = data.filled(0, 3 * 65536, 4);
    expect(encodeRuns(longer)).toEqual([[4, 3 * 65536]]);
    const other = data.filled(0, 2 * 65536, 5);
    expect(encodeRuns(other)).toEqual([[5, 2 * 65536]]);
    data.release();
  });
});
