/*
 * A checked run seen through the replication chart: the trace the HTML chart page steps through
 * (`colosim chart --format html --trace FILE`: one lane per node, violations marked), and XState's own inspection events, obtained by
 * driving one live actor per node with the events the checker applied.
 */
import { createActor } from 'xstate';
import { formatEvent } from '../../models/paths/replayPath.js';
import type { TraceStep } from '../../models/render/trace.js';
import type { Violation } from '../check/Invariant.js';
import { replicationNode } from '../../models/replication/replicationNode.js';
import type { ChartStep } from '../check/NodeConformance.js';
import type { Profile } from '../scenario/Scenario.js';

/**
 * One step per applied event, in the lane of its node (each node's chart starts where the checker
 * starts it: opened), with the scenario step, the transitions taken, and each violation on the last
 * chart step at or before the step it was found at (the first chart step if none came before).
 */
export function chartTrace(log: readonly ChartStep[], violations: readonly Violation[] = []): TraceStep[] {
  const marks = new Map<number, string[]>();
  for (const v of violations) {
    let at = -1;
    log.forEach((s, i) => {
      if (s.step <= v.step) at = i;
    });
    const i = Math.max(0, at);
    marks.set(i, [...(marks.get(i) ?? []), `${v.invariant} at step ${v.step}: ${v.message}`]);
  }
  return log.map((s, i) => ({
    machine: 'node',
    lane: s.node,
    state: s.state,
    event: formatEvent(withoutUndefined(s.event)),
    step: s.step,
    ...(s.transitions.length ? { transitions: s.transitions } : {}),
    ...(marks.has(i) ? { violation: marks.get(i)!.join('; ') } : {}),
  }));
}

/** An event without its fields that are present but undefined (START's fault, when there is none). */
function withoutUndefined<T extends object>(event: T): T {
  return Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined)) as T;
}

/** XState inspection events (@xstate.actor, @xstate.event, @xstate.snapshot, ...) as JSON lines. */
export function inspectionLines(log: readonly ChartStep[], profile: Profile): string[] {
  const lines: string[] = [];
  const actors = new Map<string, ReturnType<typeof createActor<typeof replicationNode>>>();
  const actorFor = (node: string, mode: ChartStep['mode']) => {
    let actor = actors.get(node);
    if (!actor) {
      actor = createActor(replicationNode, {
        input: { mode, profile },
        systemId: node,
        inspect: (event) => {
          const snapshot = 'snapshot' in event ? (event.snapshot as { value?: unknown }) : undefined;
          lines.push(JSON.stringify({ node, type: event.type, event: 'event' in event ? event.event : undefined, value: snapshot?.value }));
        },
      });
      actor.start();
      actor.send({ type: 'OPEN', topId: mode === 'secondary' });
      actors.set(node, actor);
    }
    return actor;
  };
  for (const s of log) actorFor(s.node, s.mode).send(s.event);
  for (const actor of actors.values()) actor.stop();
  return lines;
}
