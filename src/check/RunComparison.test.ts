import { describe, expect, it } from 'vitest';
import { ANY_BYTE, exactly } from '../../models/data/ByteSet.js';
import { RunComparison } from './RunComparison.js';

const run = (offset: number, length: number, values: readonly number[]) => ({ offset, length, values });

describe('RunComparison', () => {
  it('passes when every piece lies in its runs, across pieces that cut runs anywhere', () => {
    const c = new RunComparison().begin([run(0, 1024, exactly(1)), run(1024, 1024, [2, 3])]);
    c.bytes(0, new Uint8Array([9, 1, 1, 1]).subarray(0), 1, 3);
    c.bytes(3, new Uint8Array(1019).fill(1), 0, 1019);
    c.bytes(1022, new Uint8Array([1, 1, 2, 3, 3]), 0, 5);
    c.uniform(1027, 1021, 3);
    expect(c.mismatch).toBeNull();
  });

  it('names the first disallowed byte in a bytes piece with its disk offset, read from the piece at its start index', () => {
    const c = new RunComparison().begin([run(512, 512, exactly(7)), run(1024, 512, [4, 5])]);
    const data = new Uint8Array(2048).fill(7);
    data.fill(5, 100 + 512, 100 + 700);
    data[100 + 700] = 6;
    c.bytes(512, data, 100, 1024);
    expect(c.mismatch).toEqual({ offset: 1212, actual: 6, allowed: [4, 5] });
  });

  it('a uniform piece fails at the start of the first run over it that does not admit its byte', () => {
    const c = new RunComparison().begin([run(0, 512, [0, 1]), run(512, 512, ANY_BYTE), run(1024, 512, exactly(0)), run(1536, 512, exactly(1))]);
    c.uniform(256, 1792, 1);
    expect(c.mismatch).toEqual({ offset: 1024, actual: 1, allowed: [0] });
  });

  it('a uniform piece starting inside a run fails at its own start', () => {
    const c = new RunComparison().begin([run(0, 4096, exactly(0xaa))]);
    c.uniform(0, 1024, 0xaa);
    c.uniform(1024, 3072, 0);
    expect(c.mismatch).toEqual({ offset: 1024, actual: 0, allowed: [0xaa] });
  });

  it('keeps the first mismatch when later pieces are wrong too, and begin starts afresh', () => {
    const c = new RunComparison().begin([run(0, 1024, exactly(1))]);
    c.bytes(0, new Uint8Array([1, 1, 2, 1]), 0, 4);
    c.uniform(4, 1020, 3);
    expect(c.mismatch).toEqual({ offset: 2, actual: 2, allowed: [1] });
    c.begin([run(0, 512, exactly(3))]);
    expect(c.mismatch).toBeNull();
    c.uniform(0, 512, 3);
    expect(c.mismatch).toBeNull();
  });
});
