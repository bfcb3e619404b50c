/*
 * Mutants of the replication node (block/replication.c): its stage checks, the primary's error
 * swallowing, the checkpoint's order, stop and failover bookkeeping, and the profile rules that
 * separate QEMU 7.2 from the 2016 v24 patch. Each names the commit or reference section it undoes.
 */
import { BlockError, isBlockError } from '../../src/block/BlockError.js';
import type { BlockNode } from '../../src/block/BlockNode.js';
import type { BackupJob } from '../../src/jobs/BackupJob.js';
import { MSG, activeEjected, hiddenEjected } from '../../src/replication/messages.js';
import { QemuError } from '../../src/replication/QemuError.js';
import { ReplicationNode } from '../../src/replication/ReplicationNode.js';
import { ioStatus } from '../../src/replication/ReplicationStage.js';
import type { ReplicationStage } from '../../src/replication/ReplicationStage.js';
import { type Mutant, inside, patch, setRule } from './Mutant.js';

/** The private side of a replication node that the mutants rewrite. */
interface NodeInside {
  mode: 'primary' | 'secondary';
  stage: ReplicationStage;
  error: string | null;
  backupJob: BackupJob | null;
  file: BlockNode | null;
  hiddenLink: { node: BlockNode } | null;
  options: { crashPoint?: (point: string) => void };
  emptyDisk(disk: BlockNode, ejected: (name: string) => string, v24: string): Promise<void>;
  secondaryCheckpoint(): Promise<void>;
  setStage(to: ReplicationStage): void;
  traceIo(io: { op: 'read' | 'write'; offset: number; bytes: number; stage: ReplicationStage; requestId: number | undefined }, result: string, lower: string): void;
}

const node = (self: unknown): NodeInside => inside<NodeInside>(self);
const proto = ReplicationNode.prototype;

/** A write that reaches the file child in a stage where io_status says -EIO. */
function forwardIn(stage: ReplicationStage, mode?: 'primary') {
  return (original: (...args: unknown[]) => unknown) =>
    async function (this: unknown, ...args: unknown[]) {
      const n = node(this);
      if (n.stage !== stage || (mode && n.mode !== mode)) return original.apply(this, args);
      const [offset, data, requestId] = args as [number, Uint8Array, number | undefined];
      await n.file!.write(offset, data, { requestId });
      n.traceIo({ op: 'write', offset, bytes: data.length, stage, requestId }, 'ok', 'ok');
    };
}

export const REPLICATION_MUTANTS: readonly Mutant[] = [
  {
    name: 'checkpoint-keeps-hidden',
    breaks: 'secondary_do_checkpoint forgets make_empty(hidden) (reference §2.7)',
    expect: ['checkpoint-sync', 'cow-isolation', 'no-lost-acknowledged-write', 'failover-preserves-view'],
    apply: () =>
      patch(proto, 'emptyDisk', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          if ((args[0] as BlockNode).name.startsWith('hidden-disk')) return;
          return original.apply(this, args);
        },
      ),
  },
  {
    name: 'checkpoint-empties-hidden-first',
    breaks: 'secondary_do_checkpoint empties hidden before active; a failed make_empty then leaves the other disk full (reference §2.7 order)',
    expect: ['conformance', 'checkpoint-sync', 'cow-isolation', 'no-lost-acknowledged-write'],
    // Seen only when make_empty fails on both disks in one checkpoint (the error then names the
    // other disk): about 11,000 cases on seeds 1 and 2.
    budgetCases: 15_000,
    apply: () =>
      patch(proto, 'secondaryCheckpoint', () =>
        async function (this: unknown) {
          const n = node(this);
          if (!n.backupJob) throw new QemuError(MSG.backupCancelled);
          n.backupJob.doCheckpoint();
          await n.emptyDisk(n.hiddenLink!.node, hiddenEjected, MSG.v24HiddenNotEmptied);
          n.options.crashPoint?.('secondary:between-make-empty');
          await n.emptyDisk(n.file!, activeEjected, MSG.v24ActiveNotEmptied);
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
    name: 'get-error-only-while-running',
    breaks: "v24's get_error: \"Block replication is not running\" in every stage but RUNNING (reference §2.9)",
    expect: ['conformance', 'primary-swallows-errors'],
    apply: () => setRule('getErrorOnlyWhileRunning', true),
  },
  {
    name: 'no-ejected-disk-check',
    breaks: 'checkpoint calls make_empty through the NULL driver of an ejected disk (d470ad42ac reverted, LP#1728660)',
    expect: ['conformance', 'ignore-after-promotion', 'engine-error'],
    apply: () => setRule('checksEjectedDisks', false),
  },
  {
    name: 'v24-make-empty-messages',
    breaks: "make_empty failures say v24's \"Cannot make active disk empty\" instead of bdrv_make_empty's message",
    expect: ['conformance'],
    apply: () => setRule('v24MakeEmptyMessages', true),
  },
  {
    name: 'close-leaves-commit',
    breaks: 'close during FAILOVER does not cancel the commit, whose callback then runs on a closed node (50ab0e0908 reverted)',
    expect: ['conformance', 'liveness', 'failover-preserves-view', 'engine-error'],
    apply: () => setRule('closeCancelsCommit', false),
  },
  {
    name: 'primary-does-not-swallow',
    breaks: 'a failed forwarded write fails the primary guest write instead of setting the replication error (reference §2.4 write path)',
    expect: ['primary-swallows-errors', 'conformance'],
    apply: () =>
      patch(proto, 'doWrite', (original) =>
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
    name: 'secondary-swallows-errors',
    breaks: 'the secondary swallows a failed write like the primary does; only the primary may (reference §2.4)',
    expect: ['conformance', 'no-lost-acknowledged-write'],
    apply: () =>
      patch(proto, 'doWrite', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          const status = ioStatus(n.stage, n.mode);
          try {
            await original.apply(this, args);
          } catch (error) {
            if (n.mode !== 'secondary' || status < 0 || !isBlockError(error)) throw error;
            n.error = error.errno;
          }
        },
      ),
  },
  {
    name: 'write-before-start',
    breaks: 'io_status lets writes through in NONE (both modes must fail them with EIO)',
    expect: ['no-io-before-start', 'conformance'],
    apply: () => patch(proto, 'doWrite', forwardIn('NONE')),
  },
  {
    name: 'primary-forwards-after-stop',
    breaks: 'a stopped (DONE) primary still forwards writes to the secondary; io_status says -EIO',
    // The checker files the primary node's I/O answers under primary-swallows-errors.
    expect: ['primary-swallows-errors', 'conformance'],
    apply: () => patch(proto, 'doWrite', forwardIn('DONE', 'primary')),
  },
  {
    name: 'primary-serves-reads',
    breaks: 'replication_co_readv in primary mode reads the NBD link instead of failing with EIO',
    expect: ['no-io-before-start', 'conformance'],
    apply: () =>
      patch(proto, 'doRead', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          if (n.mode !== 'primary' || n.stage !== 'RUNNING') return original.apply(this, args);
          const [offset, bytes, requestId] = args as [number, number, number | undefined];
          const data = await n.file!.read(offset, bytes, { requestId });
          n.traceIo({ op: 'read', offset, bytes, stage: n.stage, requestId }, 'ok', 'ok');
          return data;
        },
      ),
  },
  {
    name: 'start-while-running-succeeds',
    breaks: 'start in RUNNING or FAILOVER_FAILED succeeds silently instead of "Block replication is running or done" (reference §2.4)',
    expect: ['conformance'],
    apply: () =>
      patch(proto, 'start', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const n = inside<NodeInside & { traced(op: string, arg: unknown, body: () => Promise<void>): Promise<void> }>(this);
          if (n.stage !== 'RUNNING' && n.stage !== 'FAILOVER_FAILED') return original.apply(this, args);
          return n.traced('start', args[0], async () => undefined);
        },
      ),
  },
  {
    name: 'stop-before-start-succeeds',
    breaks: 'stop in NONE succeeds instead of "Block replication is not running" (reference §2.4)',
    expect: ['conformance', 'primary-swallows-errors'],
    apply: () =>
      patch(proto, 'stopNode', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          if (node(this).stage === 'NONE') return;
          return original.apply(this, args);
        },
      ),
  },
  {
    name: 'get-error-hides-error',
    breaks: 'get_error answers success although a swallowed primary write (or the backup job) set the replication error (reference §2.4 get_error)',
    expect: ['primary-swallows-errors', 'conformance'],
    apply: () =>
      patch(proto, 'getError', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          const error = n.error;
          n.error = null;
          try {
            return await original.apply(this, args);
          } finally {
            n.error = error;
          }
        },
      ),
  },
  {
    name: 'secondary-reads-secondary-disk',
    breaks: 'the secondary reads its secondary disk directly instead of the active -> hidden chain, so the SVM sees what the primary wrote since the checkpoint',
    expect: ['cow-isolation', 'no-lost-acknowledged-write', 'failover-preserves-view'],
    apply: () =>
      patch(proto, 'doRead', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          if (n.mode !== 'secondary' || n.stage !== 'RUNNING') return original.apply(this, args);
          const [offset, bytes, requestId] = args as [number, number, number | undefined];
          const base = inside<{ secondaryDisk(): BlockNode }>(this).secondaryDisk();
          const data = await base.read(offset, bytes, { requestId });
          n.traceIo({ op: 'read', offset, bytes, stage: n.stage, requestId }, 'ok', 'ok');
          return data;
        },
      ),
  },
  {
    name: 'split-write-to-active',
    breaks: 'FAILOVER_FAILED writes all go to the active disk, ignoring allocation (3b78420bb1 area)',
    expect: ['failover-failed-routing'],
    apply: () =>
      patch(proto, 'splitWrite', () =>
        async function (this: ReplicationNode, ...args: unknown[]) {
          await this.file!.write(args[0] as number, args[1] as Uint8Array, { requestId: args[2] as number | undefined });
        },
      ),
  },
  {
    name: 'split-write-to-secondary',
    breaks: 'FAILOVER_FAILED writes all go straight to the secondary disk, under what active and hidden still shadow (reference §2.4 split rule)',
    expect: ['failover-failed-routing'],
    apply: () =>
      patch(proto, 'splitWrite', () =>
        async function (this: unknown, ...args: unknown[]) {
          const base = inside<{ secondaryDisk(): BlockNode }>(this).secondaryDisk();
          await base.write(args[0] as number, args[1] as Uint8Array, { requestId: args[2] as number | undefined });
        },
      ),
  },
  {
    name: 'primary-stop-keeps-error',
    breaks: 'stop on a RUNNING primary leaves the replication error set (reference §2.3: error := 0)',
    expect: ['conformance', 'primary-swallows-errors'],
    // It needs a swallowed forwarded write, then a stop of the running primary, then a status query:
    // seeds 1, 2, 3 meet it at cases 3,778, 5,320 and 1,305 since the local-disk-full fault
    // (2,954, 1,693, 1,050 before it); 6,000 leaves room.
    budgetCases: 6_000,
    apply: () =>
      patch(proto, 'stopNode', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          const before = n.error;
          await original.apply(this, args);
          if (n.mode === 'primary' && n.stage === 'DONE') n.error = before;
        },
      ),
  },
  {
    name: 'stop-without-failover-checkpoints',
    breaks: "stop(failover=false) on the secondary checkpoints before cancelling the job, so it succeeds; QEMU's fails with \"Backup job was cancelled unexpectedly\" (reference §9.2)",
    expect: ['conformance'],
    apply: () =>
      patch(proto, 'stopNode', (original) =>
        async function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          if (args[0] === true || n.mode !== 'secondary' || n.stage !== 'RUNNING' || !n.backupJob) return original.apply(this, args);
          await n.secondaryCheckpoint();
          await n.backupJob?.cancel();
          n.setStage('DONE');
        },
      ),
  },
  {
    name: 'backup-end-sets-no-error',
    breaks: 'backup_job_completed does not set error := -EIO (reference §2.8)',
    expect: ['conformance', 'primary-swallows-errors'],
    apply: () =>
      patch(proto, 'backupJobCompleted', (original) =>
        function (this: ReplicationNode, ...args: unknown[]) {
          const before = this.error;
          original.apply(this, args);
          this.error = before;
        },
      ),
  },
  {
    name: 'backup-job-pointer-kept',
    breaks: 'backup_job is not cleared when the job ends, so checkpoint and stop use a dead job (cc19f1773d, fixed by e140f4b7b8)',
    expect: ['conformance', 'cow-isolation', 'checkpoint-sync'],
    apply: () =>
      patch(proto, 'backupJobCompleted', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          const job = n.backupJob;
          original.apply(this, args);
          n.backupJob = job;
        },
      ),
  },
  {
    name: 'failover-keeps-error',
    breaks: 'replication_done after a successful commit leaves error = -EIO, so get_error in DONE reports "I/O error occurred"',
    expect: ['conformance'],
    apply: () =>
      patch(proto, 'replicationDone', (original) =>
        function (this: unknown, ...args: unknown[]) {
          const n = node(this);
          const before = n.error;
          original.apply(this, args);
          if (args[0] === null && n.stage === 'DONE') n.error = before;
        },
      ),
  },
  {
    name: 'failed-commit-stays-failover',
    breaks: 'replication_done after a failed commit leaves the node in FAILOVER instead of FAILOVER_FAILED',
    expect: ['conformance', 'failover-failed-routing', 'ignore-after-promotion'],
    apply: () =>
      patch(proto, 'replicationDone', (original) =>
        function (this: unknown, ...args: unknown[]) {
          if (args[0] === null) return original.apply(this, args);
          inside<{ commitDone: { wakeAll(): void } }>(this).commitDone.wakeAll();
          node(this).error = 'EIO';
        },
      ),
  },
];
