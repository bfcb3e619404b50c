/*
 * A chart follower's coverage, counted per visit instead of per key: a visit (the transitions one
 * answer took and the states it reached) is one cached object, so counting it is one lookup by
 * identity where counting its keys was one string-keyed lookup and update per state and transition
 * (a parallel chart reaches a dozen states per event). The keys are spelled out only when the
 * coverage is read, visit by visit in the order each was first counted, so every key enters the
 * maps in the order it was first visited, with the same total, as counting key by key gave.
 */
import type { ChartCoverage } from './NodeConformance.js';

/** The coverage keys one event's answer adds to: transitions taken, then states reached. */
export interface Visit {
  readonly transitions: readonly string[];
  readonly states: readonly string[];
}

export class VisitCounts {
  private readonly counts = new Map<Visit, number>();

  add(visit: Visit): void {
    this.counts.set(visit, (this.counts.get(visit) ?? 0) + 1);
  }

  /** The visits so far as coverage maps, keys in the order they were first visited. */
  coverage(): ChartCoverage {
    return this.addTo({ states: new Map(), transitions: new Map() });
  }

  /** Add the visits so far to `coverage`, keys it lacks in the order they were first visited. */
  addTo(coverage: ChartCoverage): ChartCoverage {
    const { states, transitions } = coverage;
    for (const [visit, n] of this.counts) {
      for (const key of visit.transitions) transitions.set(key, (transitions.get(key) ?? 0) + n);
      for (const key of visit.states) states.set(key, (states.get(key) ?? 0) + n);
    }
    return coverage;
  }
}
