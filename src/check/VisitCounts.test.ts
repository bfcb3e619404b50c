/*
 * VisitCounts spells out the same coverage as counting key by key: the same totals, and every key
 * in the order it was first visited, also when a later visit brings a key back or a new key sits
 * between old ones.
 */
import { describe, expect, it } from 'vitest';
import { type Visit, VisitCounts } from './VisitCounts.js';

/** What counting each visit's keys at once, as the followers used to, gives. */
function keyByKey(visits: readonly Visit[]): { states: [string, number][]; transitions: [string, number][] } {
  const states = new Map<string, number>();
  const transitions = new Map<string, number>();
  for (const v of visits) {
    for (const t of v.transitions) transitions.set(t, (transitions.get(t) ?? 0) + 1);
    for (const s of v.states) states.set(s, (states.get(s) ?? 0) + 1);
  }
  return { states: [...states], transitions: [...transitions] };
}

describe('VisitCounts', () => {
  it('gives the totals and first-visit order that counting key by key gives', () => {
    const a: Visit = { transitions: ['t1'], states: ['s1', 's2'] };
    const b: Visit = { transitions: [], states: ['s3'] };
    const c: Visit = { transitions: ['t2', 't1'], states: ['s2', 's4', 's1'] };
    const sequence = [a, b, a, c, b, a, c];
    const counts = new VisitCounts();
    for (const v of sequence) counts.add(v);
    const coverage = counts.coverage();
    expect([...coverage.states]).toEqual([
      ['s1', 5],
      ['s2', 5],
      ['s3', 2],
      ['s4', 2],
    ]);
    expect([...coverage.transitions]).toEqual([
      ['t1', 5],
      ['t2', 2],
    ]);
    expect({ states: [...coverage.states], transitions: [...coverage.transitions] }).toEqual(keyByKey(sequence));
  });

  it('counts nothing before the first visit', () => {
    const coverage = new VisitCounts().coverage();
    expect(coverage.states.size).toBe(0);
    expect(coverage.transitions.size).toBe(0);
  });
});
