/*
 * The table (profile, mode, stage, event) -> outcome and next stage, read off the replication node
 * chart: each (mode, stage) is reached by driving the chart along the shortest realistic path, then
 * every operation of reference §2.4 (and a few faults) is applied to that state. DONE appears twice
 * for the secondary because how it was reached matters (error flag, v24's secondary_disk pointer).
 * Limits: only (mode, stage) pairs a node can reach; the primary never enters FAILOVER(_FAILED).
 */
import type { Profile, Side } from '../../src/scenario/Scenario.js';
import { MODEL_PROFILES } from './profiles.js';
import type { NodeEvent } from './nodeEvents.js';
import { type NodeState, applyNodeEvent, applyNodeEvents, openedNode } from './nodeState.js';
import { formatOutcome } from './Outcome.js';

/** A (mode, stage) of the table and the events that reach it from a freshly opened node. */
export interface TableStage {
  readonly mode: Side;
  readonly stage: string;
  /** How the stage was reached, when the stage name alone does not say it. */
  readonly via?: string;
  readonly path: readonly NodeEvent[];
}

const START_PRIMARY: NodeEvent = { type: 'START', mode: 'primary' };
const START_SECONDARY: NodeEvent = { type: 'START', mode: 'secondary' };
const FAILOVER_STOP: NodeEvent = { type: 'STOP', failover: true };

export const TABLE_STAGES: readonly TableStage[] = [
  { mode: 'primary', stage: 'NONE', path: [] },
  { mode: 'primary', stage: 'RUNNING', path: [START_PRIMARY] },
  { mode: 'primary', stage: 'DONE', path: [START_PRIMARY, { type: 'STOP', failover: false }] },
  { mode: 'secondary', stage: 'NONE', path: [] },
  { mode: 'secondary', stage: 'RUNNING', path: [START_SECONDARY] },
  { mode: 'secondary', stage: 'FAILOVER', path: [START_SECONDARY, FAILOVER_STOP] },
  { mode: 'secondary', stage: 'FAILOVER_FAILED', path: [START_SECONDARY, FAILOVER_STOP, { type: 'COMMIT_FAILED' }] },
  { mode: 'secondary', stage: 'DONE', via: 'failover', path: [START_SECONDARY, FAILOVER_STOP, { type: 'COMMIT_OK' }] },
  { mode: 'secondary', stage: 'DONE', via: 'stop', path: [START_SECONDARY, { type: 'STOP', failover: false }] },
];

/** The operations of the table, with the label a row prints. */
export const TABLE_EVENTS: readonly { readonly label: string; readonly event: NodeEvent }[] = [
  { label: 'START(primary)', event: START_PRIMARY },
  { label: 'START(secondary)', event: START_SECONDARY },
  { label: 'CHECKPOINT', event: { type: 'CHECKPOINT' } },
  { label: 'CHECKPOINT(active make_empty fails)', event: { type: 'CHECKPOINT', fault: 'activeMakeEmptyFailed' } },
  { label: 'CHECKPOINT(hidden ejected)', event: { type: 'CHECKPOINT', fault: 'hiddenEjected' } },
  { label: 'GET_ERROR', event: { type: 'GET_ERROR' } },
  { label: 'STOP(failover=false)', event: { type: 'STOP', failover: false } },
  { label: 'STOP(failover=true)', event: FAILOVER_STOP },
  { label: 'READ', event: { type: 'READ' } },
  { label: 'WRITE', event: { type: 'WRITE' } },
  { label: 'WRITE(lower fails)', event: { type: 'WRITE', lowerFailed: true } },
  { label: 'BACKUP_JOB_FAILED', event: { type: 'BACKUP_JOB_FAILED' } },
  { label: 'COMMIT_OK', event: { type: 'COMMIT_OK' } },
  { label: 'COMMIT_FAILED', event: { type: 'COMMIT_FAILED' } },
  { label: 'CLOSE', event: { type: 'CLOSE' } },
];

export interface OutcomeRow {
  readonly profile: Profile;
  readonly mode: Side;
  /** The stage, with `via` appended in parentheses when it has one: `DONE(failover)`. */
  readonly stage: string;
  readonly event: string;
  /** formatOutcome of the event's outcome. */
  readonly outcome: string;
  /** The state the node is in afterwards. */
  readonly next: string;
}

export function stageLabel(stage: TableStage): string {
  return stage.via ? `${stage.stage}(${stage.via})` : stage.stage;
}

/** The node a table stage names, reached by driving the chart. */
export function reachTableStage(profile: Profile, stage: TableStage): NodeState {
  const node = applyNodeEvents(openedNode(stage.mode, profile), stage.path);
  if (node.value !== stage.stage) throw new Error(`table path for ${stage.mode} ${stageLabel(stage)} ends in ${node.value}`);
  return node;
}

export function outcomeTable(profiles: readonly Profile[] = MODEL_PROFILES): OutcomeRow[] {
  const rows: OutcomeRow[] = [];
  for (const profile of profiles) {
    for (const stage of TABLE_STAGES) {
      const node = reachTableStage(profile, stage);
      for (const { label, event } of TABLE_EVENTS) {
        const after = applyNodeEvent(node, event);
        rows.push({ profile, mode: stage.mode, stage: stageLabel(stage), event: label, outcome: formatOutcome(after.context.outcome), next: after.value });
      }
    }
  }
  return rows;
}

/** The table as aligned text, one row a line: profile, mode, stage, event, outcome, next state. */
export function formatOutcomeTable(rows: readonly OutcomeRow[]): string {
  const header: OutcomeRow = { profile: 'profile' as Profile, mode: 'mode' as Side, stage: 'stage', event: 'event', outcome: 'outcome', next: 'next' };
  const cells = [header, ...rows].map((r) => [r.profile, r.mode, r.stage, r.event, r.next, r.outcome]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
