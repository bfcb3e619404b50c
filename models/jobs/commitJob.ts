/*
 * The failover's active commit (block/mirror.c in "commit" flavour, reference §5.3): it copies what
 * is allocated in active and hidden into the secondary disk, turns READY when source and target
 * agree, and (auto-complete, b49f7ead8d) completes at once by pivoting every parent of active onto
 * the secondary disk. On an I/O error it fails with no graph change, the target part-written. A
 * non-forced cancel of a READY job (close in FAILOVER) leaves a consistent target; a cancel before
 * READY, or a forced one, leaves it part-written. Limits: progress is one event, no chunks.
 */
import { assign, setup } from 'xstate';
import { OK, type Outcome, PENDING } from '../replication/Outcome.js';

export type CommitJobEvent =
  /** The source and the target agree (the mirror reached READY). */
  | { readonly type: 'SYNCED' }
  /** A guest write to active while the job runs: the mirror marks it dirty and copies it too. */
  | { readonly type: 'SOURCE_WRITE' }
  /** Auto-complete: the job finishes by pivoting onto the secondary disk. */
  | { readonly type: 'AUTO_COMPLETE' }
  /** A read of the source or a write of the target fails (on-error=report). */
  | { readonly type: 'IO_ERROR' }
  | { readonly type: 'CANCEL'; readonly force: boolean };

/** What the secondary disk holds as far as the job is concerned ("part-written": any mix of old and copied). */
export type CommitTarget = 'part-written' | 'consistent' | 'pivoted';

export interface CommitJobContext {
  readonly target: CommitTarget;
  /** Dirty regions not yet copied (a write after READY makes the target lag until recopied). */
  readonly dirty: boolean;
  readonly outcome: Outcome;
}

export const commitJob = setup({
  types: {
    context: {} as CommitJobContext,
    events: {} as CommitJobEvent,
  },
  guards: {
    isForced: ({ event }) => event.type === 'CANCEL' && event.force,
  },
  actions: {
    reachSync: assign({ target: 'consistent' as CommitTarget, dirty: false, outcome: OK }),
    markDirty: assign({ dirty: true, outcome: OK }),
    pivot: assign({ target: 'pivoted' as CommitTarget, dirty: false, outcome: OK }),
    leavePartWritten: assign({ target: 'part-written' as CommitTarget, outcome: OK }),
    drainAndLeaveConsistent: assign({ target: 'consistent' as CommitTarget, dirty: false, outcome: OK }),
  },
}).createMachine({
  id: 'commit',
  initial: 'RUNNING',
  context: { target: 'part-written', dirty: true, outcome: PENDING },
  states: {
    RUNNING: {
      description: 'Copying allocated clusters of active and hidden into the secondary disk.',
      on: {
        SOURCE_WRITE: { actions: 'markDirty' },
        SYNCED: { target: 'READY', actions: 'reachSync' },
        IO_ERROR: { target: 'FAILED', actions: 'leavePartWritten' },
        CANCEL: { target: 'CANCELLED', actions: 'leavePartWritten' },
      },
    },
    READY: {
      description: 'In sync; new writes to active are mirrored.',
      on: {
        SOURCE_WRITE: { actions: 'markDirty' },
        AUTO_COMPLETE: { target: 'COMPLETED', actions: 'pivot' },
        IO_ERROR: { target: 'FAILED', actions: 'leavePartWritten' },
        CANCEL: [
          { guard: 'isForced', target: 'CANCELLED', actions: 'leavePartWritten' },
          { target: 'CANCELLED', actions: 'drainAndLeaveConsistent' },
        ],
      },
    },
    COMPLETED: { type: 'final', description: 'Pivoted: replication_done sets DONE and clears the error.' },
    FAILED: { type: 'final', description: 'replication_done(ret < 0): FAILOVER_FAILED, error := -EIO.' },
    CANCELLED: { type: 'final', description: 'Close in FAILOVER (7.2): no pivot.' },
  },
});

export type CommitJob = typeof commitJob;
