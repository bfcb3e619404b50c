/*
 * Replays an event sequence on a chart with XState's pure `transition` and records what it visits:
 * the active states after every step and the chart transitions each event takes (one per parallel
 * region that handles it), found with the machine's own transition selection (`getTransitionData`).
 * Counts from many replays add up into a coverage file (render/coverageStyle.ts describes it).
 */
import { type AnyStateMachine, type EventObject, initialTransition, transition } from 'xstate';
import type { AnySnapshot } from './modelCatalog.js';
import { activeStateIds, describeTransition } from './chartTransitions.js';

export interface ReplayStep {
  readonly event: EventObject;
  /** Keys of the chart transitions the event took (empty: the chart ignored it). */
  readonly transitions: readonly string[];
  /** Active state ids after the event. */
  readonly states: readonly string[];
  readonly snapshot: AnySnapshot;
}

export interface Replay {
  readonly initialStates: readonly string[];
  readonly initial: AnySnapshot;
  readonly steps: readonly ReplayStep[];
}

/** Visits per state id and per transition key. */
export interface VisitCounts {
  states: Record<string, number>;
  transitions: Record<string, number>;
}

export function replayPath(machine: AnyStateMachine, input: unknown, events: readonly EventObject[]): Replay {
  const [initial] = initialTransition(machine, input);
  let snapshot = initial as AnySnapshot;
  const steps: ReplayStep[] = [];
  for (const event of events) {
    if (snapshot.status !== 'active') throw new Error(`replayPath: ${machine.id} reached a final state before ${event.type}`);
    const taken = machine.getTransitionData(snapshot, event).map((t) => describeTransition(t).key);
    [snapshot] = transition(machine, snapshot, event) as [AnySnapshot, unknown];
    steps.push({ event, transitions: taken, states: activeStateIds(machine.id, snapshot.value), snapshot });
  }
  return { initialStates: activeStateIds(machine.id, initial.value), initial: initial as AnySnapshot, steps };
}

/** An event as text: `START(secondary)`, `STOP(secondary, true)`, `CHECKPOINT`. */
export function formatEvent(event: EventObject): string {
  const { type, ...rest } = event as EventObject & Record<string, unknown>;
  const args = Object.values(rest).map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)));
  return args.length ? `${type}(${args.join(', ')})` : type;
}

export function emptyVisitCounts(): VisitCounts {
  return { states: {}, transitions: {} };
}

/** Add one replay's visits (its initial states count once). */
export function addVisits(counts: VisitCounts, replay: Replay): VisitCounts {
  const bump = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  for (const id of replay.initialStates) bump(counts.states, id);
  for (const step of replay.steps) {
    for (const key of step.transitions) bump(counts.transitions, key);
    for (const id of step.states) bump(counts.states, id);
  }
  return counts;
}
