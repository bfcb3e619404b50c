/*
 * Keeps the data model of models/data (what the primary disk, the secondary disk and the secondary
 * VM's view must hold) in step with the engine, from the outcomes the engine reports (a copy the
 * backup job made, a forwarded write that reached the secondary, a local write that failed, a
 * checkpoint that emptied the buffers, a commit that ended), and has DiskComparison compare the
 * engine's bytes with it: every read a step returned, and the disks themselves over the clusters a
 * step touched, or over every range that can differ from the initial pattern after control steps.
 * The model never stops predicting. Where a step's outcome depends on an order the trace cannot pin
 * down (a control step in flight with I/O, primary and secondary I/O without copy-before-write, a
 * write that failed below or raced a stage change, an ejected buffer disk, ...), the step is a race:
 * its disks are compared with the race envelope (models/data/RaceEnvelope.ts) and the model then
 * takes what the engine holds there (models/data/Observation.ts). A lost side stops only that side's checks.
 * An event about a guest write names it by request id (the step's `request` event ties the id to a
 * member of the step), never by its range (which padding widens and two writes in one group can share).
 * Each half of a primary write is applied when it lands, as the engine orders it: the primary disk's
 * at that disk's own `io` event, the secondary disk's when the NBD server carried it out; a write
 * entering the secondary disk's export from above (an NBD client's) at the secondary disk's `io` event.
 */
import { unionBytes } from '../../models/data/ByteSet.js';
import { copyBeforeWriteIsolates } from '../../models/data/RaceEnvelope.js';
import { type DataOp, type ExpectedRun, type ReplicationData, allocatedAboveBase, applyDataOp, initialData, primaryDisk, secondaryDisk, secondaryView } from '../../models/data/ReplicationData.js';
import type { ColoPair } from '../colo/ColoPair.js';
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { Runs, StepResult } from '../scenario/StepResult.js';
import { decodeRuns } from '../scenario/runs.js';
import { type TraceEventFields, type TraceStage, type TypedTraceEvent, unhandledEvent } from '../sim/TraceEvents.js';
import { type ByteMismatch, firstMismatch, unionRuns } from './compareBytes.js';
import { type DataCheckCount, dataCheckFrom } from './DataCheckCount.js';
import { DiskComparison, type DiskModel, type PendingWrite, describe, envelopeRuns, undefinedPadding } from './DiskComparison.js';
import { isZeroes } from './dataStep.js';
import type { ByteRange } from './DirtyRanges.js';
import type { NodeConformance } from './NodeConformance.js';
import { parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';
import { RunComparison } from './RunComparison.js';

/**
 * Steps after which every range that can differ is compared; others compare the clusters they
 * wrote, and a checkpoint the clusters active and hidden held before it (where the view may change).
 */
const FULL_CHECK_STEPS: ReadonlySet<Step['do']> = new Set<Step['do']>(['stop', 'failover', 'close']);
/** Members that may run in a concurrent group without making it a race (any other is a control step that does). */
const RACE_FREE_MEMBERS: ReadonlySet<Step['do']> = new Set<Step['do']>(['read', 'write', 'status', 'failover']);
const CHECKPOINT_STEPS: ReadonlySet<Step['do']> = new Set<Step['do']>(['checkpoint']);
const START_STEPS: ReadonlySet<Step['do']> = new Set<Step['do']>(['start']);

export class DataConformance {
  private readonly disks: DiskModel[];
  private readonly compare: DiskComparison;
  private concurrentControl = false;
  private stepKind: Step['do'] = 'start';
  private stepIndex = -1;
  /** Whether the last step ended with whole disks compared (then the end of the case need not again). */
  private lastStepFull = false;
  private diskSteps = 0;
  private checkedSteps = 0;
  private readonly indeterminate = new Map<string, number>();
  /** This step's primary writes whose primary-disk half has landed (applied at its `io` event). */
  private readonly localLanded = new Set<PendingWrite>();
  /** This step's writes entering a secondary disk's export from above the disk (target "disk"). */
  private readonly belowView = new Set<PendingWrite>();
  /** The stage the primary's replication node admitted each of this step's primary writes in. */
  private readonly admittedIn = new Map<PendingWrite, TraceStage>();

  constructor(
    report: Reporter,
    scenario: Scenario,
    private readonly nodes: NodeConformance,
    pair: ColoPair,
  ) {
    this.disks = Array.from({ length: scenario.disks }, () => {
      const data = initialData(scenario.disk.size, scenario.disk.pattern);
      return { data, before: data, stageBefore: 'none', pending: [], byReq: new Map(), padEdges: [], anyRanges: [], touched: [], race: new Set(), wide: new Set(), written: [], primaryWritten: [], buffersEmptied: false, concurrent: false, mayBeWide: false, acknowledgedInFailover: [] };
    });
    this.compare = new DiskComparison(report, pair, scenario.disk.pattern);
  }

  beginStep(step: Step, index: number): void {
    this.stepKind = step.do;
    this.stepIndex = index;
    this.compare.stepKind = step.do;
    this.lastStepFull = false;
    const concurrent = step.do === 'concurrent';
    const members = concurrent ? step.steps : [step];
    // A failover may race guest I/O and the view still has one right answer (an acknowledged write
    // survives it, a primary write never shows); a checkpoint, start, stop or close racing I/O does not.
    this.concurrentControl = concurrent && anyOf(members, RACE_FREE_MEMBERS, false);
    const checkpoint = anyOf(members, CHECKPOINT_STEPS, true);
    const buffersEmptied = checkpoint || anyOf(members, START_STEPS, true);
    // Only a collection that holds something is cleared: V8's clear() allocates a new table even
    // for an empty one (about 100 ns and 100 bytes each, nine of them per step); an array is made
    // anew only when it holds something, for the same reason.
    if (this.localLanded.size > 0) this.localLanded.clear();
    if (this.belowView.size > 0) this.belowView.clear();
    if (this.admittedIn.size > 0) this.admittedIn.clear();
    for (const d of this.disks) {
      if (d.pending.length > 0) d.pending = [];
      if (d.padEdges.length > 0) d.padEdges = [];
      if (d.anyRanges.length > 0) d.anyRanges = [];
      if (d.touched.length > 0) d.touched = [];
      if (d.written.length > 0) d.written = [];
      if (d.primaryWritten.length > 0) d.primaryWritten = [];
      if (d.byReq.size > 0) d.byReq.clear();
      if (d.race.size > 0) d.race.clear();
      if (d.wide.size > 0) d.wide.clear();
      d.stageBefore = d.data.stage;
      d.before = d.data;
      d.concurrent = concurrent;
      d.buffersEmptied = buffersEmptied;
      if (this.concurrentControl) d.race.add('control-step-in-concurrent-group');
    }
    for (let i = 0; i < members.length; i++) this.notePending(members[i]!, concurrent ? i : undefined);
    if (checkpoint) for (const d of this.disks) this.noteBuffered(d);
    if (concurrent) for (let i = 0; i < this.disks.length; i++) this.checkCommutes(i, this.disks[i]!, members);
  }

  /**
   * Primary and secondary I/O in flight together commute only while copy-before-write keeps the
   * primary's writes out of the secondary's view; without the backup job, which lands first decides
   * what the secondary reads (and what its allocating writes copy from below).
   */
  private checkCommutes(index: number, d: DiskModel, members: readonly Step[]): void {
    const onDisk = members.filter((m) => (m.do === 'read' || m.do === 'write') && (m.disk ?? 0) === index) as Extract<Step, { do: 'read' | 'write' }>[];
    // Writes that reach S from below the view: the primary's, and those entering the secondary disk's export.
    const primaryWrites = onDisk.filter((m) => m.do === 'write' && (m.vm === 'primary' || m.node === 'disk')) as Extract<Step, { do: 'write' }>[];
    const secondaryIo = onDisk.some((m) => m.vm === 'secondary' && !(m.do === 'write' && m.node === 'disk'));
    if (primaryWrites.length === 0 || !secondaryIo) return;
    if (!primaryWrites.every((w) => copyBeforeWriteIsolates(d.data, w.offset, w.length))) d.race.add('primary-secondary-race-without-cow');
  }

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'repl-op':
        return this.onOperation(event.fields);
      case 'job':
        return this.onJob(event.fields);
      case 'cow':
        // The copy into hidden is made now, whatever becomes of the write that caused it.
        return this.apply(parseNodeName(event.fields.job).disk, { kind: 'cluster-copied', offset: event.fields.offset, length: event.fields.bytes });
      case 'nbd-applied':
        return this.onForwardLanded(event.fields);
      case 'quorum-write':
        return this.onQuorumWrite(event.fields);
      case 'repl-io':
        return this.onReplicationIo(event.fields);
      case 'eject':
        return this.race(parseNodeName(event.fields.node).disk, 'buffer-disk-ejected');
      case 'pad-read-failed':
        return this.onPaddingFailed(event.fields);
      case 'side':
        return this.compare.sideLost(event.fields.side);
      case 'request':
        return this.onRequest(event.fields);
      case 'io':
        return this.onLeafWrite(event.fields);
      // The model follows outcomes, not leaf I/O, stage changes (the chart's business), faults (seen
      // through what they caused), commands, commit copies (the commit's end decides) or replies (the step's result says it).
      case 'step':
      case 'step-result':
      case 'stage':
      case 'repl-op-begin':
      case 'fault':
      case 'command':
      case 'commit-copy':
      case 'cow-begin':
      case 'reply':
        return;
      default:
        return unhandledEvent(event);
    }
  }

  endStep(step: Step, result: StepResult): void {
    const concurrent = step.do === 'concurrent';
    const members = concurrent ? step.steps : [step];
    for (let i = 0; i < members.length; i++) this.checkRead(members[i]!, concurrent ? result.steps?.[i] : result);
    const full = anyOf(members, FULL_CHECK_STEPS, true);
    for (let i = 0; i < this.disks.length; i++) {
      const d = this.disks[i]!;
      this.compare.peeks.made = 0;
      this.compare.peeks.refused = 0;
      // A race compares every layer wherever it can differ, then takes the engine's bytes: nothing is left to compare.
      d.data = d.race.size > 0 ? this.compare.resolveRace(i, d) : this.compare.checkDisk(i, d, full);
      this.count(d);
    }
    this.lastStepFull = full;
  }

  /** At the end of a case: whole disks, unless the last step just compared them. */
  finish(): void {
    if (!this.lastStepFull) this.disks.forEach((d, i) => (d.data = this.compare.checkDisk(i, d, true)));
  }

  /** The data model of one disk as it stands (for reports that draw it next to the engine's bytes). */
  model(disk: number): ReplicationData | undefined {
    return this.disks[disk]?.data;
  }

  /** How much the data model checked, per disk-step. */
  get dataCheck(): DataCheckCount {
    return dataCheckFrom(this.diskSteps, this.checkedSteps, this.indeterminate);
  }

  private count(d: DiskModel): void {
    // Once both sides are gone there is no disk left to read: those steps are not disk-steps.
    if (!this.compare.anySideAlive) return;
    this.diskSteps++;
    // Unchecked: the step had bytes to compare, but every node they were on refused to be peeked.
    const { made, refused } = this.compare.peeks;
    if (made > 0 || refused === 0) this.checkedSteps++;
    if (d.data.commit?.running) d.wide.add('commit-in-flight');
    if (d.race.size === 0 && d.wide.size === 0 && !d.mayBeWide) return;
    const reasons = new Set([...d.race, ...d.wide]);
    if (reasons.size === 0 && d.mayBeWide) {
      d.mayBeWide = holdsWide(d.data);
      if (d.mayBeWide) reasons.add('carried-over');
    }
    if (reasons.size > 0) d.mayBeWide = true;
    for (const r of reasons) this.indeterminate.set(r, (this.indeterminate.get(r) ?? 0) + 1);
  }

  // ---- keeping the model in step ----

  private notePending(step: Step, member: number | undefined): void {
    // Reads are checked through their results; writes through the disks they may have changed.
    if (step.do !== 'write') return;
    const d = this.disks[step.disk ?? 0]!;
    const target = step.node ?? 'vm';
    // A write entering the secondary disk's export changes S under the view, as a forwarded one does.
    const belowView = target === 'disk' && step.vm === 'secondary';
    d.touched.push({ offset: step.offset, bytes: step.length, by: belowView ? 'primary' : step.vm });
    d.written = unionBytes(d.written, [step.pattern]);
    if (step.vm === 'primary') d.primaryWritten = unionBytes(d.primaryWritten, [step.pattern]);
    if (target !== 'vm' && !belowView && !(target === 'replication' && step.vm === 'secondary')) return void d.race.add('write-below-vm-node');
    const write: PendingWrite = { vm: step.vm, offset: step.offset, length: step.length, pattern: step.pattern, zeroes: isZeroes(step), member, applied: false, landed: false, forwardFailed: false };
    d.pending.push(write);
    if (belowView) this.belowView.add(write);
  }

  /** A guest write of this step entered: from now on the events it causes name it by `req`. */
  private onRequest(f: TraceEventFields['request']): void {
    if (f.op === 'read' || f.step !== this.stepIndex) return;
    const write = this.disks[f.disk]?.pending.find((w) => w.member === f.member);
    if (write) this.disks[f.disk]!.byReq.set(f.req, write);
  }

  /** The pending write a trace event names by its request id, if it is one of this step's on that side. */
  private writeOf(d: DiskModel, req: number | undefined, vm: PendingWrite['vm']): PendingWrite | undefined {
    const write = req === undefined ? undefined : d.byReq.get(req);
    return write?.vm === vm ? write : undefined;
  }

  /** Before a checkpoint: what active and hidden hold is where the secondary's view may change. */
  private noteBuffered(d: DiskModel): void {
    for (const run of allocatedAboveBase(d.data).intervals()) d.touched.push({ offset: run.start, bytes: run.end - run.start, by: 'secondary' });
  }

  private onOperation(f: TraceEventFields['repl-op']): void {
    const id = parseNodeName(f.node);
    if (id.role !== 'replication-secondary') return;
    const d = this.disks[id.disk];
    if (!d) return;
    const node = this.nodes.node('secondary', id.disk);
    const outcome = node?.model.context.outcome;
    const value = node?.model.value;
    const stage = d.data.stage;
    if (f.op === 'close') return this.race(id.disk, 'replication-node-closed');
    if (f.op === 'start' && stage === 'none' && value === 'RUNNING') {
      // A failed initial make_empty changes no data (active and hidden start empty), but may eject a buffer.
      if (outcome?.kind !== 'ok') this.race(id.disk, 'checkpoint-failed-part-way');
      return this.apply(id.disk, { kind: 'secondary-start', checkpoint: outcome?.kind === 'ok' ? 'ok' : 'active-not-emptied' });
    }
    if (f.op === 'checkpoint' && stage === 'running' && d.data.backupJob) {
      if (outcome?.kind === 'ok') return this.apply(id.disk, { kind: 'checkpoint', result: 'ok' });
      if (outcome?.kind === 'error' && outcome.message !== 'Backup job was cancelled unexpectedly') {
        // Re-armed, then stopped at make_empty: which buffer kept what is taken from the engine.
        this.race(id.disk, 'checkpoint-failed-part-way');
        this.apply(id.disk, { kind: 'checkpoint', result: 'active-not-emptied' });
      }
      return;
    }
    if (f.op === 'stop' && stage === 'running' && (value === 'DONE' || value === 'FAILOVER')) {
      this.apply(id.disk, { kind: 'secondary-stop', failover: f.arg === true, commitStarted: true });
    }
  }

  private onJob(f: TraceEventFields['job']): void {
    const id = parseNodeName(f.owner);
    const d = this.disks[id.disk];
    if (!d || id.role !== 'replication-secondary') return;
    const job = f.job;
    if (job.startsWith('backup') && f.event === 'failed' && d.data.stage === 'running') {
      // Copies already under way finish after the job ended, racing the writes that no longer wait
      // for them: with requests in flight together the result depends on an order the trace lacks.
      if (this.stepKind === 'concurrent') this.race(id.disk, 'backup-job-ended-in-flight');
      this.apply(id.disk, { kind: 'backup-job-ended' });
    }
    if (job.startsWith('commit') && d.data.stage === 'failover' && f.event !== 'start' && f.event !== 'aborted') {
      this.apply(id.disk, { kind: 'commit-ended', ok: f.event === 'completed' });
    }
  }

  private onQuorumWrite(f: TraceEventFields['quorum-write']): void {
    const disk = parseNodeName(f.node).disk;
    const d = this.disks[disk];
    if (!d) return;
    const { offset, bytes } = f;
    const write = this.writeOf(d, f.req, 'primary');
    if (!write || write.applied) return this.race(disk, 'unexpected-primary-write');
    write.applied = true;
    const children = f.children.split(',');
    const local = children[0] === 'ok' ? 'ok' : 'failed';
    if (local === 'failed') d.wide.add('failed-write');
    // The secondary half happened when it landed (onForwardLanded), or never.
    const forward = write.landed ? 'ok' : write.forwardFailed ? 'failed' : 'not-sent';
    this.checkForwarded(disk, offset, bytes, local, forward, children.length, this.admittedIn.get(write));
    // The primary disk's half landed at that disk's io event; one that never got there failed
    // before the disk (each sector old or new) or, without an io event, lands now.
    if (!this.localLanded.has(write)) this.apply(disk, { kind: 'primary-write', offset, length: bytes, pattern: write.pattern, local, forward: 'not-sent' });
  }

  /**
   * A leaf driver wrote, now. On a primary disk that is the local half of a primary VM write: two
   * writes of one range land in the order the engine ran them there, whatever order their quorum
   * votes come in. On a secondary disk, a write that entered its export from above lands now.
   */
  private onLeafWrite(f: TraceEventFields['io']): void {
    if ((f.op !== 'write' && f.op !== 'write-zeroes') || f.req === undefined) return;
    const id = parseNodeName(f.node);
    const d = this.disks[id.disk];
    if (!d) return;
    if (id.role === 'primary-disk') {
      const write = this.writeOf(d, f.req, 'primary');
      if (!write || this.localLanded.has(write)) return;
      this.localLanded.add(write);
      return this.apply(id.disk, { kind: 'primary-write', offset: write.offset, length: write.length, pattern: write.pattern, local: 'ok', forward: 'not-sent' });
    }
    if (id.role !== 'secondary-disk') return;
    const write = this.writeOf(d, f.req, 'secondary');
    if (!write || !this.belowView.has(write) || write.applied) return;
    write.applied = true;
    this.apply(id.disk, { kind: 'secondary-disk-write', offset: write.offset, length: write.length, pattern: write.pattern });
  }

  /**
   * A forwarded write reached the secondary disk (after its copy-before-write): that is when it
   * changes S, whatever happens to its reply or to the primary afterwards. The primary disk's half
   * is applied when it lands there (onLeafWrite).
   */
  private onForwardLanded(f: TraceEventFields['nbd-applied']): void {
    const disk = parseNodeName(f.node).disk;
    const d = this.disks[disk];
    if (!d) return;
    const write = this.writeOf(d, f.req, 'primary');
    if (!write || write.landed) return this.race(disk, 'unexpected-forwarded-write');
    write.landed = true;
    const undefinedBytes = undefinedPadding(d.padEdges, write.offset, write.length, write.zeroes);
    if (undefinedBytes.length > 0) d.wide.add('padding-undefined');
    // In a race, later steps of the model may move or drop these bytes (a copy, a commit), while the
    // engine's order kept them: the envelope admits any byte wherever this step wrote them.
    for (const u of undefinedBytes) d.anyRanges.push({ offset: u.offset, bytes: u.length });
    this.apply(disk, { kind: 'primary-write', offset: write.offset, length: write.length, pattern: write.pattern, local: 'failed', forward: 'ok', undefinedBytes });
  }

  /** QEMU 7.2 writes an unaligned request even when reading its edges failed: those bytes are then undefined. */
  private onPaddingFailed(f: TraceEventFields['pad-read-failed']): void {
    const id = parseNodeName(f.node);
    const d = this.disks[id.disk];
    if (!d) return;
    const edge = { offset: f.offset, bytes: f.bytes };
    // On the primary's replication node the padded request is the forwarded one: the model knows where it lands.
    if (id.role === 'replication-primary') return void d.padEdges.push(edge);
    d.anyRanges.push(edge);
    // A write-zeroes: a padding read of it that did succeed left the sector's old bytes where its zeros were to go.
    const write = this.writeOf(d, f.req, 'secondary');
    if (write?.zeroes === true) d.anyRanges.push(...edgeSectors(write));
    d.race.add('padding-read-failed');
  }

  /**
   * secondary-tracks-primary: a whole-sector write that succeeded locally while the primary runs is
   * forwarded or reported, as long as the replication node is still a quorum child (a lost
   * secondary's is taken out: then only the local disk is written). "While" is the stage the node
   * admitted the write in (a start racing the write may finish before the quorum votes).
   */
  private checkForwarded(disk: number, offset: number, bytes: number, local: string, forward: string, children: number, admitted: TraceStage | undefined): void {
    const running = admitted === undefined ? this.nodes.node('primary', disk)?.model.value === 'RUNNING' : admitted === 'RUNNING';
    if (children < 2 || local !== 'ok' || !running || offset % 512 !== 0 || bytes % 512 !== 0) return;
    this.compare.report.check('secondary-tracks-primary', forward !== 'not-sent', () => `primary write [${offset},+${bytes}] on disk ${disk} was neither forwarded nor reported`);
  }

  private onReplicationIo(f: TraceEventFields['repl-io']): void {
    const id = parseNodeName(f.node);
    const d = this.disks[id.disk];
    if (!d || f.op !== 'write') return;
    if (id.role === 'replication-primary') {
      const forwarded = this.writeOf(d, f.req, 'primary');
      if (forwarded) this.admittedIn.set(forwarded, f.stage);
      if (forwarded && f.lower === 'failed') forwarded.forwardFailed = true;
      return;
    }
    // The node sees whole sectors (an unaligned guest write arrives padded around it): the id, not the range, names the write.
    const write = this.writeOf(d, f.req, 'secondary');
    if (!write || write.applied) return this.race(id.disk, 'unexpected-secondary-write');
    write.applied = true;
    const result = f.result === 'ok' ? 'ok' : f.lower === 'none' ? 'rejected' : 'failed';
    // A write that failed below may or may not have allocated its clusters in active (qcow2 links a
    // cluster only after its data is written), which decides what later reads fall through to.
    if (result === 'failed') this.race(id.disk, 'secondary-write-failed');
    // The node routed the write by the stage it had when the write began; if the stage moved while
    // the write was in flight (a commit ended), either route may have been taken.
    if (result === 'ok' && !sameStage(f.stage, d.data.stage)) this.race(id.disk, 'secondary-write-raced-stage-change');
    if (result === 'ok' && d.data.stage === 'failover') d.acknowledgedInFailover.push({ offset: write.offset, bytes: write.length, pattern: write.pattern });
    this.apply(id.disk, { kind: 'secondary-write', offset: write.offset, length: write.length, pattern: write.pattern, result });
  }

  private apply(disk: number, op: DataOp): void {
    const d = this.disks[disk];
    if (!d) return;
    try {
      d.data = applyDataOp(d.data, op);
    } catch (error) {
      // An outcome the model's rules do not expect here: the disks are judged by the envelope of the step.
      if (!(error instanceof Error) || error instanceof TypeError) throw error;
      d.race.add(`model-cannot-apply-${op.kind}`);
    }
  }

  private race(disk: number, reason: string): void {
    this.disks[disk]?.race.add(reason);
  }

  // ---- reads ----

  private checkRead(step: Step, result: StepResult | undefined): void {
    if (step.do !== 'read' || !result?.ok || !result.runs) return;
    const d = this.disks[step.disk ?? 0]!;
    const target = step.node ?? 'vm';
    const expected = this.expectedFor(d, step.vm, target, step.offset, step.length);
    if (!expected) return;
    const mismatch = runsMismatch(result.runs, step.offset, step.length, expected);
    const where = `${step.vm} ${target} read [${step.offset},+${step.length}] on disk ${step.disk ?? 0}`;
    this.compare.report.check(this.compare.invariantFor(d, step.vm, target, mismatch?.actual, mismatch?.offset), mismatch === null, () => describe(where, mismatch!));
  }

  /** What a read of this target may return now (in a concurrent group: before or after its writes; in a race: the envelope). */
  private expectedFor(d: DiskModel, vm: string, target: string, offset: number, length: number): ExpectedRun[] | null {
    if (vm === 'primary' && target !== 'vm') return null;
    if (d.race.size > 0) return envelopeRuns(d, vm === 'primary' ? 'primary' : 'secondary', offset, length);
    const now = readOf(d.data, vm, target, offset, length);
    return d.concurrent ? unionRuns(readOf(d.before, vm, target, offset, length), now) : now;
  }
}

/** Whether some member's kind is (`inSet` true) or is not (false) in `kinds`. */
function anyOf(members: readonly Step[], kinds: ReadonlySet<Step['do']>, inSet: boolean): boolean {
  for (const m of members) if (kinds.has(m.do) === inSet) return true;
  return false;
}

/** What the model says a read of this VM and target returns from `data`. */
function readOf(data: ReplicationData, vm: string, target: string, offset: number, length: number): ExpectedRun[] {
  if (vm === 'primary') return primaryDisk(data, offset, length);
  return target === 'disk' ? secondaryDisk(data, offset, length) : secondaryView(data, offset, length);
}

/** The comparison of a read's runs with the model, shared (it is synchronous). */
const readComparison = new RunComparison();

/**
 * The first byte of a read's result (runs of [byte, count]) the model does not allow, judged run by
 * run as a uniform piece, without decoding the bytes; a result of another length than the read is
 * decoded and compared byte by byte, as before.
 */
function runsMismatch(runs: Runs, offset: number, length: number, expected: readonly ExpectedRun[]): ByteMismatch | null {
  let total = 0;
  for (const [, count] of runs) total += count;
  if (total !== length) return firstMismatch(decodeRuns(runs), offset, expected);
  readComparison.begin(expected);
  let at = offset;
  for (const [value, count] of runs) {
    readComparison.uniform(at, count, value);
    at += count;
  }
  return readComparison.mismatch;
}

/** Whether any layer of the model admits more than one value somewhere. */
function holdsWide(data: ReplicationData): boolean {
  return [data.primary, data.secondary, data.active, data.hidden].some((layer) => layer.intervals().some((run) => run.value.length > 1));
}

/** Whether the engine's stage and the data model's stage route secondary writes the same way. */
function sameStage(engine: TraceStage, data: ReplicationData['stage']): boolean {
  const expected: Record<TraceStage, readonly ReplicationData['stage'][]> = {
    NONE: ['none'],
    RUNNING: ['running'],
    FAILOVER: ['failover'],
    FAILOVER_FAILED: ['failover-failed'],
    DONE: ['promoted', 'stopped'],
  };
  return expected[engine].includes(data);
}

/** The partly written first and last 512-byte sectors of a write (none for an aligned one). */
function edgeSectors(w: PendingWrite): ByteRange[] {
  const start = Math.floor(w.offset / 512) * 512;
  const end = Math.ceil((w.offset + w.length) / 512) * 512;
  const out: ByteRange[] = [];
  if (w.offset % 512 !== 0) out.push({ offset: start, bytes: 512 });
  if ((w.offset + w.length) % 512 !== 0 && !(w.offset % 512 !== 0 && end - start === 512)) out.push({ offset: end - 512, bytes: 512 });
  return out;
}
