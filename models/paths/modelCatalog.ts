/*
 * The charts colosim models, by name, with what exploring them needs: the inputs that start them
 * (the node runs once per mode), a finite set of events to try in each state, and a serializer that
 * keeps only the control part of the context (outcomes and labels are left out, so the explored
 * graph is the chart's, not the history of answers). Jobs do not depend on the profile.
 */
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import type { Profile } from '../../src/scenario/Scenario.js';
import { MODEL_PROFILES } from '../replication/profiles.js';
import { coloPair, type PairContext } from '../colo/coloPair.js';
import type { PairEvent } from '../colo/pairEvents.js';
import { backupJob } from '../jobs/backupJob.js';
import { commitJob } from '../jobs/commitJob.js';
import { CHECKPOINT_FAULTS, type NodeEvent, START_CHECKS } from '../replication/nodeEvents.js';
import { type NodeContext, replicationNode } from '../replication/replicationNode.js';

export type ModelName = 'node' | 'pair' | 'backup' | 'commit';
export const MODEL_NAMES: readonly ModelName[] = ['node', 'pair', 'backup', 'commit'];

export type AnySnapshot = AnyMachineSnapshot;

export interface ModelSpec {
  readonly name: ModelName;
  readonly title: string;
  readonly machine: AnyStateMachine;
  readonly profileDependent: boolean;
  /** The inputs to explore from, for one profile. */
  inputs(profile: Profile): readonly unknown[];
  /** The events to try in a state. */
  events(snapshot: AnySnapshot): readonly EventObject[];
  /** The state's identity for exploration. */
  serialize(snapshot: AnySnapshot): string;
}

/** Block-layer messages the model passes through unchanged; the text is ours, not QEMU's. */
export const SIMULATED_REOPEN_ERROR = 'simulated reopen failure';
export const SIMULATED_BACKUP_JOB_ERROR = 'simulated backup job creation failure';
export const SIMULATED_COMMIT_START_ERROR = 'simulated commit_active_start failure';

export const NODE_EVENTS: readonly NodeEvent[] = [
  { type: 'OPEN', topId: true },
  { type: 'OPEN', topId: false },
  { type: 'START', mode: 'primary' },
  { type: 'START', mode: 'secondary' },
  ...START_CHECKS.map((check): NodeEvent => ({ type: 'START', mode: 'secondary', fault: { kind: 'check', check } })),
  { type: 'START', mode: 'secondary', fault: { kind: 'blockLayer', step: 'reopen', message: SIMULATED_REOPEN_ERROR } },
  { type: 'START', mode: 'secondary', fault: { kind: 'blockLayer', step: 'backupJob', message: SIMULATED_BACKUP_JOB_ERROR } },
  { type: 'START', mode: 'secondary', fault: { kind: 'initialCheckpoint', fault: 'activeMakeEmptyFailed' } },
  { type: 'START', mode: 'secondary', fault: { kind: 'initialCheckpoint', fault: 'hiddenEjected' } },
  { type: 'CHECKPOINT' },
  ...CHECKPOINT_FAULTS.map((fault): NodeEvent => ({ type: 'CHECKPOINT', fault })),
  { type: 'GET_ERROR' },
  { type: 'STOP', failover: false },
  { type: 'STOP', failover: true },
  { type: 'STOP', failover: true, commitStartError: SIMULATED_COMMIT_START_ERROR },
  { type: 'STOP', failover: false, ejected: ['hidden'] },
  { type: 'STOP', failover: true, ejected: ['active'] },
  { type: 'READ' },
  { type: 'READ', lowerFailed: true },
  { type: 'WRITE' },
  { type: 'WRITE', lowerFailed: true },
  { type: 'BACKUP_JOB_FAILED' },
  { type: 'COMMIT_OK' },
  { type: 'COMMIT_FAILED' },
  { type: 'CLOSE' },
];

export const PAIR_EVENTS: readonly PairEvent[] = [
  { type: 'START', side: 'secondary' },
  { type: 'START', side: 'primary' },
  { type: 'START', side: 'primary', mode: 'secondary' },
  { type: 'START', side: 'secondary', mode: 'primary' },
  { type: 'STOP', side: 'primary', failover: false },
  { type: 'STOP', side: 'primary', failover: true },
  { type: 'STOP', side: 'secondary', failover: false },
  { type: 'STOP', side: 'secondary', failover: true },
  { type: 'CHECKPOINT', side: 'primary' },
  { type: 'CHECKPOINT', side: 'secondary' },
  { type: 'COLO_CHECKPOINT' },
  { type: 'STATUS', side: 'primary' },
  { type: 'STATUS', side: 'secondary' },
  { type: 'WRITE', vm: 'primary' },
  { type: 'WRITE', vm: 'secondary' },
  { type: 'READ', vm: 'primary' },
  { type: 'READ', vm: 'secondary' },
  { type: 'LINK_DOWN' },
  { type: 'LINK_UP' },
  { type: 'FAILOVER', lost: 'primary' },
  { type: 'FAILOVER', lost: 'secondary' },
  { type: 'COMMIT_OK' },
  { type: 'COMMIT_FAILED' },
];

function nodeControl(value: unknown, c: NodeContext): string {
  return `${String(value)}/${c.mode}/${c.error}/${+c.backupJob}${+c.commitJob}${+c.secondaryDiskLinked}`;
}

const nodeSpec: ModelSpec = {
  name: 'node',
  title: 'Replication node (block/replication.c)',
  machine: replicationNode,
  profileDependent: true,
  inputs: (profile) => [
    { mode: 'primary', profile },
    { mode: 'secondary', profile },
  ],
  events: () => NODE_EVENTS,
  serialize: (s) => `${s.context.profile}|${nodeControl(s.value, s.context as NodeContext)}`,
};

const pairSpec: ModelSpec = {
  name: 'pair',
  title: 'COLO pair',
  machine: coloPair,
  profileDependent: true,
  inputs: (profile) => [{ profile }],
  /* A commit can only fail when it has something to copy. */
  events: (s) => ((s.context as PairContext).bufferHoldsData ? PAIR_EVENTS : PAIR_EVENTS.filter((e) => e.type !== 'COMMIT_FAILED')),
  serialize: (s) => {
    const c = s.context as PairContext;
    const side = (x: PairContext['primary']) => `${nodeControl(x.node.value, x.node.context)}${x.lost ? '/lost' : ''}`;
    return `${c.profile}|${JSON.stringify(s.value)}|${side(c.primary)}|${side(c.secondary)}|${+c.linkUp}${+c.bufferHoldsData}`;
  },
};

const backupSpec: ModelSpec = {
  name: 'backup',
  title: 'Backup job (copy-before-write)',
  machine: backupJob,
  profileDependent: false,
  inputs: () => [undefined],
  events: () => [
    { type: 'SOURCE_WRITE', firstCluster: 0, lastCluster: 0 },
    { type: 'SOURCE_WRITE', firstCluster: 0, lastCluster: 1 },
    { type: 'SOURCE_WRITE', firstCluster: 1, lastCluster: 1, copyFails: true },
    { type: 'CHECKPOINT' },
    { type: 'CANCEL' },
    { type: 'FAIL' },
  ],
  serialize: (s) => `${JSON.stringify(s.value)}|${(s.context.copiedClusters as number[]).join(',')}`,
};

const commitSpec: ModelSpec = {
  name: 'commit',
  title: 'Failover commit job (active commit)',
  machine: commitJob,
  profileDependent: false,
  inputs: () => [undefined],
  events: () => [{ type: 'SYNCED' }, { type: 'SOURCE_WRITE' }, { type: 'AUTO_COMPLETE' }, { type: 'IO_ERROR' }, { type: 'CANCEL', force: false }, { type: 'CANCEL', force: true }],
  serialize: (s) => `${JSON.stringify(s.value)}|${s.context.target}|${+s.context.dirty}`,
};

export const MODELS: Readonly<Record<ModelName, ModelSpec>> = { node: nodeSpec, pair: pairSpec, backup: backupSpec, commit: commitSpec };

/** The profiles a model is explored under (jobs: one run, labelled with the first profile). */
export function profilesOf(spec: ModelSpec): readonly Profile[] {
  return spec.profileDependent ? MODEL_PROFILES : [MODEL_PROFILES[0]!];
}
