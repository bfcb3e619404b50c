/*
 * pureTransition answers as XState's transition does: on seeded random walks through every chart
 * (each profile's inputs, every event the catalogue tries), the next snapshot has the same state,
 * context and status at every step, and the walks reach many states (so the comparison is not
 * made only at the start).
 */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type AnySnapshot, MODEL_NAMES, MODELS, profilesOf } from './modelCatalog.js';
import { pureTransition } from './pureTransition.js';

/** A small deterministic generator (the walks must be the same on every run). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

describe('pureTransition', () => {
  for (const name of MODEL_NAMES) {
    test(`${name}: the same next snapshot as xstate's transition on random walks`, () => {
      const spec = MODELS[name];
      const next = lcg(7);
      const seen = new Set<string>();
      for (const profile of profilesOf(spec)) {
        for (const input of spec.inputs(profile)) {
          for (let walk = 0; walk < 20; walk++) {
            let snapshot = initialTransition(spec.machine, input)[0] as AnySnapshot;
            for (let i = 0; i < 30 && snapshot.status === 'active'; i++) {
              const events = spec.events(snapshot);
              const event = events[next() % events.length]!;
              const expected = transition(spec.machine, snapshot, event)[0] as AnySnapshot;
              const actual = pureTransition(spec.machine, snapshot, event);
              expect({ value: actual.value, context: actual.context, status: actual.status }).toEqual({ value: expected.value, context: expected.context, status: expected.status });
              snapshot = expected;
              seen.add(spec.serialize(snapshot));
            }
          }
        }
      }
      expect(seen.size).toBeGreaterThan(5);
    });
  }
});
