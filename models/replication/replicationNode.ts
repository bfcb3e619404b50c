/*
 * One replication block node (QEMU's block/replication.c), as a statechart: the stages NONE,
 * RUNNING, FAILOVER, FAILOVER_FAILED and DONE of reference §2.3 are states, plus UNOPENED (before
 * -drive/blockdev-add), CLOSED and CRASHED. Every event of §3 records its outcome in
 * `context.outcome` (§2.4's tables), and both profiles come from this one chart: the differences of
 * §2.9 are guards named as the engine's rules (`ignoresRequestsAfterPromotion`,
 * `getErrorOnlyWhileRunning`, ...; values in ./profiles.ts). Which stages take a checkpoint is one
 * rule, checkpointIn below.
 * Limits: the backup and commit jobs are booleans here (their own charts are in ../jobs), data is
 * not modelled (../data), and a primary never reaches FAILOVER/FAILOVER_FAILED, so those stages
 * only carry the secondary's rules.
 */
import { and, assign, not, setup } from 'xstate';
import type { Profile, Side } from '../../src/scenario/Scenario.js';
import type { CheckpointFault, NodeEvent, NodeEventType, StartFault } from './nodeEvents.js';
import { CHART_RULES, type ChartRules } from './profiles.js';
import {
  ABSENT,
  EIO,
  IGNORED,
  NO_SUCH_JOB,
  OK,
  type Outcome,
  PENDING,
  SPLIT,
  SWALLOWED,
  crashOutcome,
  errorOutcome,
} from './Outcome.js';
import {
  type BufferDiskNames,
  DEFAULT_BUFFER_DISK_NAMES,
  QemuMessage,
  diskEjectedMessage,
  makeEmptyFailedMessage,
  modeMismatchMessage,
} from './qemuMessages.js';

/** -EIO, the only value replication stores in its `error` field. */
export const NEG_EIO = -5;

export interface NodeInput {
  readonly mode: Side;
  readonly profile: Profile;
  /** Names printed in make_empty / ejected-disk messages (default: active.qcow2, hidden.qcow2). */
  readonly names?: BufferDiskNames;
}

export interface NodeContext {
  readonly mode: Side;
  readonly profile: Profile;
  readonly names: BufferDiskNames;
  /** The replication error reported by get_error: 0 or -EIO. */
  readonly error: number;
  /** The secondary's internal backup job (sync=none, source=secondary, target=hidden) exists. */
  readonly backupJob: boolean;
  /** The failover's active commit job exists. */
  readonly commitJob: boolean;
  /**
   * The node holds its link to the secondary disk: v24's `secondary_disk` pointer (taken at start
   * step 3) or 7.2's extra child link (attached at step 7); a successful failover drops it.
   */
  readonly secondaryDiskLinked: boolean;
  readonly lastEvent: NodeEventType | 'none';
  readonly outcome: Outcome;
}

export type NodeStage = 'NONE' | 'RUNNING' | 'FAILOVER' | 'FAILOVER_FAILED' | 'DONE';
export type NodeStateValue = NodeStage | 'UNOPENED' | 'CLOSED' | 'CRASHED';

/**
 * The stages of a promoted node (DONE, FAILOVER): the first test of replication_start, _stop and
 * _do_checkpoint, where QEMU 7.2 ignores the request (08ddb4eb6d) and v24 goes on to fail it.
 */
export const PROMOTED_STAGES: readonly NodeStage[] = ['DONE', 'FAILOVER'];

export function isPromotedStage(value: NodeStateValue): boolean {
  return (PROMOTED_STAGES as readonly string[]).includes(value);
}

const rule = (name: keyof ChartRules) => ({ context }: { context: NodeContext }) => CHART_RULES[context.profile][name];

/** Where a start fault strikes in §2.6's sequence (the extra children are attached at step 7). */
function startFaultStep(fault: StartFault): number {
  if (fault.kind === 'initialCheckpoint') return 10;
  if (fault.kind === 'blockLayer') return fault.step === 'reopen' ? 6 : 9;
  const steps = {
    activeWithoutBacking: 1,
    hiddenWithoutBacking: 2,
    secondaryWithoutBlockBackend: 3,
    diskLengthsDiffer: 4,
    makeEmptyUnsupported: 5,
    invalidTopId: 8,
  } as const;
  return steps[fault.check];
}

function startFaultMessage(fault: StartFault): string {
  if (fault.kind === 'blockLayer') return fault.message;
  if (fault.kind === 'check') return QemuMessage[fault.check];
  throw new Error('startFaultMessage: the initial checkpoint is not a start check');
}

function checkpointFaultMessage(context: NodeContext, fault: CheckpointFault): string {
  const disk = fault.startsWith('active') ? 'active' : 'hidden';
  return fault.endsWith('Ejected') ? diskEjectedMessage(disk, context.names) : makeEmptyFailedMessage(context.profile, disk, context.names);
}

function checkpointFaultOf(event: NodeEvent): CheckpointFault | undefined {
  if (event.type === 'CHECKPOINT') return event.fault;
  if (event.type === 'START' && event.fault?.kind === 'initialCheckpoint') return event.fault.fault;
  return undefined;
}

function initialNodeContext({ input }: { input: NodeInput }): NodeContext {
  return {
    mode: input.mode,
    profile: input.profile,
    names: input.names ?? DEFAULT_BUFFER_DISK_NAMES,
    error: 0,
    backupJob: false,
    commitJob: false,
    secondaryDiskLinked: false,
    lastEvent: 'none',
    outcome: PENDING,
  };
}

const record = (event: NodeEvent, outcome: Outcome) => ({ lastEvent: event.type, outcome });

const CRASH_REASON = {
  unlinkedSecondaryDisk: 'secondary_do_checkpoint dereferences the NULL secondary_disk (v24)',
  ejectedDisk: 'make_empty through the NULL driver of an ejected buffer disk (v24)',
  closeWithoutCommitJob: 'close in FAILOVER cancels a NULL commit job (reference 9.3)',
  commitAfterClose: 'the commit callback replication_done runs on the closed node (v24, use after free)',
  stopReopensEjectedHidden: 'stop reopens the ejected hidden disk after the backup job (SIGSEGV, observed on 7.2)',
  commitOnEjectedActive: 'the failover commit starts on the ejected active disk (SIGFPE, observed on 7.2)',
} as const;

const replicationNodeSetup = setup({
  types: {
    context: {} as NodeContext,
    events: {} as NodeEvent,
    input: {} as NodeInput,
  },
  guards: {
    isPrimary: ({ context }) => context.mode === 'primary',
    isSecondary: ({ context }) => context.mode === 'secondary',
    /* The differences of §2.9, each the engine's rule of the same name (src/replication/Profile.ts). */
    primaryAcceptsTopId: rule('primaryAcceptsTopId'),
    ignoresRequestsAfterPromotion: rule('ignoresRequestsAfterPromotion'),
    getErrorOnlyWhileRunning: rule('getErrorOnlyWhileRunning'),
    closeCancelsCommit: rule('closeCancelsCommit'),
    checksEjectedDisks: rule('checksEjectedDisks'),
    checkpointUsesBorrowedSecondaryDisk: rule('checkpointUsesBorrowedSecondaryDisk'),
    reachesUnlinkedSecondaryDisk: and(['checkpointUsesBorrowedSecondaryDisk', not('secondaryDiskLinked')]),
    secondaryDiskLinked: ({ context }) => context.secondaryDiskLinked,
    startFailsAfterLinkingSecondaryDisk: ({ context, event }) =>
      event.type === 'START' && event.fault !== undefined && event.fault.kind !== 'initialCheckpoint' && startFaultStep(event.fault) >= (context.profile === 'v24' ? 3 : 8),
    /* Facts about the node and the event. */
    topIdGiven: ({ event }) => event.type === 'OPEN' && event.topId,
    requestedModeDiffers: ({ context, event }) => event.type === 'START' && event.mode !== context.mode,
    startCheckFails: ({ event }) => event.type === 'START' && event.fault !== undefined && event.fault.kind !== 'initialCheckpoint',
    checkpointFaultStrikes: ({ event }) => checkpointFaultOf(event) !== undefined,
    checkpointFaultEjectsDisk: ({ event }) => checkpointFaultOf(event)?.endsWith('Ejected') === true,
    hasReplicationError: ({ context }) => context.error !== 0,
    hasBackupJob: ({ context }) => context.backupJob,
    hasCommitJob: ({ context }) => context.commitJob,
    isFailover: ({ event }) => event.type === 'STOP' && event.failover,
    stopMeetsEjectedHidden: ({ event }) => event.type === 'STOP' && event.ejected?.includes('hidden') === true,
    commitMeetsEjectedActive: ({ event }) => event.type === 'STOP' && event.failover && event.ejected?.includes('active') === true,
    commitCannotStart: ({ event }) => event.type === 'STOP' && event.commitStartError !== undefined,
    lowerIoFails: ({ event }) => (event.type === 'READ' || event.type === 'WRITE') && event.lowerFailed === true,
  },
  actions: {
    succeed: assign(({ event }) => record(event, OK)),
    ignore: assign(({ event }) => record(event, IGNORED)),
    reject: assign(({ event }, params: { message: string }) => record(event, errorOutcome(params.message))),
    crash: assign(({ event }, params: { reason: string }) => record(event, crashOutcome(params.reason))),
    failIo: assign(({ event }) => record(event, EIO)),
    recordAbsent: assign(({ event }) => record(event, ABSENT)),
    recordNoSuchJob: assign(({ event }) => record(event, NO_SUCH_JOB)),
    rejectModeMismatch: assign(({ context, event }) =>
      record(event, errorOutcome(modeMismatchMessage(context.mode, event.type === 'START' ? event.mode : context.mode))),
    ),
    rejectStart: assign(({ event }) => record(event, errorOutcome(event.type === 'START' && event.fault ? startFaultMessage(event.fault) : ''))),
    linkSecondaryDisk: assign({ secondaryDiskLinked: true }),
    /* A primary's start and stop both succeed and reset the error. */
    succeedClearingError: assign(({ event }) => ({ ...record(event, OK), error: 0 })),
    startSecondary: assign(({ event }) => ({ ...record(event, OK), error: 0, backupJob: true, secondaryDiskLinked: true })),
    reportCheckpointFault: assign(({ context, event }) => record(event, errorOutcome(checkpointFaultMessage(context, checkpointFaultOf(event)!)))),
    /* The forced cancel runs backup_job_completed now: the stage is not FAILOVER yet, so error := -EIO (§9.1). */
    cancelBackupJob: assign({ backupJob: false, error: NEG_EIO }),
    startCommitJob: assign(({ event }) => ({ ...record(event, OK), commitJob: true })),
    reportCommitStartFailure: assign(({ event }) => record(event, errorOutcome(event.type === 'STOP' ? (event.commitStartError ?? '') : ''))),
    swallowWriteError: assign(({ event }) => ({ ...record(event, SWALLOWED), error: NEG_EIO })),
    splitWrite: assign(({ event }) => record(event, SPLIT)),
    recordBackupJobFailure: assign(({ event }) => ({ ...record(event, OK), error: NEG_EIO, backupJob: false })),
    completeFailover: assign(({ event }) => ({ ...record(event, OK), error: 0, commitJob: false, secondaryDiskLinked: false })),
    failFailover: assign(({ event }) => ({ ...record(event, OK), error: NEG_EIO, commitJob: false })),
    cancelCommitJob: assign({ commitJob: false }),
  },
});

/** Every event answers `absent` where the node does not exist. */
const ABSENT_NODE = {
  OPEN: { actions: 'recordAbsent' },
  START: { actions: 'recordAbsent' },
  CHECKPOINT: { actions: 'recordAbsent' },
  GET_ERROR: { actions: 'recordAbsent' },
  STOP: { actions: 'recordAbsent' },
  READ: { actions: 'recordAbsent' },
  WRITE: { actions: 'recordAbsent' },
  BACKUP_JOB_FAILED: { actions: 'recordAbsent' },
  COMMIT_OK: { actions: 'recordAbsent' },
  COMMIT_FAILED: { actions: 'recordAbsent' },
  CLOSE: { actions: 'recordAbsent' },
} as const;

const reject = (message: string) => ({ type: 'reject', params: { message } }) as const;
const crash = (reason: string) => ({ type: 'crash', params: { reason } }) as const;

/** get_error after start: v24 answers only in RUNNING; 7.2 answers in every stage but NONE. */
const GET_ERROR_AFTER_START = [
  { guard: 'getErrorOnlyWhileRunning', actions: reject(QemuMessage.notRunning) },
  { guard: 'hasReplicationError', actions: reject(QemuMessage.ioErrorOccurred) },
  { actions: 'succeed' },
] as const;

/**
 * get_error while the failover is pending or failed: the error is -EIO in both stages (the backup
 * cancel set it, §9.1; a failed commit sets it again), so 7.2 always says "I/O error occurred".
 */
const GET_ERROR_IN_FAILOVER = [
  { guard: 'getErrorOnlyWhileRunning', actions: reject(QemuMessage.notRunning) },
  { actions: reject(QemuMessage.ioErrorOccurred) },
] as const;

/** Stages a primary reaches; FAILOVER and FAILOVER_FAILED carry only the secondary's rules. */
const PRIMARY_STAGES: readonly NodeStage[] = ['NONE', 'RUNNING', 'DONE'];
/** Where v24's borrowed secondary-disk pointer may be NULL: before start, and after a successful failover. */
const UNLINKED_SECONDARY_STAGES: readonly NodeStage[] = ['NONE', 'DONE'];

/**
 * What a checkpoint does in each stage, the one rule (replication_do_checkpoint): a promoted node
 * ignores it under 7.2; a primary has nothing to do; a secondary needs its backup job, which only
 * RUNNING has (else "Backup job was cancelled unexpectedly"), and there make_empty faults strike;
 * v24 first dereferences its borrowed secondary disk, NULL where UNLINKED_SECONDARY_STAGES say.
 */
function checkpointIn(stage: NodeStage) {
  const promoted = PROMOTED_STAGES.includes(stage) ? [{ guard: 'ignoresRequestsAfterPromotion', actions: 'ignore' }] as const : [];
  const primary = PRIMARY_STAGES.includes(stage) ? [{ guard: 'isPrimary', actions: 'succeed' }] as const : [];
  const unlinked = UNLINKED_SECONDARY_STAGES.includes(stage)
    ? [{ guard: 'reachesUnlinkedSecondaryDisk', target: 'CRASHED', actions: crash(CRASH_REASON.unlinkedSecondaryDisk) }] as const
    : [];
  if (stage !== 'RUNNING') return [...promoted, ...primary, ...unlinked, { actions: reject(QemuMessage.backupJobCancelled) }] as const;
  return [
    ...primary,
    { guard: not('hasBackupJob'), actions: reject(QemuMessage.backupJobCancelled) },
    { guard: and(['checkpointFaultEjectsDisk', not('checksEjectedDisks')]), target: 'CRASHED', actions: crash(CRASH_REASON.ejectedDisk) },
    { guard: 'checkpointFaultStrikes', actions: 'reportCheckpointFault' },
    { actions: 'succeed' },
  ] as const;
}

/** Secondary I/O passes through to `file`, errors included (the primary's rules sit in the stages it reaches). */
const SECONDARY_IO = [{ guard: 'lowerIoFails', actions: 'failIo' }, { actions: 'succeed' }] as const;

export const replicationNode = replicationNodeSetup.createMachine({
  id: 'node',
  initial: 'UNOPENED',
  context: initialNodeContext,
  on: {
    /* Job callbacks only exist while the job does: stages that own one handle these first. */
    BACKUP_JOB_FAILED: { actions: 'recordNoSuchJob' },
    COMMIT_OK: { actions: 'recordNoSuchJob' },
    COMMIT_FAILED: { actions: 'recordNoSuchJob' },
  },
  states: {
    UNOPENED: {
      description: 'Not yet opened by -drive / blockdev-add.',
      on: {
        ...ABSENT_NODE,
        OPEN: [
          { guard: and(['isPrimary', 'topIdGiven', not('primaryAcceptsTopId')]), actions: reject(QemuMessage.primaryRejectsTopId) },
          { guard: and(['isSecondary', not('topIdGiven')]), actions: reject(QemuMessage.missingTopId) },
          { target: 'NONE', actions: 'succeed' },
        ],
      },
    },
    NONE: {
      description: 'Opened, replication not started: I/O fails with EIO.',
      on: {
        START: [
          { guard: 'requestedModeDiffers', actions: 'rejectModeMismatch' },
          { guard: 'isPrimary', target: 'RUNNING', actions: 'succeedClearingError' },
          { guard: 'startFailsAfterLinkingSecondaryDisk', actions: ['rejectStart', 'linkSecondaryDisk'] },
          { guard: 'startCheckFails', actions: 'rejectStart' },
          { guard: and(['checkpointFaultEjectsDisk', not('checksEjectedDisks')]), target: 'CRASHED', actions: crash(CRASH_REASON.ejectedDisk) },
          /* §9.5: the initial checkpoint's error is returned, yet the node is RUNNING. */
          { guard: 'checkpointFaultStrikes', target: 'RUNNING', actions: ['startSecondary', 'reportCheckpointFault'] },
          { target: 'RUNNING', actions: 'startSecondary' },
        ],
        CHECKPOINT: checkpointIn('NONE'),
        GET_ERROR: { actions: reject(QemuMessage.notRunning) },
        STOP: { actions: reject(QemuMessage.notRunning) },
        READ: { actions: 'failIo' },
        WRITE: { actions: 'failIo' },
        CLOSE: { target: 'CLOSED', actions: 'succeed' },
      },
    },
    RUNNING: {
      description: 'Replicating: primary forwards writes, secondary buffers in active/hidden.',
      on: {
        START: { actions: reject(QemuMessage.runningOrDone) },
        CHECKPOINT: checkpointIn('RUNNING'),
        GET_ERROR: [{ guard: 'hasReplicationError', actions: reject(QemuMessage.ioErrorOccurred) }, { actions: 'succeed' }],
        STOP: [
          { guard: 'isPrimary', target: 'DONE', actions: 'succeedClearingError' },
          { guard: 'stopMeetsEjectedHidden', target: 'CRASHED', actions: crash(CRASH_REASON.stopReopensEjectedHidden) },
          { guard: 'commitMeetsEjectedActive', target: 'CRASHED', actions: crash(CRASH_REASON.commitOnEjectedActive) },
          /* §9.2: the checkpoint after the cancel finds no job, so stop(false) always fails, yet ends in DONE. */
          { guard: not('isFailover'), target: 'DONE', actions: ['cancelBackupJob', reject(QemuMessage.backupJobCancelled)] },
          { guard: 'commitCannotStart', target: 'FAILOVER', actions: ['cancelBackupJob', 'reportCommitStartFailure'] },
          { target: 'FAILOVER', actions: ['cancelBackupJob', 'startCommitJob'] },
        ],
        READ: [{ guard: 'isPrimary', actions: 'failIo' }, ...SECONDARY_IO],
        WRITE: [
          { guard: and(['isPrimary', 'lowerIoFails']), actions: 'swallowWriteError' },
          { guard: 'lowerIoFails', actions: 'failIo' },
          { actions: 'succeed' },
        ],
        BACKUP_JOB_FAILED: { guard: 'hasBackupJob', actions: 'recordBackupJobFailure' },
        /* Close runs stop(failover=false) and drops its error. */
        CLOSE: [{ guard: 'isSecondary', target: 'CLOSED', actions: ['cancelBackupJob', 'succeed'] }, { target: 'CLOSED', actions: 'succeed' }],
      },
    },
    FAILOVER: {
      description: 'Secondary only: the active commit of active+hidden into the secondary disk runs.',
      on: {
        START: [{ guard: 'ignoresRequestsAfterPromotion', actions: 'ignore' }, { actions: reject(QemuMessage.runningOrDone) }],
        CHECKPOINT: checkpointIn('FAILOVER'),
        GET_ERROR: GET_ERROR_IN_FAILOVER,
        STOP: [{ guard: 'ignoresRequestsAfterPromotion', actions: 'ignore' }, { actions: reject(QemuMessage.notRunning) }],
        READ: SECONDARY_IO,
        WRITE: SECONDARY_IO,
        COMMIT_OK: { guard: 'hasCommitJob', target: 'DONE', actions: 'completeFailover' },
        COMMIT_FAILED: { guard: 'hasCommitJob', target: 'FAILOVER_FAILED', actions: 'failFailover' },
        CLOSE: [
          { guard: and(['closeCancelsCommit', 'hasCommitJob']), target: 'CLOSED', actions: ['cancelCommitJob', 'succeed'] },
          { guard: 'closeCancelsCommit', target: 'CRASHED', actions: crash(CRASH_REASON.closeWithoutCommitJob) },
          /* v24 leaves the commit running; its callback later meets the closed node. */
          { target: 'CLOSED', actions: 'succeed' },
        ],
      },
    },
    FAILOVER_FAILED: {
      description: 'Secondary only: the commit failed; writes split by allocation.',
      on: {
        START: { actions: reject(QemuMessage.runningOrDone) },
        CHECKPOINT: checkpointIn('FAILOVER_FAILED'),
        GET_ERROR: GET_ERROR_IN_FAILOVER,
        STOP: { actions: reject(QemuMessage.notRunning) },
        READ: SECONDARY_IO,
        WRITE: [{ guard: 'lowerIoFails', actions: 'failIo' }, { actions: 'splitWrite' }],
        CLOSE: { target: 'CLOSED', actions: 'succeed' },
      },
    },
    DONE: {
      description: 'Stopped (primary, or secondary stop without failover) or promoted (commit done).',
      on: {
        START: [{ guard: 'ignoresRequestsAfterPromotion', actions: 'ignore' }, { actions: reject(QemuMessage.runningOrDone) }],
        CHECKPOINT: checkpointIn('DONE'),
        GET_ERROR: GET_ERROR_AFTER_START,
        STOP: [{ guard: 'ignoresRequestsAfterPromotion', actions: 'ignore' }, { actions: reject(QemuMessage.notRunning) }],
        READ: [{ guard: 'isPrimary', actions: 'failIo' }, ...SECONDARY_IO],
        WRITE: [{ guard: 'isPrimary', actions: 'failIo' }, ...SECONDARY_IO],
        CLOSE: { target: 'CLOSED', actions: 'succeed' },
      },
    },
    CLOSED: {
      description: 'Deleted (drive_del / blockdev-del).',
      on: {
        ...ABSENT_NODE,
        COMMIT_OK: [{ guard: 'hasCommitJob', target: 'CRASHED', actions: crash(CRASH_REASON.commitAfterClose) }, { actions: 'recordAbsent' }],
        COMMIT_FAILED: [{ guard: 'hasCommitJob', target: 'CRASHED', actions: crash(CRASH_REASON.commitAfterClose) }, { actions: 'recordAbsent' }],
      },
    },
    CRASHED: {
      description: 'QEMU died.',
      on: ABSENT_NODE,
    },
  },
});

export type ReplicationNode = typeof replicationNode;
