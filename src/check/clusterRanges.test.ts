import { describe, expect, it } from 'vitest';
import { type TouchedRange, clusterRanges } from './clusterRanges.js';

const C = 65536;

/** The per-cluster walk clusterRanges replaced: a set of every touched cluster, sorted, merged. */
function reference(touched: readonly TouchedRange[], size: number, only?: TouchedRange['by'], except?: TouchedRange['by']): { offset: number; bytes: number }[] {
  const clustersOf = (by: TouchedRange['by'] | undefined): Set<number> => {
    const clusters = new Set<number>();
    for (const t of touched) {
      if (by !== undefined && t.by !== by) continue;
      for (let c = Math.floor(t.offset / C); c * C < Math.min(size, t.offset + t.bytes); c++) clusters.add(c);
    }
    return clusters;
  };
  const leaveOut = except === undefined ? undefined : clustersOf(except);
  const out: { offset: number; bytes: number }[] = [];
  for (const c of [...clustersOf(only)].sort((a, b) => a - b)) {
    if (leaveOut?.has(c)) continue;
    const last = out[out.length - 1];
    const offset = c * C;
    const bytes = Math.min(C, size - offset);
    if (last && last.offset + last.bytes === offset) last.bytes += bytes;
    else out.push({ offset, bytes });
  }
  return out;
}

describe('clusterRanges', () => {
  it('merges the touched clusters in disk order and cuts the last one at the disk end', () => {
    const touched: TouchedRange[] = [
      { offset: 200000, bytes: 10, by: 'secondary' },
      { offset: 70000, bytes: 100, by: 'primary' },
      { offset: 0, bytes: 512, by: 'primary' },
      { offset: 300000, bytes: 100000, by: 'primary' },
    ];
    expect(clusterRanges(touched, 350000, C)).toEqual([
      { offset: 0, bytes: 131072 },
      { offset: 196608, bytes: 153392 },
    ]);
    expect(clusterRanges(touched, 350000, C, 'primary')).toEqual([
      { offset: 0, bytes: 131072 },
      { offset: 262144, bytes: 87856 },
    ]);
    expect(clusterRanges(touched, 350000, C, undefined, 'primary')).toEqual([{ offset: 196608, bytes: 65536 }]);
    expect(clusterRanges(touched, 350000, C, 'secondary', 'secondary')).toEqual([]);
  });

  it('an empty write at an unaligned offset touches its cluster, at an aligned one none', () => {
    expect(clusterRanges([{ offset: 65537, bytes: 0, by: 'primary' }], 1 << 20, C)).toEqual([{ offset: 65536, bytes: 65536 }]);
    expect(clusterRanges([{ offset: 65536, bytes: 0, by: 'primary' }], 1 << 20, C)).toEqual([]);
  });

  it('leaves out the clusters of the other side from the middle of a long range', () => {
    const touched: TouchedRange[] = [
      { offset: 0, bytes: 10 * C, by: 'secondary' },
      { offset: 3 * C + 5, bytes: C, by: 'primary' },
      { offset: 8 * C, bytes: 1, by: 'primary' },
    ];
    expect(clusterRanges(touched, 1 << 30, C, undefined, 'primary')).toEqual([
      { offset: 0, bytes: 3 * C },
      { offset: 5 * C, bytes: 3 * C },
      { offset: 9 * C, bytes: C },
    ]);
  });

  it('agrees with the per-cluster walk on seeded random steps', () => {
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let round = 0; round < 3000; round++) {
      const size = 1 + next(12 * C);
      const touched: TouchedRange[] = Array.from({ length: next(7) }, () => ({ offset: next(14 * C), bytes: next(3) === 0 ? next(600) : next(4 * C), by: next(2) === 0 ? 'primary' : 'secondary' }));
      for (const [only, except] of [[undefined, undefined], ['primary', undefined], [undefined, 'primary'], ['secondary', 'primary']] as const) {
        expect(clusterRanges(touched, size, C, only, except)).toEqual(reference(touched, size, only, except));
      }
    }
  });
});
