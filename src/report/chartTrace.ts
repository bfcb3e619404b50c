/*
 * A checked run seen through the replication chart: the trace the HTML chart page steps through
 * (`colosim chart --format html --trace FILE`), and XState's own inspection events, obtained by
 * driving one live actor per node with the events the checker applied.
 */
import { createActor } from 'xstate';
import type { TraceStep } from '../../models/render/trace.js';
import { replicationNode } from '../../models/replication/replicationNode.js';
import type { ChartStep } from '../check/NodeConformance.js';
import type { Profile } from '../scenario/Scenario.js';

/** One step per applied event, each node's chart starting where the checker starts it (opened). */
export function chartTrace(log: readonly ChartStep[]): TraceStep[] {
  return log.map((s) => ({ machine: 'node', state: s.state, event: `${s.event.type} (${s.node})` }));
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
