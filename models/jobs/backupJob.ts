/*
 * The secondary's internal backup job (sync=none, source = secondary disk, target = hidden disk) as
 * replication uses it (reference §5): it only waits to be cancelled, while its copy-before-write
 * filter copies each 64 KiB cluster of the source into the target before the first write to it in an
 * epoch. RUNNING's substates say whether every cluster is still armed; a checkpoint re-arms them all.
 * Limits: clusters are small integers; a failed copy fails the guest write (break-guest-write) and
 * copies nothing; the job ends by cancel (stop, close) or by itself (FAILED, reported via get_error).
 */
import { assign, setup } from 'xstate';
import { EIO, OK, type Outcome, PENDING } from '../replication/Outcome.js';

export type BackupJobEvent =
  /** A write reaching the source through the filter, covering clusters firstCluster..lastCluster. */
  | { readonly type: 'SOURCE_WRITE'; readonly firstCluster: number; readonly lastCluster: number; readonly copyFails?: boolean }
  /** backup_do_checkpoint: every cluster must be copied again before its next write. */
  | { readonly type: 'CHECKPOINT' }
  /** job_cancel_sync (replication stop or close). */
  | { readonly type: 'CANCEL' }
  /** The job ends by itself with an error. */
  | { readonly type: 'FAIL' };

export interface BackupJobContext {
  /** Clusters copied in this epoch, ascending: every other cluster is armed. */
  readonly copiedClusters: readonly number[];
  /** Clusters the last write copied. */
  readonly lastCopied: readonly number[];
  readonly outcome: Outcome;
}

function clustersOf(event: BackupJobEvent): number[] {
  if (event.type !== 'SOURCE_WRITE') return [];
  const out: number[] = [];
  for (let c = event.firstCluster; c <= event.lastCluster; c++) out.push(c);
  return out;
}

function armedClustersOf(context: BackupJobContext, event: BackupJobEvent): number[] {
  return clustersOf(event).filter((c) => !context.copiedClusters.includes(c));
}

export const backupJob = setup({
  types: {
    context: {} as BackupJobContext,
    events: {} as BackupJobEvent,
  },
  guards: {
    copyFails: ({ event }) => event.type === 'SOURCE_WRITE' && event.copyFails === true,
    touchesArmedCluster: ({ context, event }) => armedClustersOf(context, event).length > 0,
  },
  actions: {
    copyArmedClusters: assign(({ context, event }) => {
      const copied = armedClustersOf(context, event);
      return { copiedClusters: [...context.copiedClusters, ...copied].sort((a, b) => a - b), lastCopied: copied, outcome: OK };
    }),
    failGuestWrite: assign({ lastCopied: [], outcome: EIO }),
    writeWithoutCopy: assign({ lastCopied: [], outcome: OK }),
    rearmAllClusters: assign({ copiedClusters: [], lastCopied: [], outcome: OK }),
    recordEnd: assign({ lastCopied: [], outcome: OK }),
  },
}).createMachine({
  id: 'backup',
  initial: 'RUNNING',
  context: { copiedClusters: [], lastCopied: [], outcome: PENDING },
  states: {
    RUNNING: {
      initial: 'ALL_ARMED',
      on: {
        CANCEL: { target: 'CANCELLED', actions: 'recordEnd' },
        FAIL: { target: 'FAILED', actions: 'recordEnd' },
      },
      states: {
        ALL_ARMED: {
          description: 'No cluster copied since the last checkpoint.',
          on: {
            SOURCE_WRITE: [{ guard: 'copyFails', actions: 'failGuestWrite' }, { target: 'SOME_COPIED', actions: 'copyArmedClusters' }],
            CHECKPOINT: { actions: 'rearmAllClusters' },
          },
        },
        SOME_COPIED: {
          description: 'Some clusters hold their pre-write content in the target.',
          on: {
            SOURCE_WRITE: [
              { guard: 'copyFails', actions: 'failGuestWrite' },
              { guard: 'touchesArmedCluster', actions: 'copyArmedClusters' },
              { actions: 'writeWithoutCopy' },
            ],
            CHECKPOINT: { target: 'ALL_ARMED', actions: 'rearmAllClusters' },
          },
        },
      },
    },
    CANCELLED: { type: 'final', description: 'Cancelled: the completion callback sets error := -EIO unless the stage is FAILOVER.' },
    FAILED: { type: 'final', description: 'Ended by itself: replication error := -EIO.' },
  },
});

export type BackupJob = typeof backupJob;
