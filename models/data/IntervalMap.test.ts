/* IntervalMap: persistent updates, merging of equal neighbours, splitting, gaps. */
import { describe, expect, test } from 'vitest';
import { IntervalMap } from './IntervalMap.js';

const runs = (m: IntervalMap<string>) => m.intervals().map((r) => `${r.start}-${r.end}:${r.value}`);

describe('IntervalMap', () => {
  test('set splits what it overlaps and merges equal neighbours', () => {
    const a = IntervalMap.empty<string>().set(0, 100, 'x');
    const b = a.set(40, 60, 'y');
    expect(runs(b)).toEqual(['0-40:x', '40-60:y', '60-100:x']);
    expect(runs(b.set(40, 60, 'x'))).toEqual(['0-100:x']);
    expect(runs(a)).toEqual(['0-100:x']);
  });
  test('set across several intervals and past the end', () => {
    const m = IntervalMap.empty<string>().set(0, 10, 'a').set(20, 30, 'b').set(40, 50, 'c');
    expect(runs(m.set(5, 45, 'z'))).toEqual(['0-5:a', '5-45:z', '45-50:c']);
    expect(runs(m.set(25, 70, 'b'))).toEqual(['0-10:a', '20-70:b']);
  });
  test('delete leaves a gap; cover reports gaps as undefined', () => {
    const m = IntervalMap.empty<string>().set(0, 100, 'x').delete(10, 20);
    expect(runs(m)).toEqual(['0-10:x', '20-100:x']);
    expect(m.cover(5, 25)).toEqual([
      { start: 5, end: 10, value: 'x' },
      { start: 10, end: 20, value: undefined },
      { start: 20, end: 25, value: 'x' },
    ]);
    expect([m.get(9), m.get(10), m.get(19), m.get(20), m.get(100)]).toEqual(['x', undefined, undefined, 'x', undefined]);
  });
  test('update rewrites pieces, gaps included', () => {
    const m = IntervalMap.empty<string>().set(10, 20, 'a');
    expect(runs(m.update(0, 30, (v) => (v ? `${v}!` : 'new')))).toEqual(['0-10:new', '10-20:a!', '20-30:new']);
  });
  test('an empty range changes nothing', () => {
    const m = IntervalMap.empty<string>().set(0, 10, 'a');
    expect(m.set(5, 5, 'b')).toBe(m);
  });
});
