import { describe, expect, it } from 'vitest';
import { ANY_BYTE } from '../../models/data/ByteSet.js';
import { firstMismatch } from './compareBytes.js';

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
