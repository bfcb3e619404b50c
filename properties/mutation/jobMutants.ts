/*
 * Mutants of the two block jobs replication drives: the backup job's copy-before-write (block/backup.c,
 * block/copy-before-write.c, block/block-copy.c) and the failover's active commit (block/mirror.c).
 * Each breaks one rule reference §5 states, most of them the subject of a fix in QEMU's history.
 */
import type { BlockNode } from '../../src/block/BlockNode.js';
import { isAllZero } from '../../src/block/buffers.js';
import { replaceNode } from '../../src/block/graph.js';
import { BackupJob } from '../../src/jobs/BackupJob.js';
import { CommitJob } from '../../src/jobs/CommitJob.js';
import { CopyBeforeWriteFilter } from '../../src/jobs/CopyBeforeWriteFilter.js';
import type { CopyBitmap } from '../../src/jobs/CopyBitmap.js';
import { WaitQueue } from '../../src/sim/WaitQueue.js';
import type { SimEnv } from '../../src/sim/SimEnv.js';
import { type Mutant, inside, patch } from './Mutant.js';

interface BackupInside {
  readonly env: SimEnv;
  readonly bitmap: CopyBitmap;
  readonly clusterSize: number;
  epoch: number;
  copies: number;
  options: { source: BlockNode; target: BlockNode };
  copyTaken(cluster: number, serialising: boolean): Promise<void>;
  copyCluster(cluster: number, serialising: boolean, epoch: number): Promise<void>;
}

interface CommitInside {
  readonly env: SimEnv;
  options: { top: BlockNode; base: BlockNode; onComplete: (ret: string | null) => void };
  hook: unknown;
  markDirty(offset: number, bytes: number): void;
}

const backup = (self: unknown): BackupInside => inside<BackupInside>(self);
const commit = (self: unknown): CommitInside => inside<CommitInside>(self);

/** 7.2's copyClusters with the wait for in-flight copies, but the copy itself swapped. */
function copyClustersWith(copy: (job: BackupInside, cluster: number) => Promise<void>) {
  return () =>
    async function (this: unknown, ...args: unknown[]) {
      const [start, end] = args as [number, number];
      for (let c = start; c < end; c++) await copy(backup(this), c);
    };
}

export const BACKUP_MUTANTS: readonly Mutant[] = [
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
    name: 'checkpoint-clears-bitmap',
    breaks: 'backup_do_checkpoint clears the bitmap instead of setting it: the done_bitmap meaning kept after copy_bitmap inverted it (a193b0f0a8)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(BackupJob.prototype, 'doCheckpoint', () =>
        function (this: unknown) {
          const job = backup(this);
          job.epoch++;
          for (let c = 0; c < job.bitmap.clusters; c++) job.bitmap.take(c);
        },
      ),
  },
  {
    name: 'cow-every-write',
    breaks: 'every write copies its clusters again, not only the first of the epoch, so a later copy overwrites hidden with new data (reference §6.3)',
    expect: ['cow-first-copy-wins', 'cow-isolation', 'failover-preserves-view'],
    apply: () =>
      patch(
        BackupJob.prototype,
        'copyClusters',
        copyClustersWith(async (job, c) => {
          job.bitmap.take(c);
          await job.copyTaken(c, true);
        }),
      ),
  },
  {
    name: 'cow-skips-zero-clusters',
    breaks: 'an all-zero cluster is not copied into hidden; block-copy writes zero clusters as explicit zeroes (reference §5.2)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(BackupJob.prototype, 'copyCluster', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const job = backup(this);
          const offset = (args[0] as number) * job.clusterSize;
          const bytes = Math.min(job.clusterSize, job.options.source.length - offset);
          if (isAllZero(await job.options.source.read(offset, bytes))) return;
          return original.apply(this, args);
        },
      ),
  },
  {
    name: 'cow-failure-ignored',
    breaks: 'a failed copy lets the guest write through (on-cbw-error=break-snapshot); replication needs break-guest-write (3d3911f16b, reference §5.2)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write', 'conformance'],
    apply: () =>
      patch(BackupJob.prototype, 'copyBeforeWrite', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          await (original.apply(this, args) as Promise<void>).catch(() => undefined);
        },
      ),
  },
  {
    name: 'cow-failure-forgets-cluster',
    breaks: 'a failed copy leaves its cluster marked copied, so the next write to it is not copied (block-copy resets the dirty bit on failure)',
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(BackupJob.prototype, 'copyTaken', () =>
        async function (this: unknown, ...args: unknown[]) {
          const job = backup(this);
          await job.copyCluster(args[0] as number, args[1] as boolean, job.epoch);
        },
      ),
  },
  {
    name: 'cow-not-serialising',
    breaks: 'copies into hidden are not serialising, so an SVM read of hidden can see the secondary disk already overwritten (f8d59dfb40 reverted)',
    expect: ['cow-isolation', 'no-lost-acknowledged-write'],
    // Found at case 1,539 of seed 2 (240 of seed 1) since the swarm generator; 3,000 leaves room.
    budgetCases: 3_000,
    apply: () =>
      patch(
        BackupJob.prototype,
        'copyClusters',
        copyClustersWith(async (job, c) => {
          if (job.bitmap.take(c)) await job.copyTaken(c, false);
        }),
      ),
  },
  {
    name: 'cbw-writes-before-copy',
    breaks: 'the copy-before-write filter lets the write through first and copies afterwards, so hidden receives the new data (copy-before-write order)',
    expect: ['cow-isolation', 'failover-preserves-view', 'cow-first-copy-wins'],
    apply: () =>
      patch(CopyBeforeWriteFilter.prototype, 'doWrite', () =>
        async function (this: BlockNode, ...args: unknown[]) {
          const [offset, data, requestId] = args as [number, Uint8Array, number | undefined];
          await this.file!.write(offset, data, { requestId });
          await inside<{ job: { copyBeforeWrite(o: number, b: number, r: number | undefined): Promise<void> } }>(this).job.copyBeforeWrite(offset, data.length, requestId);
        },
      ),
  },
  {
    name: 'cow-range-rounded-down',
    breaks: "the write's range is rounded down to clusters at its end, so the cluster holding a write's tail is not copied (the ALIGN_UP/ALIGN_DOWN class of 981fb5810a)",
    expect: ['cow-isolation', 'failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(BackupJob.prototype, 'copyBeforeWrite', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const [offset, bytes, requestId] = args as [number, number, number | undefined];
          const cs = backup(this).clusterSize;
          const end = Math.floor((offset + bytes) / cs) * cs;
          return original.call(this, offset, Math.max(0, end - offset), requestId);
        },
      ),
  },
  {
    name: 'write-zeroes-skips-cow',
    breaks: 'write-zeroes through the copy-before-write filter skips the copy (4bc267a7c7)',
    expect: ['cow-isolation', 'failover-preserves-view'],
    apply: () =>
      patch(CopyBeforeWriteFilter.prototype, 'doWriteZeroes', () =>
        async function (this: BlockNode, ...args: unknown[]) {
          const [offset, bytes, requestId] = args as [number, number, number | undefined];
          await this.file!.writeZeroes(offset, bytes, { requestId });
        },
      ),
  },
];

/** mirror_dirty_init without zero clusters: only layers holding data count. */
async function markDataDirty(job: CommitInside): Promise<void> {
  const { top, base } = job.options;
  for (let offset = 0; offset < top.length; ) {
    let run = top.length - offset;
    let data = false;
    for (let layer: BlockNode | null = top; layer && layer !== base && !data; layer = layer.backing) {
      const status = await layer.blockStatus(offset, run);
      run = Math.min(run, status.bytes);
      data = status.kind === 'data';
    }
    if (data) job.markDirty(offset, run);
    offset += run;
  }
}

export const COMMIT_MUTANTS: readonly Mutant[] = [
  {
    name: 'commit-ignores-new-writes',
    breaks: 'the failover commit does not track writes arriving during FAILOVER (mirror_top dirty tracking, reference §5.3)',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'start', (original) =>
        function (this: CommitJob, ...args: unknown[]) {
          original.apply(this, args);
          // Take the dirty-tracking hook away again: only the initial scan marks clusters.
          const self = commit(this);
          const hooks = self.options.top.afterWrite as unknown[];
          hooks.splice(hooks.indexOf(self.hook), 1);
        },
      ),
  },
  {
    name: 'commit-copies-active-only',
    breaks: 'the commit skips what only hidden holds (the copy-before-write copies); it must copy everything above the base',
    expect: ['failover-preserves-view', 'cow-isolation'],
    apply: () =>
      patch(CommitJob.prototype, 'markAllocatedDirty', () =>
        async function (this: unknown) {
          const self = commit(this);
          const top = self.options.top;
          for (let offset = 0; offset < top.length; ) {
            const status = await top.blockStatus(offset, top.length - offset);
            if (status.kind !== 'unallocated') self.markDirty(offset, status.bytes);
            offset += status.bytes;
          }
        },
      ),
  },
  {
    name: 'commit-copies-first-half',
    breaks: 'the initial dirty scan stops half-way, so the commit copies only part of what is allocated above the base',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'markDirty', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const [offset, bytes, requestId] = args as [number, number, number | undefined];
          const half = Math.floor(commit(this).options.top.length / 2);
          if (offset >= half) return;
          return original.call(this, offset, Math.min(bytes, half - offset), requestId);
        },
      ),
  },
  {
    name: 'commit-skips-zero-clusters',
    breaks: 'the commit copies only data clusters; zero clusters above the base (copies of zero clusters in hidden) must be committed too (reference §5.3 "include zero clusters")',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    // Seeds 1, 2, 3 meet it at cases 146, 1,682 and 502 (seed 2 at 318 before the local-disk-full fault).
    budgetCases: 3_000,
    apply: () =>
      patch(CommitJob.prototype, 'markAllocatedDirty', () =>
        async function (this: unknown) {
          await markDataDirty(commit(this));
        },
      ),
  },
  {
    name: 'commit-pivots-without-final-copy',
    breaks: 'auto-complete pivots without copying what the last writes dirtied inside the drained section (mirror_complete)',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'copyDirty', (original) =>
        async function (this: unknown) {
          const self = inside<{ pivoting?: boolean }>(this);
          if (self.pivoting) return;
          await original.call(this);
          self.pivoting = true;
        },
      ),
  },
  {
    name: 'commit-pivots-on-failure',
    breaks: 'a failed commit still rewires the chain onto the secondary disk (c2924ceaa7 reverted)',
    expect: ['failover-failed-routing', 'failover-preserves-view', 'conformance'],
    apply: () =>
      patch(CommitJob.prototype, 'start', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const self = commit(this);
          const { top, base, onComplete } = self.options;
          self.options = {
            ...self.options,
            onComplete: (ret) => {
              if (ret !== null && ret !== 'ECANCELED') {
                const dropped: BlockNode[] = [];
                for (let n: BlockNode | null = top; n && n !== base; n = n.backing) dropped.push(n);
                replaceNode(top, base, dropped);
              }
              onComplete(ret);
            },
          };
          return original.apply(this, args);
        },
      ),
  },
  {
    name: 'commit-reads-hidden',
    breaks: 'the commit copies from hidden instead of the top of the chain, losing what the SVM wrote to active',
    expect: ['failover-preserves-view', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'copy', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const self = commit(this);
          const top = self.options.top;
          self.options = { ...self.options, top: top.backing ?? top };
          try {
            return await original.apply(this, args);
          } finally {
            self.options = { ...self.options, top };
          }
        },
      ),
  },
  {
    name: 'commit-does-not-pivot',
    breaks: "a completed commit drops active and hidden without moving their parents onto the secondary disk (mirror's pivot)",
    expect: ['failover-preserves-view', 'conformance', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(CommitJob.prototype, 'completeAndPivot', () =>
        async function (this: unknown) {
          const self = inside<CommitInside & { copyDirty(): Promise<void> }>(this);
          await self.copyDirty();
          for (let n: BlockNode | null = self.options.top; n && n !== self.options.base; n = n.backing) n.open = false;
        },
      ),
  },
  {
    name: 'commit-never-completes',
    breaks: 'the active commit waits in READY for a block-job-complete that never comes (b49f7ead8d, auto-complete, reverted)',
    expect: ['liveness'],
    apply: () =>
      patch(CommitJob.prototype, 'completeAndPivot', () =>
        async function (this: unknown) {
          const self = commit(this);
          await new WaitQueue(self.env.sched, 'mutant: block-job-complete').wait('commit in READY');
        },
      ),
  },
];
