/*
 * The failover's active commit (QEMU's mirror job in active-commit mode, auto-completing): it copies
 * everything allocated above the base (active and hidden, zero clusters included) from the top of
 * the chain into the base (the secondary disk), while writes to the top keep arriving and are
 * tracked as dirty and copied too. Copying goes in chunks paced on the simulated clock. When nothing
 * is dirty it drains the top, copies what is left and rewires: every parent of the top now uses
 * the base, and the top and the intermediate overlays are dropped. A read or write error fails the
 * job (on-error=report) and leaves the partial copy in the base, with the graph untouched.
 * Each copy names the guest requests whose writes to the top dirtied its clusters (`reqs`).
 * The start-up scan (mirror_dirty_init) takes simulated time per allocated cluster. Whether writes
 * arriving during it are recorded is the profile's rule: QEMU 7.2 records them (its dirty bitmap is
 * enabled on the source from creation); 8.2 to 10.0.12 record them only once the scan is done, so a
 * write to a cluster the scan already passed unallocated is never copied (GitLab #3273).
 * A job that never converges (writes dirtying faster than it copies) runs until the scheduler's step
 * bound stops the run: every copy takes scheduler steps. A scan whose block status makes no progress
 * fails the job instead of spinning (the scan alone takes no steps over unallocated space).
 * Limits: one copy in flight at a time; the dirty granularity is 64 KiB; the scan costs nothing
 * over unallocated space.
 */
import type { AfterWriteHook, BlockNode } from '../block/BlockNode.js';
import { BlockError, isBlockError } from '../block/BlockError.js';
import { isAllocatedAbove } from '../block/allocation.js';
import { drainedBegin } from '../block/drain.js';
import { replaceNode } from '../block/graph.js';
import type { Errno } from '../sim/errno.js';
import type { SimEnv } from '../sim/SimEnv.js';
import type { TraceJobEvent } from '../sim/TraceEvents.js';
import { copyRange } from './copyRange.js';
import { CopyBitmap } from './CopyBitmap.js';

export const COMMIT_GRANULARITY = 65536;

export interface CommitJobOptions {
  readonly name: string;
  /** The replication node that started the commit (checkers attribute job events to it). */
  readonly owner: string;
  /** The active disk: the top of the chain being committed. */
  readonly top: BlockNode;
  /** The secondary disk: where everything goes. */
  readonly base: BlockNode;
  readonly chunkBytes: number;
  readonly paceTicks: number;
  /** Simulated time the start-up scan spends on each allocated cluster (0: none). */
  readonly scanTicksPerCluster?: number;
  /** Whether guest writes during the start-up scan are recorded (QEMU 7.2: yes; 8.2-10.0.12: no). */
  readonly recordsWritesDuringStartup?: boolean;
  /** replication_done: null on success, the errno otherwise. */
  readonly onComplete: (ret: Errno | null) => void;
  /** The process died under the job (a crash): nothing completes, waiters should stop waiting. */
  readonly onAborted?: () => void;
  readonly crashPoint?: (point: string) => void;
}

export type CommitJobStatus = 'running' | 'completed' | 'failed' | 'cancelled';

class CommitCancelled extends Error {}

export class CommitJob {
  status: CommitJobStatus = 'running';
  private readonly dirty: CopyBitmap;
  private readonly hook: AfterWriteHook;
  private cancelRequested = false;
  private copiedBytes = 0;
  /** Cluster -> the guest requests that dirtied it since its last copy, in arrival order. */
  private readonly dirtiedBy = new Map<number, number[]>();

  constructor(
    private readonly env: SimEnv,
    private readonly options: CommitJobOptions,
  ) {
    this.dirty = new CopyBitmap(options.top.length, COMMIT_GRANULARITY);
    this.hook = (write) => this.markDirty(write.offset, write.bytes, write.requestId);
  }

  get name(): string {
    return this.options.name;
  }

  get bytesCopied(): number {
    return this.copiedBytes;
  }

  start(): void {
    if (this.recordsDuringStartup) this.recordWrites();
    this.trace('start');
    this.env.sched.spawn(this.name, () => this.run());
  }

  /** A soft cancel (close during FAILOVER): stop at the next chunk, keep what was copied, no rewiring. */
  cancel(): void {
    this.cancelRequested = true;
  }

  get finished(): boolean {
    return this.status !== 'running';
  }

  /** QEMU 7.2 records writes from the job's creation (the default); 8.2-10.0.12 only after the scan. */
  private get recordsDuringStartup(): boolean {
    return this.options.recordsWritesDuringStartup ?? true;
  }

  private async run(): Promise<void> {
    let ret: Errno | null = null;
    try {
      await this.markAllocatedDirty();
      // 8.2-10.0.12: only now does the mirror_top filter know its job and record writes.
      if (!this.recordsDuringStartup) this.recordWrites();
      await this.copyDirty();
      await this.completeAndPivot();
      this.status = 'completed';
    } catch (error) {
      if (error instanceof CommitCancelled) {
        this.status = 'cancelled';
        ret = 'ECANCELED';
      } else if (isBlockError(error)) {
        this.status = 'failed';
        ret = error.errno;
      } else {
        this.status = 'failed';
        this.unhook();
        this.trace('aborted');
        this.options.onAborted?.();
        throw error;
      }
    } finally {
      this.unhook();
    }
    // The status is decided by now (completed, failed or cancelled).
    this.trace(this.status as Exclude<CommitJobStatus, 'running'>, ret ?? undefined);
    this.options.onComplete(ret);
  }

  /**
   * mirror_dirty_init: everything allocated above the base must be copied. An allocated run is
   * marked when its block-status lookup returns, after the time it took (per cluster).
   */
  private async markAllocatedDirty(): Promise<void> {
    const length = this.options.top.length;
    for (let offset = 0; offset < length; ) offset += await this.scanRun(offset, length);
  }

  /** One block-status lookup of the scan: the run from `offset` is marked dirty if allocated; returns its length. */
  private async scanRun(offset: number, length: number): Promise<number> {
    const { top, base } = this.options;
    const perCluster = this.options.scanTicksPerCluster ?? 0;
    // Stryker disable next-line ArithmeticOperator: isAllocatedAbove clips the run to each layer's length, the top's first, so asking past the end asks the same
    const run = await isAllocatedAbove(top, base, offset, length - offset);
    if (!(run.bytes > 0)) throw new Error(`${this.name}: the start-up scan made no progress at offset ${offset}`);
    if (run.allocated && perCluster > 0) await this.env.sched.sleep(`${this.name}:scan`, perCluster * Math.ceil(run.bytes / COMMIT_GRANULARITY));
    if (run.allocated) this.markDirty(offset, run.bytes);
    return run.bytes;
  }

  /** Start recording the top's writes (the dirty bitmap is live from here); called once a run. */
  private recordWrites(): void {
    this.options.top.afterWrite.push(this.hook);
  }

  private async copyDirty(): Promise<void> {
    for (let chunk = this.nextChunkUnlessCancelled(); chunk; chunk = this.nextChunkUnlessCancelled()) {
      await this.copy(chunk.offset, chunk.bytes);
      if (this.options.paceTicks > 0) await this.env.sched.sleep(`${this.name}:pace`, this.options.paceTicks);
    }
  }

  /** A soft cancel stops the copying before the next chunk. */
  private nextChunkUnlessCancelled(): { offset: number; bytes: number } | null {
    if (this.cancelRequested) throw new CommitCancelled();
    return this.nextDirtyChunk();
  }

  /** Auto-complete: drain the top, copy what the last writes dirtied, then rewire the graph. */
  private async completeAndPivot(): Promise<void> {
    const { top, base } = this.options;
    const section = await drainedBegin(top, `${this.name} completion`);
    try {
      await this.copyDirty();
      const dropped = chainBetween(top, base);
      replaceNode(top, base, dropped);
      for (const node of dropped) {
        node.detach('backing');
        node.open = false;
      }
    } finally {
      section.end();
    }
  }

  private async copy(offset: number, bytes: number): Promise<void> {
    this.options.crashPoint?.('secondary:during-commit');
    if (this.env.faults.jobFails('commit', this.options.owner)) throw new BlockError('EIO', injectedFailure(this.name));
    const reqs = this.takeRequests(offset, bytes);
    await copyRange(this.options.top, this.options.base, offset, bytes);
    this.copiedBytes += bytes;
    // Stryker disable next-line ConditionalExpression: Trace.emit does nothing while the trace is off; the test only spares building the fields
    if (this.env.trace.enabled) this.env.trace.emit('commit-copy', { job: this.name, offset, bytes, reqs });
  }

  /** The lowest run of dirty clusters, at most chunkBytes long; the clusters are no longer dirty. */
  private nextDirtyChunk(): { offset: number; bytes: number } | null {
    const g = COMMIT_GRANULARITY;
    const maxClusters = Math.max(1, Math.floor(this.options.chunkBytes / g));
    const c = this.dirty.nextArmed(0);
    if (c === null) return null;
    // c is armed, so this takes it; take() of a cluster past the end of the disk is false, so the run stops there too.
    this.dirty.take(c);
    let last = c;
    while (last - c + 1 < maxClusters && this.dirty.take(last + 1)) last++;
    const offset = c * g;
    return { offset, bytes: Math.min((last + 1) * g, this.options.top.length) - offset };
  }

  private markDirty(offset: number, bytes: number, requestId?: number): void {
    const g = COMMIT_GRANULARITY;
    for (const c of this.dirty.clustersBetween(Math.floor(offset / g), Math.ceil((offset + bytes) / g))) {
      this.dirty.rearm(c);
      if (requestId === undefined) continue;
      const ids = this.dirtiedBy.get(c);
      // A request that dirties a cluster twice is named once: takeRequests drops repeats.
      if (!ids) this.dirtiedBy.set(c, [requestId]);
      else ids.push(requestId);
    }
  }

  /** The requests that dirtied the chunk's clusters, comma-separated (undefined for none); forgotten once copied. */
  private takeRequests(offset: number, bytes: number): string | undefined {
    const g = COMMIT_GRANULARITY;
    const ids: number[] = [];
    for (const c of this.dirty.clustersBetween(Math.floor(offset / g), Math.ceil((offset + bytes) / g))) {
      for (const id of this.dirtiedBy.get(c) ?? []) if (!ids.includes(id)) ids.push(id);
      this.dirtiedBy.delete(c);
    }
    return ids.length > 0 ? ids.join(',') : undefined;
  }

  private unhook(): void {
    const hooks = this.options.top.afterWrite;
    const i = hooks.indexOf(this.hook);
    if (i >= 0) hooks.splice(i, 1);
  }

  private trace(event: TraceJobEvent, errno?: string): void {
    // Stryker disable next-line ConditionalExpression: Trace.emit does nothing while the trace is off; the test only spares building the fields
    if (this.env.trace.enabled) this.env.trace.emit('job', { job: this.name, owner: this.options.owner, event, errno, copied: this.copiedBytes });
  }
}

/** The top and every node below it down to, not including, the base (active and hidden). */
function chainBetween(top: BlockNode, base: BlockNode): BlockNode[] {
  const chain: BlockNode[] = [];
  for (let n: BlockNode | null = top; n && n !== base; n = n.backing) chain.push(n);
  return chain;
}

// Stryker disable next-line StringLiteral,ArrowFunction: run() keeps only a BlockError's errno, so this message goes nowhere
const injectedFailure = (job: string): string => `${job}: injected job failure`;
