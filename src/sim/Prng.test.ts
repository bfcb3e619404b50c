import { describe, expect, it } from 'vitest';
import { Prng } from './Prng.js';

const draw = (p: Prng, n: number, max = 99): number[] => Array.from({ length: n }, () => p.int(0, max));

describe('Prng', () => {
  it('pins the sequence of a seed (replays recorded with older runs depend on it)', () => {
    expect(draw(Prng.fromSeed(42), 5)).toEqual([33, 51, 23, 74, 73]);
    expect(draw(Prng.fromSeed(42).derive('schedule'), 5)).toEqual([0, 80, 54, 85, 55]);
  });

  it('gives the same sequence for the same seed and name', () => {
    expect(draw(Prng.fromSeed(7).derive('faults'), 20)).toEqual(draw(Prng.fromSeed(7).derive('faults'), 20));
  });

  it('keeps int within [min, max], both ends reachable', () => {
    const p = Prng.fromSeed(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = p.int(-3, 3);
      expect(v >= -3 && v <= 3 && Number.isInteger(v)).toBe(true);
      seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(p.int(5, 5)).toBe(5);
    expect(() => p.int(2, 1)).toThrow('empty range [2, 1]');
  });

  it('handles ranges wider than 32 bits', () => {
    const p = Prng.fromSeed(3);
    for (let i = 0; i < 100; i++) {
      const v = p.int(0, 2 ** 40);
      expect(v >= 0 && v <= 2 ** 40 && Number.isInteger(v)).toBe(true);
    }
  });

  it('derives streams that draws on another stream cannot shift', () => {
    const root = Prng.fromSeed(9);
    const expected = draw(root.derive('b'), 10);
    const root2 = Prng.fromSeed(9);
    const a = root2.derive('a');
    draw(a, 1000);
    draw(root2, 1000);
    expect(draw(root2.derive('b'), 10)).toEqual(expected);
  });

  it('derives different streams for different names, seeds and paths', () => {
    const sequences = [
      draw(Prng.fromSeed(9).derive('a'), 8, 1e9),
      draw(Prng.fromSeed(9).derive('b'), 8, 1e9),
      draw(Prng.fromSeed(10).derive('a'), 8, 1e9),
      draw(Prng.fromSeed(9).derive('a').derive('b'), 8, 1e9),
      draw(Prng.fromSeed(9), 8, 1e9),
    ].map((s) => s.join(','));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(Prng.fromSeed(9).derive('a').derive('b').path).toBe('a/b');
  });

  it('gives distinct root streams for negative seeds and their neighbours (seed -1 is not seed 0)', () => {
    const roots = [-2, -1, 0, 1, 2 ** 32, 2 ** 32 - 1].map((s) => draw(Prng.fromSeed(s), 4, 1e9).join(','));
    expect(new Set(roots).size).toBe(roots.length);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => Prng.fromSeed(1.5)).toThrow('seed must be an integer, got 1.5');
    expect(() => Prng.fromSeed(2 ** 53)).toThrow(RangeError);
  });

  it('clones a stream without disturbing it', () => {
    const p = Prng.fromSeed(5);
    draw(p, 3);
    const c = p.clone();
    const fromClone = draw(c, 10);
    expect(draw(p, 10)).toEqual(fromClone);
  });

  it('chance and pick draw within their bounds', () => {
    const p = Prng.fromSeed(11);
    let hits = 0;
    for (let i = 0; i < 1000; i++) if (p.chance(1, 4)) hits++;
    expect(hits).toBeGreaterThan(180);
    expect(hits).toBeLessThan(320);
    expect(Prng.fromSeed(11).chance(0, 4)).toBe(false);
    expect(Prng.fromSeed(11).chance(4, 4)).toBe(true);
    const items = ['x', 'y', 'z'] as const;
    const picked = new Set(Array.from({ length: 200 }, () => p.pick(items)));
    expect([...picked].sort()).toEqual(['x', 'y', 'z']);
    expect(() => p.pick([])).toThrow('pick from an empty list');
  });
});
