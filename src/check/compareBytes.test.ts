import { describe, expect, it } from 'vitest';
import { ANY_BYTE } from '../../models/data/ByteSet.js';
import { firstMismatch, firstNot } from './compareBytes.js';

describe('firstMismatch', () => {
  const bytes = new Uint8Array(4096).fill(0x11);
  bytes.fill(0x22, 1000, 1003);
  bytes[3000] = 0x99;

  it('finds the first byte outside an exact run, short or long', () => {
    expect(firstMismatch(bytes, 512, [{ offset: 512, length: 4096, values: [0x11] }])).toEqual({ offset: 1512, actual: 0x22, allowed: [0x11] });
    expect(firstMismatch(bytes.subarray(990, 1010), 990, [{ offset: 990, length: 20, values: [0x11] }])).toEqual({ offset: 1000, actual: 0x22, allowed: [0x11] });
  });

  it('a wide set admits each of its values, in runs of any length, and names the first other byte', () => {
    const runs = [{ offset: 0, length: 4096, values: [0x11, 0x22] }];
    expect(firstMismatch(bytes, 0, runs)).toEqual({ offset: 3000, actual: 0x99, allowed: [0x11, 0x22] });
    expect(firstMismatch(bytes.subarray(0, 2999), 0, [{ offset: 0, length: 2999, values: [0x11, 0x22] }])).toBeNull();
  });

  it('any byte admits everything', () => {
    expect(firstMismatch(bytes, 0, [{ offset: 0, length: 4096, values: ANY_BYTE }])).toBeNull();
  });
});

describe('firstNot', () => {
  it('finds the first other byte of a long run in any 16 KiB piece, and the end when there is none', () => {
    const run = new Uint8Array(40000).fill(0x33);
    expect(firstNot(run, 0, 40000, 0x33)).toBe(40000);
    run[39999] = 0x34;
    expect(firstNot(run, 0, 40000, 0x33)).toBe(39999);
    expect(firstNot(run, 100, 39999, 0x33)).toBe(39999);
    run[16384] = 0;
    expect(firstNot(run, 7, 40000, 0x33)).toBe(16384);
    run[16383] = 0;
    expect(firstNot(run, 7, 40000, 0x33)).toBe(16383);
    expect(firstNot(run, 16385, 16400, 0x33)).toBe(16400);
  });
});
