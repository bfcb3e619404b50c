import { describe, expect, it } from 'vitest';
import { encodeRuns } from './runs.js';
import { WriteData } from './writeData.js';

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
});
