/*
 * QEMU's replication block filter (block/replication.c) in one mode, primary or secondary, with
 * one profile's rules (Profile.ts). The primary node only forwards the primary VM's writes to its
 * file (the NBD link), swallowing their errors into the replication error while RUNNING; the
 * secondary node sits on active -> hidden -> secondary disk, owns the backup job that buffers the
 * primary's writes in hidden, empties active and hidden at each checkpoint and commits them into
 * the secondary disk at failover. Stages, operation outcomes and error texts follow reference §2;
 * every stage change and operation outcome goes to the trace for the conformance checker.
 */
import { BlockError, isBlockError } from '../block/BlockError.js';
import type { BdrvChild } from '../block/BdrvChild.js';
import { BlockNode } from '../block/BlockNode.js';
import { isAllocatedAbove } from '../block/allocation.js';
import { isBelow } from '../block/graph.js';
import type { NodeRegistry } from '../block/NodeRegistry.js';
import { BackupJob } from '../jobs/BackupJob.js';
import { CommitJob } from '../jobs/CommitJob.js';
import type { Errno } from '../sim/errno.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import type { SimEnv } from '../sim/SimEnv.js';
import type { TraceReplicationOp } from '../sim/TraceEvents.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { OutcomeError } from '../util/OutcomeError.js';
import { BACKUP_BLOCKER_REASON, MSG, activeEjected, failedToEmpty, hiddenEjected, modeMismatch, nodeBusy } from './messages.js';
import type { ProfileRules } from './Profile.js';
import { QemuError } from './QemuError.js';
import type { ReplicationFramework, ReplicationOps } from './ReplicationFramework.js';
import { MODE_NUMBER, type ReplicationMode, type ReplicationStage, ioStatus, isPromoted } from './ReplicationStage.js';
import { checkSecondaryChain, type SecondaryChain } from './SecondaryChain.js';

export interface CommitTiming {
  readonly chunkBytes: number;
  readonly paceTicks: number;
  /** Simulated time the start-up scan spends per allocated cluster. */
  readonly scanTicksPerCluster?: number;
}

export interface ReplicationNodeOptions {
  readonly name: string;
  readonly mode: ReplicationMode;
  readonly topId?: string;
  readonly file: BlockNode;
  readonly rules: ProfileRules;
  readonly registry: NodeRegistry;
  readonly framework: ReplicationFramework;
  /** Which process this node lives in, for crash reports ("primary", "secondary"). */
  readonly side: string;
  readonly commit: CommitTiming;
  /** Called when the node would crash its process outside a request (e.g. in a job callback). */
  readonly onCrash: (crash: SimulatedCrash) => void;
  /** A crash point of this process (src/colo/crashPoints.ts): throws if a crash fault fires here. */
  readonly crashPoint?: (point: string) => void;
}

export class ReplicationNode extends BlockNode implements ReplicationOps {
  readonly driver = 'replication';
  readonly mode: ReplicationMode;
  readonly rules: ProfileRules;
  stage: ReplicationStage = 'NONE';
  /** The replication error (s->error): set by swallowed primary writes and by the backup job ending. */
  error: Errno | null = null;
  backupJob: BackupJob | null = null;
  commitJob: CommitJob | null = null;
  /** 7.2: the node's own links to hidden and secondary disk, attached at start. */
  private hiddenLink: BdrvChild | null = null;
  private secondaryLink: BdrvChild | null = null;
  /** v24: borrowed pointers to the chain, stored during start and cleared after a successful failover. */
  private borrowed: Partial<SecondaryChain> = {};
  private readonly commitDone: WaitQueue;

  constructor(
    env: SimEnv,
    private readonly options: ReplicationNodeOptions,
  ) {
    super(env, options.name);
    this.mode = options.mode;
    this.rules = options.rules;
    this.alignment = 512;
    this.attach('file', options.file);
    this.commitDone = new WaitQueue(env.sched, `${options.name} commit to end`);
    options.framework.register(this);
  }

  override get isFilter(): boolean {
    return true;
  }

  get length(): number {
    return this.file?.length ?? 0;
  }

  get topId(): string | undefined {
    return this.options.topId;
  }

  // ---- I/O (replication_co_readv / replication_co_writev) ----

  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    const stage = this.stage;
    const io = { op: 'read', offset, bytes, stage, requestId } as const;
    if (this.mode === 'primary' || ioStatus(stage, this.mode) < 0) {
      this.traceIo(io, 'EIO', 'none');
      throw new BlockError('EIO', `${this.name}: read in ${stage}`);
    }
    const file = this.file!;
    const job = this.backupJob;
    const read = () => file.read(offset, bytes, { requestId });
    try {
      const data = this.rules.readWaitsForCow && job ? await job.guardRead(offset, bytes, read) : await read();
      this.traceIo(io, 'ok', 'ok');
      return data;
    } catch (error) {
      this.traceIo(io, errnoOf(error), 'failed');
      throw error;
    }
  }

  protected override async doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    const stage = this.stage;
    const status = ioStatus(stage, this.mode);
    const io = { op: 'write', offset, bytes: data.length, stage, requestId } as const;
    if (status < 0) {
      this.traceIo(io, 'EIO', 'none');
      throw new BlockError('EIO', `${this.name}: write in ${stage}`);
    }
    // The route the write took, as the engine took it: the checker compares it with the chart's.
    const route = status === 0 ? 'file' : 'split';
    try {
      if (route === 'file') await this.file!.write(offset, data, { requestId });
      else await this.splitWrite(offset, data, requestId);
      this.traceIo(io, 'ok', 'ok', route === 'split');
    } catch (error) {
      if (this.mode === 'primary' && isBlockError(error)) {
        // The guest write succeeds; the FT manager learns of it through get_error.
        this.error = error.errno;
        this.traceIo(io, 'swallowed', 'failed');
        return;
      }
      this.traceIo(io, errnoOf(error), 'failed');
      throw error;
    }
  }

  /**
   * replication has no flush callback, so bdrv_co_flush flushes every child it may write, whatever
   * the stage: in QEMU's child list order (the newest first: the secondary disk and hidden links of
   * 7.2's start, then the file). All are flushed; the first error in that order is the answer.
   * Write-zeroes has no callback either: the block layer writes a buffer of zeros through doWrite.
   */
  protected override async doFlush(requestId?: number): Promise<void> {
    let first: unknown = null;
    for (const child of [...this.children.values()].reverse()) {
      try {
        await child.node.flush({ requestId });
      } catch (error) {
        if (!isBlockError(error)) throw error;
        first ??= error;
      }
    }
    if (first) throw first;
  }

  /** FAILOVER_FAILED: a run still shadowed by active/hidden goes on top, the rest straight to the secondary disk. */
  private async splitWrite(offset: number, data: Uint8Array, requestId: number | undefined): Promise<void> {
    const top = this.file!;
    const base = this.secondaryDisk();
    const end = offset + data.length;
    for (let pos = offset; pos < end; ) {
      const run = await isAllocatedAbove(top, base, pos, end - pos);
      const target = run.allocated ? top : base;
      await target.write(pos, data.subarray(pos - offset, pos - offset + run.bytes), { requestId });
      pos += run.bytes;
    }
  }

  // ---- operations (ReplicationOps) ----

  start(mode: ReplicationMode): Promise<void> {
    return this.traced('start', mode, async () => {
      if (this.ignoredAfterPromotion()) return;
      if (this.stage !== 'NONE') throw new QemuError(MSG.runningOrDone);
      if (mode !== this.mode) throw new QemuError(modeMismatch(MODE_NUMBER[this.mode], MODE_NUMBER[mode]));
      if (this.mode === 'secondary') this.startBackup();
      this.setStage('RUNNING');
      let initialCheckpoint: unknown = null;
      if (this.mode === 'secondary') initialCheckpoint = await this.secondaryCheckpoint().then(() => null, (e: unknown) => e);
      this.error = null;
      // The stage stays RUNNING even when the initial checkpoint failed (reference §9.5).
      if (initialCheckpoint) throw initialCheckpoint;
    });
  }

  checkpoint(): Promise<void> {
    return this.traced('checkpoint', undefined, async () => {
      if (this.ignoredAfterPromotion()) return;
      if (this.mode === 'secondary') await this.secondaryCheckpoint();
    });
  }

  getError(): Promise<void> {
    return this.traced('get_error', undefined, async () => {
      const notRunning = this.rules.getErrorOnlyWhileRunning ? this.stage !== 'RUNNING' : this.stage === 'NONE';
      if (notRunning) throw new QemuError(MSG.notRunning);
      if (this.error !== null) throw new QemuError(MSG.ioError);
    });
  }

  stop(failover: boolean): Promise<void> {
    return this.traced('stop', failover, () => this.stopNode(failover));
  }

  private async stopNode(failover: boolean): Promise<void> {
    if (this.ignoredAfterPromotion()) return;
    if (this.stage !== 'RUNNING') throw new QemuError(MSG.notRunning);
    if (this.mode === 'primary') {
      this.setStage('DONE');
      this.error = null;
      return;
    }
    // The cancel's completion callback runs now, while the stage is still RUNNING: error := EIO.
    if (this.backupJob) await this.backupJob.cancel();
    this.crashOnEjectedDisk(failover);
    if (!failover) {
      const result = await this.secondaryCheckpoint().then(() => null, (e: unknown) => e);
      this.setStage('DONE');
      if (result) throw result;
      return;
    }
    this.setStage('FAILOVER');
    this.startCommit();
  }


  /** replication_close: stop a running node, cancel a running commit (7.2), leave the framework. */
  async close(): Promise<void> {
    await this.traced('close', undefined, async () => {
      // replication_close calls replication_stop directly, not through the framework: one event, not two.
      // Its errors are dropped (NULL errp); an exception nothing models is a bug of ours, never dropped.
      if (this.stage === 'RUNNING') await this.stopNode(false).catch(rethrowUnmodelled);
      if (this.stage === 'FAILOVER' && this.rules.closeCancelsCommit && this.commitJob) {
        this.commitJob.cancel();
        while (!this.commitJob.finished) await this.commitDone.wait(`${this.name} close`);
      }
      this.options.framework.unregister(this);
      this.open = false;
    });
  }

  /** Wait until the failover commit (if any) has ended, or the process died under it. */
  async waitCommit(who: string): Promise<void> {
    while (this.open && this.stage === 'FAILOVER' && this.commitJob && !this.commitJob.finished) await this.commitDone.wait(who);
  }

  // ---- secondary internals ----

  /** Start, stop and checkpoint do nothing on a promoted node, where the profile says so. */
  private ignoredAfterPromotion(): boolean {
    return isPromoted(this.stage) && this.rules.ignoresRequestsAfterPromotion;
  }

  /** §2.6: validate the chain, attach own links, check top-id, start the backup job. */
  private startBackup(): void {
    const check = checkSecondaryChain(this.file);
    this.borrowed = check.found;
    if (check.error) throw new QemuError(check.error);
    const { hidden, secondary } = check.found as SecondaryChain;
    if (this.rules.cowMechanism === 'filter') {
      // Stay attached even if the top-id check fails below (reference §9.4).
      this.hiddenLink ??= this.attach('hidden', hidden);
      this.secondaryLink ??= this.attach('secondary', secondary);
    }
    const top = this.lookupTop();
    if (!top || !top.isRoot || !isBelow(top, this)) throw new QemuError(MSG.topInvalid);
    top.opBlockers.push(BACKUP_BLOCKER_REASON);
    this.backupJob = new BackupJob(this.env, {
      name: `backup${suffixOf(this.name)}`,
      source: secondary,
      target: hidden,
      mechanism: this.rules.cowMechanism,
      owner: this.name,
      onComplete: (ret) => this.backupJobCompleted(ret),
      crashPoint: this.options.crashPoint,
      abort: (reason) => {
        const crash = new SimulatedCrash(this.options.side, reason);
        this.options.onCrash(crash);
        throw crash;
      },
    });
    this.backupJob.start();
  }

  /** secondary_do_checkpoint: re-arm COW, then empty active, then hidden. */
  private async secondaryCheckpoint(): Promise<void> {
    if (this.rules.checkpointUsesBorrowedSecondaryDisk && !this.borrowed.secondary) {
      throw new SimulatedCrash(this.options.side, `${this.name}: secondary_do_checkpoint dereferenced a NULL secondary disk (stage ${this.stage})`);
    }
    const job = this.backupJob;
    if (!job) throw new QemuError(MSG.backupCancelled);
    job.doCheckpoint();
    const hidden = this.rules.cowMechanism === 'filter' ? this.hiddenLink!.node : this.borrowed.hidden!;
    await this.emptyDisk(this.file!, activeEjected, MSG.v24ActiveNotEmptied);
    this.options.crashPoint?.('secondary:between-make-empty');
    await this.emptyDisk(hidden, hiddenEjected, MSG.v24HiddenNotEmptied);
  }

  /**
   * What QEMU 7.2 does to a stop when a failed make_empty left active or hidden without a driver
   * (observed, src/qemu/OBSERVATIONS.md): reopening the ejected hidden disk back read-only after the
   * backup job crashes (SIGSEGV), and so does starting the failover commit on an ejected active
   * disk (SIGFPE). A stop without failover and an ejected active disk survives.
   */
  private crashOnEjectedDisk(failover: boolean): void {
    const hidden = this.rules.cowMechanism === 'filter' ? this.hiddenLink?.node : this.borrowed.hidden;
    if (hidden?.ejected) throw new SimulatedCrash(this.options.side, `${this.name}: stop reopens the ejected ${hidden.name} (SIGSEGV)`);
    if (failover && this.file?.ejected) throw new SimulatedCrash(this.options.side, `${this.name}: the failover commit starts on the ejected ${this.file.name} (SIGFPE)`);
  }

  private async emptyDisk(disk: BlockNode, ejectedMessage: (name: string) => string, v24Message: string): Promise<void> {
    if (disk.ejected) {
      if (this.rules.checksEjectedDisks) throw new QemuError(ejectedMessage(disk.name));
      throw new SimulatedCrash(this.options.side, `${this.name}: make_empty through the NULL driver of ejected ${disk.name}`);
    }
    try {
      await disk.makeEmpty();
    } catch (error) {
      if (!isBlockError(error)) throw error;
      throw new QemuError(this.rules.v24MakeEmptyMessages ? v24Message : failedToEmpty(disk.filename, error.errno));
    }
  }

  /** backup_job_completed: any end of the job before FAILOVER is an error; then clean up. */
  private backupJobCompleted(_ret: Errno | null): void {
    if (this.stage !== 'FAILOVER') this.error = 'EIO';
    this.backupJob = null;
    // backup_job_cleanup: if top-id no longer resolves, the blocker stays (reference §9.6).
    const top = this.lookupTop();
    const i = top ? top.opBlockers.indexOf(BACKUP_BLOCKER_REASON) : -1;
    if (i >= 0) top!.opBlockers.splice(i, 1);
  }

  private lookupTop(): BlockNode | undefined {
    return this.options.topId === undefined ? undefined : this.options.registry.lookup(this.options.topId);
  }

  /** blockdev-del's check: refused while an op blocker sits on this node. */
  checkDeletable(): void {
    const reason = this.opBlockers[0];
    if (reason !== undefined) throw new QemuError(nodeBusy(this.name, reason));
  }

  private startCommit(): void {
    this.commitJob = new CommitJob(this.env, {
      name: `commit${suffixOf(this.name)}`,
      owner: this.name,
      top: this.file!,
      base: this.secondaryDisk(),
      chunkBytes: this.options.commit.chunkBytes,
      paceTicks: this.options.commit.paceTicks,
      scanTicksPerCluster: this.options.commit.scanTicksPerCluster ?? 0,
      recordsWritesDuringStartup: this.rules.commitRecordsWritesDuringStartup,
      onComplete: (ret) => this.replicationDone(ret),
      onAborted: () => this.commitDone.wakeAll(),
      crashPoint: this.options.crashPoint,
    });
    this.commitJob.start();
  }

  /** replication_done: the commit's end decides between DONE and FAILOVER_FAILED. */
  private replicationDone(ret: Errno | null): void {
    this.commitDone.wakeAll();
    if (!this.open) {
      // v24 left the commit running when the node was closed; its callback then used freed state.
      this.options.onCrash(new SimulatedCrash(this.options.side, `${this.name}: commit completion callback ran on a closed replication node`));
      return;
    }
    if (ret === null) {
      this.setStage('DONE');
      this.detach('hidden');
      this.detach('secondary');
      this.hiddenLink = null;
      this.secondaryLink = null;
      this.borrowed = {};
      this.error = null;
    } else {
      this.setStage('FAILOVER_FAILED');
      this.error = 'EIO';
    }
  }

  private secondaryDisk(): BlockNode {
    const disk = this.rules.cowMechanism === 'filter' ? this.secondaryLink?.node : this.borrowed.secondary;
    if (!disk) throw new Error(`${this.name}: no secondary disk in stage ${this.stage}`);
    return disk;
  }

  // ---- tracing ----

  private setStage(to: ReplicationStage): void {
    const from = this.stage;
    this.stage = to;
    if (this.env.trace.enabled) this.env.trace.emit('stage', { node: this.name, mode: this.mode, from, to });
  }

  private async traced(op: TraceReplicationOp, arg: string | boolean | undefined, body: () => Promise<void>): Promise<void> {
    const stage = this.stage;
    if (this.env.trace.enabled) this.env.trace.emit('repl-op-begin', { node: this.name, op });
    try {
      await body();
      if (this.env.trace.enabled) this.env.trace.emit('repl-op', { node: this.name, mode: this.mode, op, arg, stage, ok: true });
    } catch (error) {
      if (this.env.trace.enabled) {
        const message = error instanceof Error ? error.message : String(error);
        this.env.trace.emit('repl-op', { node: this.name, mode: this.mode, op, arg, stage, ok: false, error: message });
      }
      throw error;
    }
  }

  /**
   * One guest request through the node: `stage` when it was decided, `result` as the caller sees it
   * (ok, swallowed, an errno), `lower` whether the request reached the file child (none, ok, failed).
   */
  /** `split`: a write that succeeded was split by allocation (route "split"); otherwise it went through the file child. */
  private traceIo(io: GuestIo, result: string, lower: 'none' | 'ok' | 'failed', split = false): void {
    if (!this.env.trace.enabled) return;
    const { op, offset, bytes, stage, requestId } = io;
    const fields = { node: this.name, mode: this.mode, op, offset, bytes, stage, result, lower, req: requestId };
    this.env.trace.emit('repl-io', split ? { ...fields, route: 'split' } : fields);
  }
}

/** A guest request as the node decided it, for its trace event. */
interface GuestIo {
  readonly op: 'read' | 'write';
  readonly offset: number;
  readonly bytes: number;
  readonly stage: ReplicationStage;
  readonly requestId: number | undefined;
}

function errnoOf(error: unknown): string {
  return isBlockError(error) ? error.errno : 'crash';
}

function suffixOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot);
}

/** Drop a modelled error (QEMU's, an errno, a crash), rethrow anything else. */
function rethrowUnmodelled(error: unknown): void {
  if (!(error instanceof OutcomeError)) throw error;
}
