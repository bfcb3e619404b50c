/*
 * A replication node's state as plain data (stage + context), and the pure step that applies one
 * event through the chart with XState's `transition`. Other models (the COLO pair, the outcome
 * table, the scenario generator) keep nodes in this form, so a node's rules live only in the chart.
 */
import { initialTransition } from 'xstate';
import { EventMemo } from '../paths/eventMemo.js';
import { pureTransition } from '../paths/pureTransition.js';
import type { Profile, Side } from '../../src/scenario/Scenario.js';
import type { NodeEvent } from './nodeEvents.js';
import { type NodeContext, type NodeStateValue, replicationNode } from './replicationNode.js';

export interface NodeState {
  readonly value: NodeStateValue;
  readonly context: NodeContext;
}

/** A node before -drive / blockdev-add. */
export function unopenedNode(mode: Side, profile: Profile): NodeState {
  const [snapshot] = initialTransition(replicationNode, { mode, profile });
  return { value: snapshot.value, context: snapshot.context };
}

/** A node opened the way the reference's command lines open it (top-id only on the secondary). */
export function openedNode(mode: Side, profile: Profile): NodeState {
  return applyNodeEvent(unopenedNode(mode, profile), { type: 'OPEN', topId: mode === 'secondary' });
}

/**
 * Whether a checkpoint that took a node from `before` to `after` emptied active and hidden: the
 * chart answered ok to a secondary in RUNNING (checkpointIn's last case; it needs the backup job).
 */
export function checkpointEmptiedBuffers(before: NodeState, after: NodeState): boolean {
  return before.context.mode === 'secondary' && before.value === 'RUNNING' && after.context.lastEvent === 'CHECKPOINT' && after.context.outcome.kind === 'ok';
}

/**
 * Each state's successors by event. The step is a pure function of (state, event), and the pair
 * chart asks it again and again of the same node state (every guard of a pair transition does):
 * remembered per state object, it is computed once.
 */
const successors = new EventMemo<NodeState, NodeState, NodeEvent>();

export function applyNodeEvent(state: NodeState, event: NodeEvent): NodeState {
  return successors.answer(state, event, successor);
}

/** The chart's step itself, through XState. */
function successor(state: NodeState, event: NodeEvent): NodeState {
  const snapshot = replicationNode.resolveState({ value: state.value, context: state.context });
  const after = pureTransition(replicationNode, snapshot, event);
  return { value: after.value, context: after.context };
}

/** Apply events in order; the result of the last one is in `context.outcome`. */
export function applyNodeEvents(state: NodeState, events: readonly NodeEvent[]): NodeState {
  return events.reduce(applyNodeEvent, state);
}
