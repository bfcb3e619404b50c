/*
 * Event sequences that visit every reachable state and take every reachable transition of a chart.
 * @xstate/graph explores the chart (getAdjacencyMap, bounded by `limit`) and gives one shortest path
 * to each explored state (getShortestPaths); those paths never take a transition back into a state
 * already reached, self-loops included, so every explored edge whose transition is still untaken
 * is added as "shortest path to its source + its event". Which chart transition an edge takes comes
 * from the machine itself (replayPath.ts); "reachable" means taken by some explored edge.
 * Limits: exploration is per input and profile; the event sets are the catalog's finite lists.
 */
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import type { EventObject } from 'xstate';
import type { Profile } from '../../src/scenario/Scenario.js';
import { activeStateIds, chartStates, chartTransitions, describeTransition } from './chartTransitions.js';
import { type AnySnapshot, type ModelSpec, profilesOf } from './modelCatalog.js';
import { type VisitCounts, addVisits, emptyVisitCounts, replayPath } from './replayPath.js';

/** Exploration bound: more explored states than this is a modelling error, not a big chart. */
export const EXPLORATION_LIMIT = 20000;

export interface ModelPath {
  readonly model: string;
  readonly profile: Profile;
  readonly input: unknown;
  readonly events: readonly EventObject[];
}

export interface Reachable {
  readonly states: ReadonlySet<string>;
  readonly transitions: ReadonlySet<string>;
  /** How many distinct (control) states the exploration found. */
  readonly exploredStates: number;
}

export interface PathSet {
  readonly paths: readonly ModelPath[];
  readonly reachable: Reachable;
}

interface Edge {
  readonly source: string;
  readonly event: EventObject;
  readonly transitions: readonly string[];
}

function explore(spec: ModelSpec, input: unknown, withPaths = true) {
  const options = {
    input,
    events: (s: AnySnapshot) => spec.events(s),
    serializeState: (s: AnySnapshot) => spec.serialize(s),
    limit: EXPLORATION_LIMIT,
  };
  const adjacency = getAdjacencyMap(spec.machine, options);
  const shortest = new Map<string, EventObject[]>();
  for (const path of withPaths ? getShortestPaths(spec.machine, options) : []) {
    /* Each path's first step is the synthetic xstate.init; the rest are the events that reach it. */
    shortest.set(spec.serialize(path.state as AnySnapshot), path.steps.slice(1).map((step) => step.event as EventObject));
  }
  const edges: Edge[] = [];
  const states = new Set<string>();
  for (const [source, { state, transitions }] of Object.entries(adjacency)) {
    for (const id of activeStateIds(spec.machine.id, (state as AnySnapshot).value)) states.add(id);
    for (const { event } of Object.values(transitions) as { event: EventObject }[]) {
      const taken = spec.machine.getTransitionData(state as AnySnapshot, event).map((t) => describeTransition(t).key);
      edges.push({ source, event: event as EventObject, transitions: taken });
    }
  }
  return { adjacency, shortest, edges, states };
}

/** The states and transitions the exploration reaches under `profile` (no paths: cheaper than coveringPaths). */
export function reachableUnder(spec: ModelSpec, profile: Profile): Reachable {
  const states = new Set<string>();
  const transitions = new Set<string>();
  let exploredStates = 0;
  for (const input of spec.inputs(profile)) {
    const explored = explore(spec, input, false);
    exploredStates += Object.keys(explored.adjacency).length;
    explored.states.forEach((s) => states.add(s));
    for (const edge of explored.edges) edge.transitions.forEach((t) => transitions.add(t));
  }
  return { states, transitions, exploredStates };
}

/** Paths covering every reachable state and transition of `spec` under `profile`, over all its inputs. */
export function coveringPaths(spec: ModelSpec, profile: Profile): PathSet {
  const paths: ModelPath[] = [];
  const reachableStates = new Set<string>();
  const reachableTransitions = new Set<string>();
  let exploredStates = 0;
  for (const input of spec.inputs(profile)) {
    const { adjacency, shortest, edges, states } = explore(spec, input);
    exploredStates += Object.keys(adjacency).length;
    for (const id of states) reachableStates.add(id);
    const covered = new Set<string>();
    const inputPaths: EventObject[][] = [];
    const take = (events: EventObject[]) => {
      inputPaths.push(events);
      for (const step of replayPath(spec.machine, input, events).steps) for (const key of step.transitions) covered.add(key);
    };
    for (const events of shortest.values()) take(events);
    for (const edge of edges) {
      for (const key of edge.transitions) reachableTransitions.add(key);
      if (edge.transitions.some((key) => !covered.has(key))) take([...shortest.get(edge.source)!, edge.event]);
    }
    for (const events of withoutPrefixes(inputPaths)) paths.push({ model: spec.name, profile, input, events });
  }
  return { paths, reachable: { states: reachableStates, transitions: reachableTransitions, exploredStates } };
}

/** Drop every path that is a prefix of another one (its visits are part of the longer path's). */
function withoutPrefixes(paths: readonly EventObject[][]): EventObject[][] {
  const keyed = paths.map((events) => ({ events, key: events.map((e) => JSON.stringify(e)) }));
  keyed.sort((a, b) => b.key.length - a.key.length);
  const kept: typeof keyed = [];
  for (const path of keyed) {
    const isPrefix = kept.some((longer) => path.key.every((k, i) => longer.key[i] === k));
    if (!isPrefix) kept.push(path);
  }
  /* Back to a stable, readable order: shortest first, then by content. */
  kept.sort((a, b) => a.key.length - b.key.length || a.key.join().localeCompare(b.key.join()));
  return kept.map((p) => p.events);
}

export function visitCountsOf(spec: ModelSpec, paths: readonly ModelPath[]): VisitCounts {
  const counts = emptyVisitCounts();
  for (const path of paths) addVisits(counts, replayPath(spec.machine, path.input, path.events));
  return counts;
}

/** How much of a chart's states or transitions were visited, of those reachable, of all in the chart. */
export interface CoverageFraction {
  readonly visited: number;
  readonly reachable: number;
  readonly total: number;
}

export interface CoverageFigures {
  readonly model: string;
  readonly profile: Profile | 'all';
  readonly paths: number;
  readonly events: number;
  readonly exploredStates: number;
  /** Chart states: visited / reachable / in the chart. */
  readonly states: CoverageFraction;
  readonly transitions: CoverageFraction;
  /** Chart transitions no explored edge takes under this profile (the other profile's rules). */
  readonly unreachableTransitions: readonly string[];
  readonly unvisitedStates: readonly string[];
  readonly unvisitedTransitions: readonly string[];
}

export function coverageFigures(spec: ModelSpec, profile: Profile | 'all', set: PathSet, counts: VisitCounts): CoverageFigures {
  const allStates = chartStates(spec.machine).map((s) => s.id);
  const allTransitions = chartTransitions(spec.machine).map((t) => t.key);
  const visitedStates = allStates.filter((id) => (counts.states[id] ?? 0) > 0);
  const visitedTransitions = allTransitions.filter((key) => (counts.transitions[key] ?? 0) > 0);
  return {
    model: spec.name,
    profile,
    paths: set.paths.length,
    events: set.paths.reduce((n, p) => n + p.events.length, 0),
    exploredStates: set.reachable.exploredStates,
    states: { visited: visitedStates.length, reachable: set.reachable.states.size, total: allStates.length },
    transitions: { visited: visitedTransitions.length, reachable: set.reachable.transitions.size, total: allTransitions.length },
    unreachableTransitions: allTransitions.filter((key) => !set.reachable.transitions.has(key)),
    unvisitedStates: allStates.filter((id) => !(counts.states[id] ?? 0)),
    unvisitedTransitions: allTransitions.filter((key) => !(counts.transitions[key] ?? 0)),
  };
}

/** Coverage of one model: per profile, and over all profiles together. */
/** Coverage figures per profile and overall, the covering paths, and their merged visit counts. */
export function modelCoverage(spec: ModelSpec): { perProfile: CoverageFigures[]; overall: CoverageFigures; paths: ModelPath[]; counts: VisitCounts } {
  const perProfile: CoverageFigures[] = [];
  const all: ModelPath[] = [];
  const states = new Set<string>();
  const transitions = new Set<string>();
  let exploredStates = 0;
  const overallCounts = emptyVisitCounts();
  for (const profile of profilesOf(spec)) {
    const set = coveringPaths(spec, profile);
    const counts = visitCountsOf(spec, set.paths);
    perProfile.push(coverageFigures(spec, spec.profileDependent ? profile : 'all', set, counts));
    all.push(...set.paths);
    set.reachable.states.forEach((s) => states.add(s));
    set.reachable.transitions.forEach((t) => transitions.add(t));
    exploredStates += set.reachable.exploredStates;
    mergeCounts(overallCounts, counts);
  }
  const overall = coverageFigures(spec, 'all', { paths: all, reachable: { states, transitions, exploredStates } }, overallCounts);
  return { perProfile, overall, paths: all, counts: overallCounts };
}

export function mergeCounts(into: VisitCounts, from: VisitCounts): VisitCounts {
  for (const [k, v] of Object.entries(from.states)) into.states[k] = (into.states[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.transitions)) into.transitions[k] = (into.transitions[k] ?? 0) + v;
  return into;
}
