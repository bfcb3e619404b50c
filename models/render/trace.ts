/*
 * A run as the HTML page steps through it: a JSON list of steps, each naming a machine, the state it
 * is in after the step (one state path, or a list for parallel regions) and the event that led there:
 *   [ { "machine": "node", "state": "NONE", "event": "OPEN" },
 *     { "machine": "pair", "state": ["primary.RUNNING", "secondary.FAILOVER", "link.UP"], "event": "FAILOVER" } ]
 * State paths are relative to the machine (`RUNNING`, `secondary.FAILOVER`); `event` may be left out
 * (e.g. for the initial state). Optional: `lane` names which instance of the machine took the step
 * (`replication-primary`: the player keeps one lane per node, so two nodes never share one state),
 * `step` the scenario step it belongs to, `transitions` the chart transitions it took (keys of
 * paths/chartTransitions.ts, highlighted as the taken edge), `violation` the violation found there.
 * traceOfReplay writes such a trace for a model path.
 */
import { type Replay, formatEvent } from '../paths/replayPath.js';

export interface TraceStep {
  readonly machine: string;
  readonly state: string | readonly string[];
  readonly event?: string;
  readonly lane?: string;
  readonly step?: number;
  readonly transitions?: readonly string[];
  readonly violation?: string;
}

export class TraceFileError extends Error {
  readonly code = 'BAD_TRACE';
}

export function parseTrace(raw: unknown, source = 'trace'): TraceStep[] {
  if (!Array.isArray(raw)) throw new TraceFileError(`${source}: must be a JSON array of steps`);
  return raw.map((step, i) => {
    const where = `${source}[${i}]`;
    if (!step || typeof step !== 'object' || Array.isArray(step)) throw new TraceFileError(`${where}: must be an object with "machine", "state" and optionally "event"`);
    const { machine, state, event, lane, step: scenarioStep, transitions, violation, ...rest } = step as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw new TraceFileError(`${where}: unknown field "${extra[0]}"`);
    if (typeof machine !== 'string' || !machine) throw new TraceFileError(`${where}.machine: must be a machine name`);
    const states = Array.isArray(state) ? state : [state];
    if (states.length === 0 || !states.every((s) => typeof s === 'string' && s.length > 0)) throw new TraceFileError(`${where}.state: must be a state path or a list of them`);
    if (event !== undefined && typeof event !== 'string') throw new TraceFileError(`${where}.event: must be a string`);
    if (lane !== undefined && (typeof lane !== 'string' || !lane)) throw new TraceFileError(`${where}.lane: must be a name`);
    if (scenarioStep !== undefined && !(Number.isSafeInteger(scenarioStep) && (scenarioStep as number) >= 0)) throw new TraceFileError(`${where}.step: must be a scenario step number (an integer >= 0)`);
    if (transitions !== undefined && !(Array.isArray(transitions) && transitions.every((t) => typeof t === 'string'))) throw new TraceFileError(`${where}.transitions: must be a list of transition keys`);
    if (violation !== undefined && typeof violation !== 'string') throw new TraceFileError(`${where}.violation: must be a string`);
    return {
      machine,
      state: Array.isArray(state) ? (state as string[]) : (state as string),
      ...(event !== undefined ? { event: event as string } : {}),
      ...(lane !== undefined ? { lane: lane as string } : {}),
      ...(scenarioStep !== undefined ? { step: scenarioStep as number } : {}),
      ...(transitions !== undefined ? { transitions: transitions as string[] } : {}),
      ...(violation !== undefined ? { violation: violation as string } : {}),
    };
  });
}

/** The trace of a replayed path: the initial state, then one step per event (leaf states only). */
export function traceOfReplay(machineId: string, replay: Replay): TraceStep[] {
  const leaves = (ids: readonly string[]) => {
    const paths = ids.map((id) => id.slice(machineId.length + 1));
    const leafPaths = paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`)));
    return leafPaths.length === 1 ? leafPaths[0]! : leafPaths;
  };
  return [
    { machine: machineId, state: leaves(replay.initialStates) },
    ...replay.steps.map((step) => ({ machine: machineId, state: leaves(step.states), event: formatEvent(step.event), ...(step.transitions.length ? { transitions: step.transitions } : {}) })),
  ];
}
