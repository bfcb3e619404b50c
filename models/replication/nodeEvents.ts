/*
 * The events of one replication node (reference §3): the four ReplicationOps, guest I/O, the jobs'
 * completion callbacks, close, and the faults that change an event's outcome (a failing start
 * check, a failing make_empty, a failing lower read/write). Faults ride on the event they break,
 * so an event stays one call into QEMU.
 */
import type { ChainVariant, Side } from '../../src/scenario/Scenario.js';
import type { BufferDisk } from './qemuMessages.js';

/** Secondary start checks of §2.6 that fail with a fixed message, in QEMU's order (steps 1–5 and 8). */
export type StartCheck =
  | 'activeWithoutBacking'
  | 'hiddenWithoutBacking'
  | 'secondaryWithoutBlockBackend'
  | 'diskLengthsDiffer'
  | 'makeEmptyUnsupported'
  | 'invalidTopId';

export const START_CHECKS: readonly StartCheck[] = [
  'activeWithoutBacking',
  'hiddenWithoutBacking',
  'secondaryWithoutBlockBackend',
  'diskLengthsDiffer',
  'makeEmptyUnsupported',
  'invalidTopId',
];

/** The broken secondary chain (a scenario's "chain") that fails each start check. */
export const CHAIN_OF_CHECK: Readonly<Record<StartCheck, ChainVariant>> = {
  activeWithoutBacking: 'active-without-backing',
  hiddenWithoutBacking: 'hidden-without-backing',
  secondaryWithoutBlockBackend: 'secondary-without-backend',
  diskLengthsDiffer: 'active-length-differs',
  makeEmptyUnsupported: 'active-without-make-empty',
  invalidTopId: 'top-id-unknown',
};

/** What goes wrong inside secondary_do_checkpoint (§2.7), after the COW re-arm. */
export type CheckpointFault = `${BufferDisk}${'Ejected' | 'MakeEmptyFailed'}`;

export const CHECKPOINT_FAULTS: readonly CheckpointFault[] = ['activeEjected', 'activeMakeEmptyFailed', 'hiddenEjected', 'hiddenMakeEmptyFailed'];

export type StartFault =
  /** A check with a fixed message fails. */
  | { readonly kind: 'check'; readonly check: StartCheck }
  /** The reopen (step 6) or the backup job creation (step 9) fails; the block layer writes the message. */
  | { readonly kind: 'blockLayer'; readonly step: 'reopen' | 'backupJob'; readonly message: string }
  /** Everything passed and the node is RUNNING, then the initial checkpoint (step 10) fails. */
  | { readonly kind: 'initialCheckpoint'; readonly fault: CheckpointFault };

export type NodeEvent =
  /** -drive / blockdev-add: only whether `top-id` was given matters (mode is the node's input). */
  | { readonly type: 'OPEN'; readonly topId: boolean }
  | { readonly type: 'START'; readonly mode: Side; readonly fault?: StartFault }
  | { readonly type: 'CHECKPOINT'; readonly fault?: CheckpointFault }
  | { readonly type: 'GET_ERROR' }
  /** `commitStartError`: commit_active_start fails with this block-layer message (§9.3). */
  /**
   * `ejected`: buffer disks a failed make_empty left without a driver; QEMU 7.2 crashes reopening an
   * ejected hidden disk after the backup job, and starting the commit on an ejected active disk
   * (observed, src/qemu/OBSERVATIONS.md §9-11).
   */
  | { readonly type: 'STOP'; readonly failover: boolean; readonly commitStartError?: string; readonly ejected?: readonly BufferDisk[] }
  /** `lowerFailed`: the read of the node's `file` child fails. */
  | { readonly type: 'READ'; readonly lowerFailed?: boolean }
  /** `lowerFailed`: the write to the node's `file` child fails (primary: the NBD write). */
  | { readonly type: 'WRITE'; readonly lowerFailed?: boolean }
  /** The backup job ended by itself (e.g. cancelled by QEMU's shutdown, §8 #15). */
  | { readonly type: 'BACKUP_JOB_FAILED' }
  | { readonly type: 'COMMIT_OK' }
  | { readonly type: 'COMMIT_FAILED' }
  | { readonly type: 'CLOSE' };

export type NodeEventType = NodeEvent['type'];
