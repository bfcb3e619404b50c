/* IntervalMap: persistent updates, merging of equal neighbours, splitting, gaps. */
import fc from 'fast-check';
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

/*
 * Against a per-byte reference: a 64-byte array of values (undefined: a gap) that each operation
 * rewrites byte by byte. After every step the map's runs must be exactly the array's maximal runs,
 * every query must agree with it, and every earlier map must still read as it did (persistence).
 */
describe('IntervalMap against a per-byte array', () => {
  const SIZE = 64;
  type Bytes = (string | undefined)[];
  const value = fc.constantFrom('a', 'b', 'c');
  const range = fc.tuple(fc.integer({ min: 0, max: SIZE }), fc.integer({ min: 0, max: SIZE })).map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const);
  /** Queries ask about a non-empty range (as every caller does: the model checks its ranges). */
  const query = range.filter(([start, end]) => start < end);
  /** The update's rewrite: it changes values, removes one, and fills gaps. */
  const rewrite = (v: string | undefined) => (v === undefined ? 'a' : v === 'a' ? 'b' : v === 'b' ? undefined : v);
  type Op =
    | { kind: 'set'; start: number; end: number; value: string }
    | { kind: 'delete'; start: number; end: number }
    | { kind: 'update'; start: number; end: number }
    | { kind: 'replace'; start: number; end: number; cuts: number[]; values: (string | undefined)[] };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.tuple(range, value).map(([[start, end], v]): Op => ({ kind: 'set', start, end, value: v })),
    range.map(([start, end]): Op => ({ kind: 'delete', start, end })),
    range.map(([start, end]): Op => ({ kind: 'update', start, end })),
    fc
      .tuple(range, fc.array(fc.integer({ min: 0, max: SIZE }), { maxLength: 4 }), fc.array(fc.option(value, { nil: undefined }), { minLength: 5, maxLength: 5 }))
      .map(([[start, end], cuts, values]): Op => ({ kind: 'replace', start, end, cuts: [...new Set(cuts.filter((c) => c > start && c < end))].sort((x, y) => x - y), values })),
  );

  function applyMap(m: IntervalMap<string>, o: Op): IntervalMap<string> {
    switch (o.kind) {
      case 'set':
        return m.set(o.start, o.end, o.value);
      case 'delete':
        return m.delete(o.start, o.end);
      case 'update':
        return m.update(o.start, o.end, rewrite);
      case 'replace': {
        const bounds = [o.start, ...o.cuts, o.end];
        const pieces = bounds.slice(1).flatMap((end, i) => (o.values[i] === undefined ? [] : [{ start: bounds[i]!, end, value: o.values[i]! }]));
        return m.replace(o.start, o.end, pieces);
      }
    }
  }

  function applyBytes(bytes: Bytes, o: Op): Bytes {
    const out = [...bytes];
    const bounds = o.kind === 'replace' ? [o.start, ...o.cuts, o.end] : [];
    for (let at = o.start; at < o.end; at++) {
      if (o.kind === 'set') out[at] = o.value;
      else if (o.kind === 'delete') out[at] = undefined;
      else if (o.kind === 'update') out[at] = rewrite(bytes[at]);
      else out[at] = o.values[bounds.findIndex((b, i) => at >= b && at < bounds[i + 1]!)];
    }
    return out;
  }

  /** The array's maximal runs of one defined value. */
  function runsOf(bytes: Bytes, start = 0, end = SIZE): string[] {
    const out: string[] = [];
    for (let at = start; at < end; ) {
      let to = at + 1;
      while (to < end && bytes[to] === bytes[at]) to++;
      if (bytes[at] !== undefined) out.push(`${at}-${to}:${bytes[at]}`);
      at = to;
    }
    return out;
  }

  function expectSame(m: IntervalMap<string>, bytes: Bytes, [start, end]: readonly [number, number]): void {
    expect(runs(m)).toEqual(runsOf(bytes));
    expect(m.isEmpty()).toBe(bytes.every((b) => b === undefined));
    expect(Array.from({ length: SIZE + 1 }, (_, at) => m.get(at))).toEqual([...bytes, undefined]);
    // slice: the runs clipped to the range, so two neighbours may touch where the map splits them.
    const sliced = m.slice(start, end);
    expect(sliced.flatMap((r) => Array.from({ length: r.end - r.start }, (_, k) => [r.start + k, r.value]))).toEqual(
      bytes.flatMap((b, at) => (b !== undefined && at >= start && at < end ? [[at, b]] : [])),
    );
    expect(sliced.map((r) => r.start)).toEqual(m.intervals().filter((r) => r.end > start && r.start < end).map((r) => Math.max(r.start, start)));
    const covered = m.cover(start, end);
    expect(covered.flatMap((r) => Array.from({ length: r.end - r.start }, () => r.value))).toEqual(bytes.slice(start, end));
    expect(covered.every((r, i) => r.start < r.end && (i === 0 ? r.start === start : r.start === covered[i - 1]!.end))).toBe(true);
  }

  test('every operation, query and earlier version agrees with the array', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, query), { minLength: 1, maxLength: 30 }), (steps) => {
        const history: [IntervalMap<string>, Bytes][] = [[IntervalMap.empty<string>(), Array.from({ length: SIZE }, () => undefined)]];
        for (const [o, query] of steps) {
          const [m, bytes] = history[history.length - 1]!;
          history.push([applyMap(m, o), applyBytes(bytes, o)]);
          const [next, nextBytes] = history[history.length - 1]!;
          expectSame(next, nextBytes, query);
        }
        for (const [m, bytes] of history) expect(runs(m)).toEqual(runsOf(bytes));
      }),
      { numRuns: 400, seed: 20261207 },
    );
  });

  test('a merge keeps the value object of the run it extends, as sequential sets do', () => {
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
    const left = [1];
    const piece = [1];
    const right = [1];
    const m = IntervalMap.empty<readonly number[]>(same).set(0, 10, left).set(20, 30, right);
    const merged = m.set(10, 20, piece).intervals();
    expect(merged.map((r) => [r.start, r.end])).toEqual([[0, 30]]);
    expect(merged[0]!.value).toBe(left);
    const rightOnly = IntervalMap.empty<readonly number[]>(same).set(20, 30, right).set(10, 20, piece).intervals();
    expect(rightOnly[0]!.value).toBe(piece);
  });
});
