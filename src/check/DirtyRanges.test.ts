import { describe, expect, it } from 'vitest';
import { applyDataOp, initialData } from '../../models/data/ReplicationData.js';
import { PEEK_BYTES_MAX, dirtyRanges, peekPieces, raceRanges } from './DirtyRanges.js';

describe('dirtyRanges', () => {
  it('merges what the model holds other than the pattern and what the engine wrote, in whole sectors, touching ranges joined', () => {
    const data = applyDataOp(initialData(1 << 20, 7), { kind: 'primary-write', offset: 1000, length: 100, pattern: 9, local: 'ok', forward: 'not-sent' });
    const engine = [
      { offset: 8192, bytes: 4096 },
      { offset: 4096, bytes: 4096 },
      { offset: 0, bytes: 512 },
      { offset: 65536, bytes: 4096 },
    ];
    expect(dirtyRanges([data], 7, engine)).toEqual([
      { offset: 0, bytes: 1536 },
      { offset: 4096, bytes: 8192 },
      { offset: 65536, bytes: 4096 },
    ]);
    expect(dirtyRanges([initialData(1 << 20, 7)], 7, [])).toEqual([]);
  });

  it('a race can have changed the whole clusters it wrote', () => {
    const data = initialData(1 << 20, 7);
    expect(raceRanges([data, data], [{ offset: 70000, bytes: 10 }, { offset: 131072, bytes: 512 }, { offset: 0, bytes: 512 }])).toEqual([
      { offset: 0, bytes: 196608 },
    ]);
    expect(raceRanges([data], [{ offset: 262144, bytes: 512 }])).toEqual([{ offset: 262144, bytes: 65536 }]);
  });
});

describe('peekPieces', () => {
  it('cuts ranges longer than PEEK_BYTES_MAX and hands back ranges that fit as they are', () => {
    const fit = [{ offset: 0, bytes: 512 }, { offset: 4096, bytes: PEEK_BYTES_MAX }];
    expect(peekPieces(fit)).toBe(fit);
    expect(peekPieces([{ offset: 512, bytes: 512 }, { offset: 4096, bytes: 2 * PEEK_BYTES_MAX + 7 }])).toEqual([
      { offset: 512, bytes: 512 },
      { offset: 4096, bytes: PEEK_BYTES_MAX },
      { offset: 4096 + PEEK_BYTES_MAX, bytes: PEEK_BYTES_MAX },
      { offset: 4096 + 2 * PEEK_BYTES_MAX, bytes: 7 },
    ]);
  });
});
