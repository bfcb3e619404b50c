/*
 * Engine mutants: each breaks one rule QEMU follows (many are the historical bugs of reference §8),
 * by patching the engine's prototypes for the duration of a test, never by switches in engine code.
 * A mutant names the invariants a sound checker should report for it; a campaign that finds none
 * of them lets the mutant survive, which the mutation suite reports.
 */
import { BlockError } from '../../src/block/BlockError.js';
import type { BlockNode } from '../../src/block/BlockNode.js';
import type { InvariantName } from '../../src/check/Invariant.js';
import { BackupJob } from '../../src/jobs/BackupJob.js';
import { CommitJob } from '../../src/jobs/CommitJob.js';
import { QEMU_7_2 } from '../../src/replication/Profile.js';
import { ReplicationFramework } from '../../src/replication/ReplicationFramework.js';
import { ReplicationNode } from '../../src/replication/ReplicationNode.js';

export interface Mutant {
  readonly name: string;
  /** The QEMU history or rule it breaks. */
  readonly breaks: string;
  /** Any of these invariants reported counts as a kill. */
  readonly expect: readonly InvariantName[];
  /** Patch the engine; returns the undo. */
  readonly apply: () => () => void;
}

type Methods = Record<string, (...args: never[]) => unknown>;

/** Replace a (possibly private) method for the duration of a test. */
function patch(proto: object, method: string, replacement: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): () => void {
  const target = proto as Methods;
  const original = target[method] as unknown as (...args: unknown[]) => unknown;
  target[method] = replacement(original) as never;
  return () => {
    target[method] = original as never;
  };
}

function setRule<K extends keyof typeof QEMU_7_2>(key: K, value: (typeof QEMU_7_2)[K]): () => void {
  const rules = QEMU_7_2 as { -readonly [P in keyof typeof QEMU_7_2]: (typeof QEMU_7_2)[P] };
  const old = rules[key];
  rules[key] = value;
  return () => {
    rules[key] = old;
  };
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'no-copy-before-write',
    breaks: 'the backup job never copies old data into hidden (reference §5)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () => patch(BackupJob.prototype, 'copyBeforeWrite', () => async () => undefined),
  },
  {
    name: 'checkpoint-does-not-rearm',
    breaks: 'backup_do_checkpoint leaves the copy bitmap alone (49d3e828f8)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write', 'cow-first-copy-wins'],
    apply: () => patch(BackupJob.prototype, 'doCheckpoint', () => () => undefined),
  },
  {
    name: 'checkpoint-keeps-hidden',
    breaks: 'secondary_do_checkpoint forgets make_empty(hidden)',
    expect: ['checkpoint-sync', 'cow-isolation', 'no-lost-acknowledged-write', 'failover-preserves-view'],
    apply: () =>
      patch(ReplicationNode.prototype, 'emptyDisk', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          if ((args[0] as BlockNode).name.startsWith('hidden-disk')) return;
          return original.apply(this, args);
        },
      ),
  },
  {
    name: 'no-ignore-after-failover',
    breaks: 'start/stop/checkpoint after a failover are not ignored (08ddb4eb6d reverted)',
    expect: ['ignore-after-promotion'],
    apply: () => setRule('ignoresRequestsAfterPromotion', false),
  },
  {
    name: 'primary-does-not-swallow',
    breaks: 'a failed forwarded write fails the primary guest write instead of setting the replication error',
    expect: ['primary-swallows-errors', 'conformance'],
    apply: () =>
      patch(ReplicationNode.prototype, 'doWrite', (original) =>
        async function (this: ReplicationNode, ...args: unknown[]) {
          const before = this.error;
          await original.apply(this, args);
          const failed = this.error;
          if (this.mode !== 'primary' || failed === before || failed === null) return;
          // The failure is returned to the caller and never recorded for get_error.
          this.error = before;
          throw new BlockError(failed, 'mutant: not swallowed');
        },
      ),
  },
  {
    name: 'split-write-to-active',
    breaks: 'FAILOVER_FAILED writes all go to the active disk, ignoring allocation (3b78420bb1 area)',
    expect: ['failover-failed-routing'],
    apply: () =>
      patch(ReplicationNode.prototype, 'splitWrite', () =>
        async function (this: ReplicationNode, ...args: unknown[]) {
          await this.file!.write(args[0] as number, args[1] as Uint8Array);
        },
      ),
  },
  {
    name: 'framework-oldest-first',
    breaks: 'replication_new appends instead of inserting at the head',
    expect: ['framework-order'],
    apply: () =>
      patch(ReplicationFramework.prototype, 'register', () =>
        function (this: ReplicationFramework, ...args: unknown[]) {
          (this as unknown as { list: unknown[] }).list.push(args[0]);
        },
      ),
  },
  {
    name: 'backup-end-sets-no-error',
    breaks: 'backup_job_completed does not set error := -EIO',
    expect: ['conformance', 'primary-swallows-errors'],
    apply: () =>
      patch(ReplicationNode.prototype, 'backupJobCompleted', (original) =>
        function (this: ReplicationNode, ...args: unknown[]) {
          const before = this.error;
          original.apply(this, args);
          this.error = before;
        },
      ),
  },
  {
    name: 'commit-ignores-new-writes',
    breaks: 'the failover commit does not track writes arriving during FAILOVER',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'start', (original) =>
        function (this: CommitJob, ...args: unknown[]) {
          original.apply(this, args);
          // Take the dirty-tracking hook away again: only the initial scan marks clusters.
          const self = this as unknown as { options: { top: BlockNode }; hook: unknown };
          const hooks = self.options.top.afterWrite as unknown[];
          hooks.splice(hooks.indexOf(self.hook), 1);
        },
      ),
  },
  {
    name: 'commit-copies-active-only',
    breaks: 'the commit skips what only hidden holds (the copy-before-write copies)',
    expect: ['failover-preserves-view', 'cow-isolation'],
    apply: () =>
      patch(CommitJob.prototype, 'markAllocatedDirty', () =>
        async function (this: CommitJob) {
          const top = (this as unknown as { options: { top: BlockNode } }).options.top;
          for (let offset = 0; offset < top.length; ) {
            const status = await top.blockStatus(offset, top.length - offset);
            if (status.kind !== 'unallocated') (this as unknown as { markDirty: (o: number, b: number) => void }).markDirty(offset, status.bytes);
            offset += status.bytes;
          }
        },
      ),
  },
];
