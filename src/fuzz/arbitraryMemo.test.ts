/*
 * Memoized arbitraries: one build per key, and a remembered arbitrary draws what a fresh one does,
 * so a case regenerated late in a campaign (its generators long cached) is the case drawn first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoizedArbitrary } from './arbitraryMemo.js';
import { caseSeed, generateDrawnCase } from './caseScenario.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { stepArbitrary } from './stepArbitrary.js';

describe('memoizedArbitrary', () => {
  it('builds once per key and hands back the same instance', () => {
    const builds: number[] = [];
    const sized = memoizedArbitrary(
      (max: number) => String(max),
      (max: number) => {
        builds.push(max);
        return fc.integer({ min: 0, max });
      },
    );
    const first = sized(7);
    expect(sized(7)).toBe(first);
    expect(sized(9)).not.toBe(first);
    expect(builds).toEqual([7, 9]);
  });

  it('a step arbitrary taken from the cache draws what a fresh shape object draws', () => {
    const shape = { diskBytes: 131072, disks: 2, ops: ['write-primary', 'read-secondary', 'concurrent'] as const };
    const a = fc.sample(stepArbitrary({ ...shape, ops: [...shape.ops] }), { seed: 11, numRuns: 200 });
    const b = fc.sample(stepArbitrary({ ...shape, ops: [...shape.ops] }), { seed: 11, numRuns: 200 });
    expect(stepArbitrary({ ...shape, ops: [...shape.ops] })).toBe(stepArbitrary({ ...shape, ops: [...shape.ops] }));
    expect(b).toEqual(a);
  });

  it('swarms that enable the same kinds, in any order, share one step arbitrary, which draws what each would', () => {
    const shape = { diskBytes: 196608, disks: 1 };
    const ops = ['write-secondary', 'failover', 'concurrent', 'status', 'read-secondary'] as const;
    const forward = stepArbitrary({ ...shape, ops: [...ops] });
    const backward = stepArbitrary({ ...shape, ops: [...ops].reverse() });
    expect(backward).toBe(forward);
    const drawn = fc.sample(forward, { seed: 5, numRuns: 300 });
    expect(new Set(drawn.map((s) => s.do))).toEqual(new Set(['write', 'read', 'status', 'failover', 'concurrent']));
    expect(fc.sample(backward, { seed: 5, numRuns: 300 })).toEqual(drawn);
  });

  it('a case drawn again after other cases filled the caches is the same case', () => {
    const seed = caseSeed(3, 40);
    const first = generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 3, 40, seed);
    for (let i = 0; i < 50; i++) generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 3, i, caseSeed(3, i));
    expect(generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 3, 40, seed)).toEqual(first);
  });
});
