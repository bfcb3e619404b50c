/*
 * The backup job in sync=none mode, as replication uses it: it never copies anything by itself; it
 * copies each cluster's old content from the source (secondary disk) into the target (hidden disk)
 * just before the first write to that cluster in an epoch reaches the source, and a checkpoint
 * re-arms every cluster. Two mechanisms, one per profile: QEMU 7.2 inserts a copy-before-write
 * filter whose copies write the target as serialising requests (so a reader of the hidden disk
 * never sees the source change under it); the 2016 code hooked a before-write notifier on the
 * source and instead made secondary reads wait for in-flight copies (guardRead).
 * A copy that fails fails the write that triggered it. Cancelling drains and unhooks the job; a
 * job that fails by itself (a fault) unhooks at once. Either way the filter (or notifier) is gone
 * before onComplete runs, as QEMU cleans a job up (job_clean drops the filter) before its callback:
 * whoever learns that the job ended never finds the filter still in the graph.
 * Limits: a job that fails by itself takes the filter out without a drained section; requests
 * already inside the filter finish on the child they entered with.
 */
import type { BeforeWriteHook, BlockNode } from '../block/BlockNode.js';
import { drainedBegin } from '../block/drain.js';
import { dropFilter, insertFilterAbove } from '../block/graph.js';
import { OverlayNode } from '../block/OverlayNode.js';
import type { Errno } from '../sim/errno.js';
import type { SimEnv } from '../sim/SimEnv.js';
import type { TraceJobEvent } from '../sim/TraceEvents.js';
import { copyRange } from './copyRange.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { CopyBeforeWriteFilter } from './CopyBeforeWriteFilter.js';
import { CopyBitmap } from './CopyBitmap.js';
import { InflightRanges } from './InflightRanges.js';

export const BACKUP_MIN_CLUSTER_SIZE = 65536;

export interface BackupJobOptions {
  /** Name for tracing and for the filter node, e.g. "backup" or "backup.1". */
  readonly name: string;
  readonly source: BlockNode;
  readonly target: BlockNode;
  readonly mechanism: 'filter' | 'notifier';
  /** The replication node that owns the job (fault plans name it). */
  readonly owner: string;
  /** backup_job_completed: null on success, the errno otherwise (ECANCELED when cancelled). */
  readonly onComplete: (ret: Errno | null) => void;
  /** The owning process's crash points. */
  readonly crashPoint?: (point: string) => void;
  /** The owning process aborts (an assertion QEMU itself fails): it dies, and the call does not return. */
  readonly abort?: (reason: string) => never;
}

/** What QEMU's block-copy prints when a copy task would overlap one in flight (block_copy_task_create). */
export const BLOCK_COPY_CONFLICT = "block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed";

export type BackupJobStatus = 'running' | 'cancelled' | 'failed';

export class BackupJob {
  readonly clusterSize: number;
  readonly bitmap: CopyBitmap;
  status: BackupJobStatus = 'running';
  /** Counts checkpoints: a copy belongs to the epoch in which it took its cluster. */
  private epoch = 0;
  private filter: CopyBeforeWriteFilter | null = null;
  private hook: BeforeWriteHook | null = null;
  /** 7.2: clusters whose copy is in flight (block-copy tasks). */
  private readonly copying = new Map<number, WaitQueue>();
  /** v24: in-flight COW requests and guarded reads. */
  private readonly cowRanges: InflightRanges;
  private copies = 0;

  constructor(
    private readonly env: SimEnv,
    private readonly options: BackupJobOptions,
  ) {
    const targetCluster = options.target instanceof OverlayNode ? options.target.clusterSize : 0;
    this.clusterSize = Math.max(BACKUP_MIN_CLUSTER_SIZE, targetCluster);
    this.bitmap = new CopyBitmap(options.source.length, this.clusterSize);
    this.cowRanges = new InflightRanges(env.sched, `${options.name}:cow`);
  }

  get name(): string {
    return this.options.name;
  }

  /** How many clusters were copied so far. */
  get copiedClusters(): number {
    return this.copies;
  }

  start(): void {
    this.bitmap.armAll();
    if (this.options.mechanism === 'filter') {
      this.filter = new CopyBeforeWriteFilter(this.env, `cbw${suffixOf(this.options.name)}`, this, this.options.target);
      insertFilterAbove(this.options.source, this.filter);
    } else {
      this.hook = (write) => this.copyBeforeWrite(write.offset, write.bytes, write.requestId);
      this.options.source.beforeWrite.push(this.hook);
    }
    this.traceJob('start');
  }

  /** backup_do_checkpoint: every cluster needs copying again before its next write. */
  doCheckpoint(): void {
    this.epoch++;
    this.bitmap.armAll();
    this.traceJob('checkpoint');
  }

  /** job_cancel_sync(force): wait for writes in flight, unhook, report ECANCELED. */
  async cancel(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'cancelled';
    await this.unhook();
    this.traceJob('cancelled');
    this.options.onComplete('ECANCELED');
  }

  /** The copy-before-write entry point, from the filter or the notifier, for the write `requestId`. */
  async copyBeforeWrite(offset: number, bytes: number, requestId?: number): Promise<void> {
    if (this.status !== 'running') return;
    if (this.env.faults.jobFails('backup', this.options.owner)) {
      // The job ends on its own before this write's copy: from now on nothing is copied. A drain
      // would wait for this very write, so the (now inert) filter leaves the graph undrained, and
      // only then does the owner learn it: a failover right after must commit into the secondary
      // disk itself, not into a filter that is on its way out.
      this.status = 'failed';
      this.traceJob('failed');
      this.removeHooks();
      this.options.onComplete('EIO');
      return;
    }
    const start = Math.floor(offset / this.clusterSize);
    const end = Math.ceil((offset + bytes) / this.clusterSize);
    if (this.options.mechanism === 'filter') await this.copyClusters(start, end, requestId);
    else await this.copyRangeV24(start, end, requestId);
  }

  /** v24: a secondary read waits for overlapping COW and keeps new COW off its clusters meanwhile. */
  async guardRead<T>(offset: number, bytes: number, read: () => Promise<T>): Promise<T> {
    const start = Math.floor(offset / this.clusterSize) * this.clusterSize;
    const end = Math.ceil((offset + bytes) / this.clusterSize) * this.clusterSize;
    await this.cowRanges.waitOverlapping(start, end, `read[${offset},+${bytes}]`);
    const range = this.cowRanges.begin(start, end);
    try {
      return await read();
    } finally {
      this.cowRanges.end(range);
    }
  }

  /**
   * 7.2 block-copy: each armed cluster is copied once; writers to a cluster being copied wait for it.
   * block-copy takes a dirty cluster to have no copy in flight (making a task cleans its clusters),
   * and asserts it before it waits for anyone; a checkpoint re-dirties every cluster, also one whose
   * copy is in flight, and then the next write to it aborts the process (properties/qemu-crashes/).
   */
  private async copyClusters(start: number, end: number, requestId: number | undefined): Promise<void> {
    for (const c of this.bitmap.clustersBetween(start, end)) {
      if (this.copying.has(c) && this.bitmap.isArmed(c)) this.options.abort?.(`${BLOCK_COPY_CONFLICT} (${this.name}, cluster ${c}: dirtied by a checkpoint while its copy was in flight)`);
      for (let pending = this.copying.get(c); pending; pending = this.copying.get(c)) await pending.wait(`write waits for copy of cluster ${c} by ${this.name}`);
      if (!this.bitmap.take(c)) continue;
      const done = new WaitQueue(this.env.sched, `${this.name}:copy#${c}`);
      this.copying.set(c, done);
      try {
        await this.copyTaken(c, true, requestId);
      } finally {
        this.copying.delete(c);
        done.wakeAll();
      }
    }
  }

  /** v24 backup_do_cow: wait for overlapping COW, register the range, copy the clusters not yet done. */
  private async copyRangeV24(start: number, end: number, requestId: number | undefined): Promise<void> {
    const cs = this.clusterSize;
    await this.cowRanges.waitOverlapping(start * cs, end * cs, `cow[${start},${end})`);
    const range = this.cowRanges.begin(start * cs, end * cs);
    try {
      for (const c of this.bitmap.clustersBetween(start, end)) if (this.bitmap.take(c)) await this.copyTaken(c, false, requestId);
    } finally {
      this.cowRanges.end(range);
    }
  }

  /** Copy a cluster just taken off the bitmap; a failed copy leaves it armed again. */
  private async copyTaken(cluster: number, serialising: boolean, requestId: number | undefined): Promise<void> {
    try {
      await this.copyCluster(cluster, serialising, this.epoch, requestId);
    } catch (error) {
      this.bitmap.rearm(cluster);
      throw error;
    }
  }

  /**
   * Copy one cluster source -> target for the write `requestId`; all-zero content is written as
   * zeroes. The filter (QEMU 7.2's block-copy) asks the source's block status first: a cluster that
   * is a hole in the source as a whole is written as zeroes without being read (so a read fault
   * there does not fire); the 2016 notifier always reads.
   */
  private async copyCluster(cluster: number, serialising: boolean, epoch: number, requestId: number | undefined): Promise<void> {
    const { source, target } = this.options;
    const offset = cluster * this.clusterSize;
    const bytes = Math.min(this.clusterSize, source.length - offset);
    // Stryker disable next-line ConditionalExpression: Trace.emit does nothing while the trace is off; the test only spares building the fields
    if (this.env.trace.enabled) this.env.trace.emit('cow-begin', { job: this.name, cluster, epoch, req: requestId });
    this.options.crashPoint?.('secondary:before-cow');
    const options = serialising ? { serialisingAlign: this.clusterSize, requestId } : { requestId };
    if (this.filter !== null && (await isHole(source, offset, bytes))) await target.writeZeroes(offset, bytes, options);
    else await copyRange(source, target, offset, bytes, options);
    this.copies++;
    // Stryker disable next-line ConditionalExpression: Trace.emit does nothing while the trace is off; the test only spares building the fields
    if (this.env.trace.enabled) this.env.trace.emit('cow', { job: this.name, cluster, offset, bytes, epoch, req: requestId });
  }


  /** Drain the source and take the filter (or notifier) away. */
  private async unhook(): Promise<void> {
    const section = await drainedBegin(this.options.source, `${this.name} teardown`);
    try {
      this.removeHooks();
    } finally {
      section.end();
    }
  }

  /** Take the filter (or notifier) away: the source's parents use the source again. */
  private removeHooks(): void {
    if (this.filter) {
      dropFilter(this.filter);
      this.filter.detach('target');
    }
    if (this.hook) {
      const hooks = this.options.source.beforeWrite;
      hooks.splice(hooks.indexOf(this.hook), 1);
    }
    this.filter = null;
    this.hook = null;
  }

  private traceJob(event: TraceJobEvent): void {
    // Stryker disable next-line ConditionalExpression: Trace.emit does nothing while the trace is off; the test only spares building the fields
    if (this.env.trace.enabled) this.env.trace.emit('job', { job: this.name, owner: this.options.owner, event });
  }
}

/** block_copy_block_status: the whole range reads as zeros in one run (shorter runs count as data). */
async function isHole(source: BlockNode, offset: number, bytes: number): Promise<boolean> {
  const status = await source.blockStatus(offset, bytes);
  return status.kind === 'zero' && status.bytes >= bytes;
}

function suffixOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot);
}
