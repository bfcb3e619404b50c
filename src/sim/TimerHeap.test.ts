import { describe, expect, it } from 'vitest';
import { Prng } from './Prng.js';
import { TimerHeap } from './TimerHeap.js';

interface T {
  readonly deadline: number;
  readonly seq: number;
}

const drain = (heap: TimerHeap<T>): T[] => {
  const out: T[] = [];
  for (let t = heap.pop(); t; t = heap.pop()) out.push(t);
  return out;
};

describe('TimerHeap', () => {
  it('pops by deadline, ties by sequence number, whatever the push order', () => {
    const heap = new TimerHeap<T>();
    for (const t of [
      { deadline: 5, seq: 3 },
      { deadline: 1, seq: 9 },
      { deadline: 5, seq: 1 },
      { deadline: 0, seq: 4 },
      { deadline: 5, seq: 2 },
      { deadline: 1, seq: 8 },
    ]) {
      heap.push(t);
    }
    expect(heap.size).toBe(6);
    expect(heap.peek()).toEqual({ deadline: 0, seq: 4 });
    expect(drain(heap).map((t) => `${t.deadline}/${t.seq}`)).toEqual(['0/4', '1/8', '1/9', '5/1', '5/2', '5/3']);
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
  });

  it('matches a sort by (deadline, seq) on many random timers, with pops interleaved', () => {
    const prng = Prng.fromSeed(1);
    const heap = new TimerHeap<T>();
    const model: T[] = [];
    const popped: T[] = [];
    const expected: T[] = [];
    const order = (a: T, b: T): number => a.deadline - b.deadline || a.seq - b.seq;
    for (let seq = 0; seq < 500; seq++) {
      const t = { deadline: prng.int(0, 20), seq };
      heap.push(t);
      model.push(t);
      if (prng.chance(1, 3)) {
        model.sort(order);
        expected.push(model.shift()!);
        popped.push(heap.pop()!);
      }
    }
    expect(popped).toEqual(expected);
    expect(drain(heap)).toEqual(model.sort(order));
  });
});
