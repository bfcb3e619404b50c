/*
 * How a pair event reaches each side's replication node, and what the side observes. The primary
 * VM's disk is quorum(local disk, replication(primary)) with vote-threshold=1 and read-pattern=fifo:
 * its reads are served by the local disk, and its writes succeed when the local write does, whatever
 * the replication child answers. Failover discards the survivor's errors (xen-set-replication with
 * failover=true). Limits: the primary's local disk never fails here (the data model covers that).
 */
import type { Side } from '../../src/scenario/Scenario.js';
import type { NodeEvent } from '../replication/nodeEvents.js';
import { type NodeState, applyNodeEvent, checkpointEmptiedBuffers } from '../replication/nodeState.js';
import { OK, type Outcome } from '../replication/Outcome.js';
import type { PairEvent } from './pairEvents.js';

export interface PairSide {
  readonly node: NodeState;
  /** The side's QEMU is gone (lost in a failover, or crashed). */
  readonly lost: boolean;
}

export interface PairView {
  readonly primary: PairSide;
  readonly secondary: PairSide;
  readonly linkUp: boolean;
}

/** Whether the event is addressed to this side (COLO_CHECKPOINT is addressed to both). */
export function concernsSide(side: Side, event: PairEvent): boolean {
  switch (event.type) {
    case 'START':
    case 'STOP':
    case 'CHECKPOINT':
    case 'STATUS':
      return event.side === side;
    case 'WRITE':
    case 'READ':
      return event.vm === side;
    case 'COLO_CHECKPOINT':
      return true;
    case 'COMMIT_OK':
    case 'COMMIT_FAILED':
      return side === 'secondary';
    case 'FAILOVER':
      return true;
    default:
      return false;
  }
}

/** A forwarded primary write reaches the secondary disk only over a live link to a live secondary. */
export function forwardingWorks(view: PairView): boolean {
  return view.linkUp && !view.secondary.lost;
}

/** The node event a pair event turns into on one side, or null when the node is not involved. */
export function nodeEventFor(side: Side, event: PairEvent, view: PairView): NodeEvent | null {
  if (!concernsSide(side, event)) return null;
  switch (event.type) {
    case 'START':
      return { type: 'START', mode: event.mode ?? side };
    case 'STOP':
      return { type: 'STOP', failover: event.failover };
    case 'CHECKPOINT':
    case 'COLO_CHECKPOINT':
      return { type: 'CHECKPOINT' };
    case 'STATUS':
      return { type: 'GET_ERROR' };
    case 'WRITE':
      return side === 'primary' ? { type: 'WRITE', lowerFailed: !forwardingWorks(view) } : { type: 'WRITE' };
    case 'READ':
      return side === 'primary' ? null : { type: 'READ' };
    case 'FAILOVER':
      return event.lost === side ? null : { type: 'STOP', failover: true };
    case 'COMMIT_OK':
    case 'COMMIT_FAILED':
      return { type: event.type };
    default:
      return null;
  }
}

/** The side's node after the event (unchanged when the node is not involved). */
export function nodeAfter(side: Side, event: PairEvent, view: PairView): NodeState {
  const nodeEvent = nodeEventFor(side, event, view);
  return nodeEvent ? applyNodeEvent(view[side].node, nodeEvent) : view[side].node;
}

/** What the side answers: quorum hides the primary replication child's answer, failover hides errors. */
export function observedOutcome(side: Side, event: PairEvent, node: NodeState): Outcome {
  /* xen-set-replication with failover=true discards the survivor's errors. */
  if (event.type === 'FAILOVER') return OK;
  if (side === 'primary' && (event.type === 'WRITE' || event.type === 'READ')) return OK;
  return node.context.outcome;
}

/**
 * Whether active or hidden hold data a failover commit would copy, after `event` moved the nodes
 * from `before` to `after`: forwarded writes copy clusters into hidden while the backup job lives,
 * secondary writes land in active until a failover completes, a checkpoint or start empties both.
 */
export function bufferHoldsDataAfter(holds: boolean, event: PairEvent, before: PairView, after: PairView): boolean {
  const secondaryBefore = before.secondary.node;
  const secondaryAfter = after.secondary.node;
  if (secondaryBefore.value === 'NONE' && secondaryAfter.value === 'RUNNING') return false;
  if (secondaryAfter.value === 'DONE' && secondaryBefore.value === 'FAILOVER') return false;
  if (event.type === 'CHECKPOINT' || event.type === 'COLO_CHECKPOINT') {
    // A checkpoint of the primary alone leaves the secondary's buffers as they are.
    return concernsSide('secondary', event) && checkpointEmptiedBuffers(secondaryBefore, secondaryAfter) ? false : holds;
  }
  if (event.type === 'WRITE' && event.vm === 'primary') {
    const forwarded = before.primary.node.value === 'RUNNING' && forwardingWorks(before);
    return holds || (forwarded && secondaryBefore.value === 'RUNNING' && secondaryBefore.context.backupJob);
  }
  if (event.type === 'WRITE' && event.vm === 'secondary') {
    const intoActive = secondaryAfter.context.outcome.kind === 'ok' && secondaryAfter.context.secondaryDiskLinked;
    return holds || intoActive;
  }
  return holds;
}
