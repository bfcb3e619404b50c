/*
 * Keeps the data model of models/data (what the primary disk, the secondary disk and the secondary
 * VM's view must hold) in step with the engine, from the outcomes the engine reports (a forwarded
 * write that reached the secondary, a local write that failed, a checkpoint that emptied the
 * buffers, a commit that ended), and compares the engine's bytes with the model: every read a step
 * returned, and the disks themselves (peeked, never read through the simulation) over the clusters a
 * step touched, or over whole disks after control steps.
 * Limits, stated rather than guessed: a disk stops being checked for data after something the model
 * does not describe (a buffer disk ejected by a failed make_empty, a deleted replication node, a
 * write aimed below the VM's disk, a lost secondary) or whose outcome depends on an interleaving the
 * trace cannot pin down (a concurrent group that also holds a control step).
 */
import {
  type DataOp,
  type ExpectedRun,
  COW_CLUSTER_BYTES,
  type ReplicationData,
  allocatedAboveBase,
  applyDataOp,
  initialData,
  primaryDisk,
  secondaryDisk,
  secondaryView,
} from '../../models/data/ReplicationData.js';
import { PeekUnavailable } from '../block/BlockNode.js';
import type { ColoPair } from '../colo/ColoPair.js';
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { decodeRuns } from '../scenario/runs.js';
import type { TraceEvent, TraceFields } from '../sim/Trace.js';
import { firstMismatch, hexByte, unionRuns } from './compareBytes.js';
import type { InvariantName } from './Invariant.js';
import type { NodeConformance } from './NodeConformance.js';
import { parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';

/** The copy-before-write cluster, in which the data model copies and the checks below group writes. */
const CLUSTER = COW_CLUSTER_BYTES;

/** A disk whose bytes the data model stopped predicting, from which step, and why. */
export interface Unmodelled {
  readonly disk: number;
  readonly step: number;
  readonly reason: string;
}

interface PendingWrite {
  readonly vm: 'primary' | 'secondary';
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
  applied: boolean;
  /** A primary write whose forwarded copy reached the secondary disk (applied to S already). */
  landed: boolean;
}

interface DiskModel {
  data: ReplicationData | null;
  /** Why the disk is no longer checked, once it is not. */
  unmodelled: { readonly step: number; readonly reason: string } | null;
  /** The model's data stage before this step (to name the invariant a mismatch breaks). */
  stageBefore: ReplicationData['stage'];
  pending: PendingWrite[];
  forwardFailed: { offset: number; bytes: number }[];
  /** Clusters the backup job copied during this step (cluster start offsets). */
  cowClusters: number[];
  /** Ranges this step wrote, and from which side, to check after it. */
  touched: { offset: number; bytes: number; by: 'primary' | 'secondary' }[];
  /** State before a concurrent group, for its reads. */
  before: ReplicationData | null;
}

/**
 * Steps after which whole disks are compared; others compare the clusters they wrote, and a
 * checkpoint the clusters active and hidden held before it (where the view may change).
 */
const FULL_CHECK_STEPS = new Set<Step['do']>(['stop', 'failover', 'close']);

export class DataConformance {
  private readonly disks: DiskModel[];
  private primaryAlive = true;
  private concurrentControl = false;

  private stepKind: Step['do'] = 'start';
  /** One buffer the disks are peeked into, reused (peeking whole disks every step fed the collector). */
  private scratch = new Uint8Array(0);
  /** Whether the last step ended with whole disks compared (then the end of the case need not again). */
  private lastStepFull = false;

  constructor(
    private readonly report: Reporter,
    scenario: Scenario,
    private readonly nodes: NodeConformance,
    private readonly pair: ColoPair,
  ) {
    this.disks = Array.from({ length: scenario.disks }, () => ({
      data: scenario.chain === 'standard' ? initialData(scenario.disk.size, scenario.disk.pattern) : null,
      unmodelled: scenario.chain === 'standard' ? null : { step: 0, reason: `the chain variant ${scenario.chain}` },
      stageBefore: 'none',
      pending: [],
      forwardFailed: [],
      cowClusters: [],
      touched: [],
      before: null,
    }));
  }

  beginStep(step: Step): void {
    this.stepKind = step.do;
    this.lastStepFull = false;
    const members = step.do === 'concurrent' ? step.steps : [step];
    // A failover may race guest I/O and the view still has one right answer (an acknowledged write
    // survives it, a primary write never shows); a checkpoint, start, stop or close racing I/O does not.
    this.concurrentControl = step.do === 'concurrent' && members.some((m) => !['read', 'write', 'status', 'failover'].includes(m.do));
    for (const d of this.disks) {
      d.pending = [];
      d.forwardFailed = [];
      d.cowClusters = [];
      d.touched = [];
      d.stageBefore = d.data?.stage ?? 'none';
      d.before = step.do === 'concurrent' ? d.data : null;
    }
    for (const m of members) this.notePending(m);
    if (members.some((m) => m.do === 'checkpoint')) this.disks.forEach((d) => this.noteBuffered(d));
    if (step.do === 'concurrent') this.disks.forEach((d, i) => this.checkCommutes(i, d, members));
  }

  /**
   * Primary and secondary I/O in flight together commute only while copy-before-write keeps the
   * primary's writes out of the secondary's view; without the backup job, which lands first decides
   * what the secondary reads (and what its allocating writes copy from below).
   */
  private checkCommutes(index: number, d: DiskModel, members: readonly Step[]): void {
    if (!d.data || (d.data.stage === 'running' && d.data.backupJob)) return;
    const onDisk = members.filter((m) => (m.do === 'read' || m.do === 'write') && (m.disk ?? 0) === index);
    const primaryWrites = onDisk.some((m) => m.do === 'write' && m.vm === 'primary');
    const secondaryIo = onDisk.some((m) => m.do !== 'write' || m.vm === 'secondary') && onDisk.some((m) => (m as { vm: string }).vm === 'secondary');
    if (primaryWrites && secondaryIo) this.stopModelling(index, 'primary and secondary I/O raced without copy-before-write');
  }

  onEvent(event: TraceEvent): void {
    const f = event.fields;
    switch (event.kind) {
      case 'repl-op':
        return this.onOperation(f);
      case 'job':
        return this.onJob(f);
      case 'cow':
        return void this.disks[parseNodeName(String(f.job)).disk]?.cowClusters.push(Number(f.offset));
      case 'nbd-applied':
        return this.onForwardLanded(f);
      case 'quorum-write':
        return this.onQuorumWrite(f);
      case 'repl-io':
        return this.onReplicationIo(f);
      case 'eject':
        return this.stopModelling(parseNodeName(String(f.node)).disk, `${f.node} was ejected`);
      case 'pad-read-failed':
        // QEMU 7.2 writes an unaligned request even when reading its edges failed: those bytes are then unknown.
        return this.stopModelling(parseNodeName(String(f.node)).disk, `the edges of an unaligned write to ${f.node} could not be read`);
      case 'side':
        if (f.side === 'primary') this.primaryAlive = false;
        else this.disks.forEach((_, i) => this.stopModelling(i, 'the secondary is gone'));
        return;
    }
  }

  endStep(step: Step, result: StepResult): void {
    this.disks.forEach((_, i) => {
      if (this.concurrentControl) this.stopModelling(i, 'a concurrent group held a control step');
    });
    const members = step.do === 'concurrent' ? step.steps : [step];
    const results = step.do === 'concurrent' ? (result.steps ?? []) : [result];
    members.forEach((m, i) => this.checkRead(m, results[i]));
    const full = members.some((m) => FULL_CHECK_STEPS.has(m.do));
    this.disks.forEach((d, i) => this.checkDisk(i, d, full));
    this.lastStepFull = full;
  }

  /** At the end of a case: whole disks, unless the last step just compared them. */
  finish(): void {
    if (!this.lastStepFull) this.disks.forEach((d, i) => this.checkDisk(i, d, true));
  }

  /** The disks the data model stopped predicting (their charts are still checked). */
  get unmodelled(): Unmodelled[] {
    return this.disks.flatMap((d, disk) => (d.unmodelled ? [{ disk, ...d.unmodelled }] : []));
  }

  // ---- keeping the model in step ----

  private notePending(step: Step): void {
    // Reads are checked through their results; writes through the disks they may have changed.
    if (step.do !== 'write') return;
    const d = this.disks[step.disk ?? 0]!;
    const target = step.node ?? 'vm';
    d.touched.push({ offset: step.offset, bytes: step.length, by: step.vm });
    if (target !== 'vm' && !(target === 'replication' && step.vm === 'secondary')) {
      this.stopModelling(step.disk ?? 0, `a write to the ${step.vm}'s ${target} node`);
      return;
    }
    d.pending.push({ vm: step.vm, offset: step.offset, length: step.length, pattern: step.pattern, applied: false, landed: false });
  }

  /** Before a checkpoint: what active and hidden hold is where the secondary's view may change. */
  private noteBuffered(d: DiskModel): void {
    if (!d.data) return;
    for (const run of allocatedAboveBase(d.data).intervals()) d.touched.push({ offset: run.start, bytes: run.end - run.start, by: 'secondary' });
  }

  private onOperation(f: TraceFields): void {
    const id = parseNodeName(String(f.node));
    if (id.role !== 'replication-secondary') return;
    const d = this.disks[id.disk];
    if (!d?.data) return;
    const node = this.nodes.node('secondary', id.disk);
    const outcome = node?.model.context.outcome;
    const value = node?.model.value;
    const stage = d.data.stage;
    if (f.op === 'close') return this.stopModelling(id.disk, 'its replication node was deleted');
    if (f.op === 'start' && stage === 'none' && value === 'RUNNING') {
      if (outcome?.kind !== 'ok') return this.stopModelling(id.disk, 'the initial checkpoint failed');
      return this.apply(id.disk, { kind: 'secondary-start', checkpoint: 'ok' });
    }
    if (f.op === 'checkpoint' && stage === 'running' && d.data.backupJob) {
      if (outcome?.kind === 'ok') return this.apply(id.disk, { kind: 'checkpoint', result: 'ok' });
      if (outcome?.kind === 'error' && outcome.message !== 'Backup job was cancelled unexpectedly') this.stopModelling(id.disk, 'a checkpoint failed part way');
      return;
    }
    if (f.op === 'stop' && stage === 'running' && (value === 'DONE' || value === 'FAILOVER')) {
      this.apply(id.disk, { kind: 'secondary-stop', failover: f.arg === true, commitStarted: true });
    }
  }

  private onJob(f: TraceFields): void {
    const id = parseNodeName(String(f.owner));
    const d = this.disks[id.disk];
    if (!d?.data || id.role !== 'replication-secondary') return;
    const job = String(f.job);
    if (job.startsWith('backup') && f.event === 'failed' && d.data.stage === 'running') {
      // Copies already under way finish after the job ended, racing the writes that no longer wait
      // for them: with requests in flight together the result depends on an order the trace lacks.
      if (this.stepKind === 'concurrent') return this.stopModelling(id.disk, 'the backup job ended while requests were in flight together');
      this.apply(id.disk, { kind: 'backup-job-ended' });
    }
    if (job.startsWith('commit') && d.data.stage === 'failover' && f.event !== 'start' && f.event !== 'aborted') {
      this.apply(id.disk, { kind: 'commit-ended', ok: f.event === 'completed' });
    }
  }

  private onQuorumWrite(f: TraceFields): void {
    const disk = parseNodeName(String(f.node)).disk;
    const d = this.disks[disk];
    if (!d?.data) return;
    const offset = Number(f.offset);
    const bytes = Number(f.bytes);
    const write = d.pending.find((w) => w.vm === 'primary' && !w.applied && w.offset === offset && w.length === bytes);
    if (!write) return this.stopModelling(disk, `a primary write [${offset},+${bytes}] the checker did not expect`);
    write.applied = true;
    const children = String(f.children).split(',');
    const local = children[0] === 'ok' ? 'ok' : 'failed';
    if (write.landed) {
      // The secondary half already happened when it landed; now the primary disk's half.
      this.checkForwarded(disk, offset, bytes, local, 'ok');
      return this.apply(disk, { kind: 'primary-write', offset, length: bytes, pattern: write.pattern, local, forward: 'not-sent' });
    }
    const forward = takeOverlap(d.forwardFailed, offset, bytes) ? 'failed' : 'not-sent';
    this.checkForwarded(disk, offset, bytes, local, forward);
    const copiedClusters = takeClusters(d.cowClusters, offset, bytes);
    this.apply(disk, { kind: 'primary-write', offset, length: bytes, pattern: write.pattern, local, forward, copiedClusters });
  }

  /**
   * A forwarded write reached the secondary disk (after its copy-before-write): that is when it
   * changes S, whatever happens to its reply or to the primary afterwards. The primary disk's half
   * follows when the quorum reports (it stays old-or-new if the primary dies first).
   */
  private onForwardLanded(f: TraceFields): void {
    const disk = parseNodeName(String(f.node)).disk;
    const d = this.disks[disk];
    if (!d?.data) return;
    const offset = Number(f.offset);
    const bytes = Number(f.bytes);
    const write = d.pending.find((w) => w.vm === 'primary' && !w.landed && w.offset < offset + bytes && offset < w.offset + w.length);
    if (!write) return this.stopModelling(disk, `a forwarded write [${offset},+${bytes}] the checker did not expect`);
    write.landed = true;
    const copiedClusters = takeClusters(d.cowClusters, write.offset, write.length);
    this.apply(disk, { kind: 'primary-write', offset: write.offset, length: write.length, pattern: write.pattern, local: 'failed', forward: 'ok', copiedClusters });
  }

  /** secondary-tracks-primary: a whole-sector write that succeeded locally while the primary runs is forwarded or reported. */
  private checkForwarded(disk: number, offset: number, bytes: number, local: string, forward: string): void {
    const primary = this.nodes.node('primary', disk);
    if (local !== 'ok' || primary?.model.value !== 'RUNNING' || offset % 512 !== 0 || bytes % 512 !== 0) return;
    this.report.check('secondary-tracks-primary', forward !== 'not-sent', () => `primary write [${offset},+${bytes}] on disk ${disk} was neither forwarded nor reported`);
  }

  private onReplicationIo(f: TraceFields): void {
    const id = parseNodeName(String(f.node));
    const d = this.disks[id.disk];
    if (!d?.data || f.op !== 'write') return;
    const offset = Number(f.offset);
    const bytes = Number(f.bytes);
    if (id.role === 'replication-primary') {
      if (f.lower === 'failed') d.forwardFailed.push({ offset, bytes });
      return;
    }
    // The node sees whole sectors: an unaligned guest write arrives padded around it.
    const write = d.pending.find((w) => w.vm === 'secondary' && !w.applied && w.offset >= offset && w.offset + w.length <= offset + bytes);
    if (!write) return this.stopModelling(id.disk, `a secondary write [${offset},+${bytes}] the checker did not expect`);
    write.applied = true;
    const result = f.result === 'ok' ? 'ok' : f.lower === 'none' ? 'rejected' : 'failed';
    // A write that failed below may or may not have allocated its clusters in active (qcow2 links a
    // cluster only after its data is written), which decides what later reads fall through to.
    if (result === 'failed') return this.stopModelling(id.disk, 'a secondary write failed below the replication node');
    // The node routed the write by the stage it had when the write began; if the stage moved while
    // the write was in flight (a commit ended), the model cannot tell which route it took.
    if (result === 'ok' && !sameStage(String(f.stage), d.data.stage)) return this.stopModelling(id.disk, 'a secondary write raced a stage change');
    this.apply(id.disk, { kind: 'secondary-write', offset: write.offset, length: write.length, pattern: write.pattern, result });
  }

  private apply(disk: number, op: DataOp): void {
    const d = this.disks[disk]!;
    if (!d.data) return;
    try {
      d.data = applyDataOp(d.data, op);
    } catch (error) {
      this.stopModelling(disk, `the data model cannot apply ${op.kind}: ${(error as Error).message}`);
    }
  }

  private stopModelling(disk: number, why: string): void {
    const d = this.disks[disk];
    if (!d || !d.data) return;
    d.data = null;
    d.unmodelled = { step: this.report.step, reason: why };
  }

  // ---- comparing ----

  private checkRead(step: Step, result: StepResult | undefined): void {
    if (step.do !== 'read' || !result?.ok || !result.runs) return;
    const d = this.disks[step.disk ?? 0]!;
    if (!d.data) return;
    const target = step.node ?? 'vm';
    const expected = this.expectedFor(d, step.vm, target, step.offset, step.length);
    if (!expected) return;
    const mismatch = firstMismatch(decodeRuns(result.runs), step.offset, expected);
    const where = `${step.vm} ${target} read [${step.offset},+${step.length}] on disk ${step.disk ?? 0}`;
    this.report.check(this.invariantFor(d, step.vm, target, mismatch?.actual, mismatch?.offset), mismatch === null, () => describe(where, mismatch!));
  }

  /** What a read of this target may return now (for a concurrent group: before or after its writes). */
  private expectedFor(d: DiskModel, vm: string, target: string, offset: number, length: number): ExpectedRun[] | null {
    const query = (data: ReplicationData): ExpectedRun[] | null => {
      if (vm === 'primary') return target === 'vm' ? primaryDisk(data, offset, length) : null;
      return target === 'disk' ? secondaryDisk(data, offset, length) : secondaryView(data, offset, length);
    };
    const now = query(d.data!);
    if (!now || !d.before) return now;
    const then = query(d.before);
    return then ? unionRuns(then, now) : now;
  }

  /**
   * Whole disks after control steps and at the end; otherwise the clusters written in the step: a
   * primary write may change the secondary disk and (if copy-before-write fails) the view, a
   * secondary write only the view. The primary disk is a plain raw image, compared in full checks.
   */
  private checkDisk(index: number, d: DiskModel, full: boolean): void {
    if (!d.data) return;
    const size = d.data.sizeBytes;
    const all = [{ offset: 0, bytes: size }];
    // Once the secondary disk is the one the secondary VM writes (promoted, or split writes), its writes land there too.
    const svmReachesDisk = d.data.stage === 'promoted' || d.data.stage === 'failover-failed';
    const primaryTouched = d.touched.filter((t) => t.by === 'primary');
    const byPrimary = full ? all : clusterRanges(svmReachesDisk ? d.touched : primaryTouched, size);
    // While replication runs, the view over clusters the primary just wrote is copy-before-write's
    // whole point: it must still show the old data (cow-isolation); the other clusters, the secondary's own writes.
    const isolation = !full && d.data.stage === 'running' && this.stepKind !== 'checkpoint';
    const views = isolation
      ? [
          ...clusterRanges(primaryTouched, size).map((r) => ({ ...r, isolation: true })),
          ...clusterRanges(d.touched, size, clustersOf(primaryTouched, size)).map((r) => ({ ...r, isolation: false })),
        ]
      : (full ? all : clusterRanges(d.touched, size)).map((r) => ({ ...r, isolation: false }));
    const pd = this.pair.primary.disks[index]!;
    const sd = this.pair.secondary.disks[index]!;
    const scratch = this.scratchFor(size);
    if (full && this.primaryAlive) this.peekCheck(d, 'primary', 'vm', () => pd.local.peek(0, size, scratch), all[0]!, primaryDisk(d.data, 0, size));
    for (const r of byPrimary) this.peekCheck(d, 'secondary', 'disk', () => sd.disk.peek(r.offset, r.bytes, scratch), r, secondaryDisk(d.data, r.offset, r.bytes));
    for (const r of views) {
      this.peekCheck(d, 'secondary', 'vm', () => sd.replication.peek(r.offset, r.bytes, scratch), r, secondaryView(d.data, r.offset, r.bytes), r.isolation);
    }
  }

  private scratchFor(bytes: number): Uint8Array {
    if (this.scratch.length < bytes) this.scratch = new Uint8Array(bytes);
    return this.scratch;
  }

  private peekCheck(d: DiskModel, vm: string, target: string, peek: () => Uint8Array, r: { offset: number; bytes: number }, expected: ExpectedRun[], isolation = false): void {
    let actual: Uint8Array;
    try {
      actual = peek();
    } catch (error) {
      if (error instanceof PeekUnavailable) return;
      throw error;
    }
    const mismatch = firstMismatch(actual, r.offset, expected);
    const what = vm === 'primary' ? 'the primary disk' : target === 'disk' ? 'the secondary disk' : "the secondary VM's view";
    // A passing isolation check counts as one; a failing one is named by what the wrong byte is (a leak
    // of the primary's data is cow-isolation, anything else a lost write or conformance).
    const invariant = isolation && mismatch === null ? 'cow-isolation' : this.invariantFor(d, vm, target, mismatch?.actual, mismatch?.offset);
    this.report.check(invariant, mismatch === null, () => describe(what, mismatch!));
  }

  /** Which invariant a wrong byte breaks, from where it was seen and the stage the data was in. */
  private invariantFor(d: DiskModel, vm: string, target: string, actual?: number, offset?: number): InvariantName {
    const stage = d.data?.stage ?? 'none';
    const before = d.stageBefore;
    if (stage === 'failover-failed') return 'failover-failed-routing';
    if (stage === 'promoted') return 'failover-preserves-view';
    if (vm === 'primary') return 'conformance';
    if (target === 'disk') return 'secondary-tracks-primary';
    if (this.stepKind === 'checkpoint' && before === 'running') return 'checkpoint-sync';
    // The view showed what the secondary disk now holds where it should not: the buffer leaked.
    if (actual !== undefined && offset !== undefined && d.data && secondaryDisk(d.data, offset, 1)[0]!.values.includes(actual)) return 'cow-isolation';
    return 'no-lost-acknowledged-write';
  }
}

/** The copied clusters (start offsets) that lie under [offset, offset + bytes), taken off the list. */
function takeClusters(list: number[], offset: number, bytes: number): number[] {
  const mine = list.filter((c) => c < offset + bytes && offset < c + CLUSTER);
  for (const c of mine) list.splice(list.indexOf(c), 1);
  return mine;
}

/** Whether the engine's stage and the data model's stage route secondary writes the same way. */
function sameStage(engine: string, data: ReplicationData['stage']): boolean {
  const expected: Record<string, readonly ReplicationData['stage'][]> = {
    NONE: ['none'],
    RUNNING: ['running'],
    FAILOVER: ['failover'],
    FAILOVER_FAILED: ['failover-failed'],
    DONE: ['promoted', 'stopped'],
  };
  return expected[engine]?.includes(data) ?? false;
}

function takeOverlap(list: { offset: number; bytes: number }[], offset: number, bytes: number): boolean {
  const i = list.findIndex((r) => r.offset < offset + bytes && offset < r.offset + r.bytes);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** Touched ranges rounded out to whole clusters, merged, clipped to the disk. */
/** The clusters (indices) the ranges touch, within the disk. */
function clustersOf(touched: readonly { offset: number; bytes: number }[], size: number): Set<number> {
  const clusters = new Set<number>();
  for (const t of touched) {
    for (let c = Math.floor(t.offset / CLUSTER); c * CLUSTER < Math.min(size, t.offset + t.bytes); c++) clusters.add(c);
  }
  return clusters;
}

/** The touched clusters, except those in `leaveOut`, as merged byte ranges in disk order. */
function clusterRanges(touched: readonly { offset: number; bytes: number }[], size: number, leaveOut?: ReadonlySet<number>): { offset: number; bytes: number }[] {
  const out: { offset: number; bytes: number }[] = [];
  for (const c of [...clustersOf(touched, size)].sort((a, b) => a - b)) {
    if (leaveOut?.has(c)) continue;
    const last = out[out.length - 1];
    const offset = c * CLUSTER;
    const bytes = Math.min(CLUSTER, size - offset);
    if (last && last.offset + last.bytes === offset) last.bytes += bytes;
    else out.push({ offset, bytes });
  }
  return out;
}

function describe(where: string, m: { offset: number; actual: number; allowed: readonly number[] }): string {
  return `${where}: byte at ${m.offset} is ${hexByte(m.actual)}, the data model allows ${m.allowed.map(hexByte).join(' or ')}`;
}
