/*
 * Compares the engine's disks with the data model, by peeking (never reading through the
 * simulation) in pieces of at most 1 MiB and only where bytes can differ from the initial pattern
 * (DirtyRanges.ts): the primary disk, the secondary disk and the secondary VM's view after a step,
 * and, after a race, every layer against the race envelope, before the model takes the engine's
 * bytes there. Each mismatch is named by the invariant it breaks, from where it was seen and the
 * stage the data was in. Once a side is lost, its disks are no longer peeked; the other side's still are.
 */
import { ANY_BYTE, type ByteSet } from '../../models/data/ByteSet.js';
import type { IntervalMap } from '../../models/data/IntervalMap.js';
import { adoptCopyState, adoptRace, narrowActive, narrowDisk, type Observed } from '../../models/data/Observation.js';
import { primaryEnvelope, secondaryEnvelope } from '../../models/data/RaceEnvelope.js';
import { COW_CLUSTER_BYTES, type ExpectedRun, type ReplicationData, primaryDisk, secondaryDisk, secondaryView, unionOver } from '../../models/data/ReplicationData.js';
import { type BlockNode, PeekUnavailable } from '../block/BlockNode.js';
import type { ColoPair } from '../colo/ColoPair.js';
import type { Step } from '../scenario/Scenario.js';
import { type TouchedRange, clusterRanges } from './clusterRanges.js';
import { type ByteMismatch, firstMismatch, hexByte } from './compareBytes.js';
import { type ByteRange, PEEK_BYTES_MAX, clip, dirtyRanges, peekPieces, raceRanges } from './DirtyRanges.js';
import type { InvariantName } from './Invariant.js';
import type { Reporter } from './Reporter.js';
import { RunComparison } from './RunComparison.js';
import { VerifiedChunks } from './VerifiedChunks.js';

/** The copy-before-write cluster, in which the data model copies and the checks below group writes. */
const CLUSTER = COW_CLUSTER_BYTES;

/** A guest write of this step, known by its request id once its `request` event announced it. */
export interface PendingWrite {
  readonly vm: 'primary' | 'secondary';
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
  /** A write-zeroes: after a failed padding read its whole first and last sectors are undefined. */
  readonly zeroes: boolean;
  /** Its place in a concurrent group (undefined: the step itself), which its request event names. */
  readonly member: number | undefined;
  applied: boolean;
  /** A primary write whose forwarded copy reached the secondary disk (applied to S already). */
  landed: boolean;
  /** A primary write whose forwarded copy failed below the primary's replication node. */
  forwardFailed: boolean;
}

/** One replicated disk as the checker follows it through a step. */
export interface DiskModel {
  data: ReplicationData;
  /** The model when the step began (what a race started from). */
  before: ReplicationData;
  /** The model's data stage before this step (to name the invariant a mismatch breaks). */
  stageBefore: ReplicationData['stage'];
  /** This step's guest writes the data model follows, until their request events name them. */
  pending: PendingWrite[];
  /** The same writes by request id: how trace events about a write find it. */
  readonly byReq: Map<number, PendingWrite>;
  /** Edges of forwarded primary writes whose padding read failed (this step). */
  padEdges: ByteRange[];
  /** Bytes some other node wrote undefined (a failed padding read there). */
  anyRanges: ByteRange[];
  /** Ranges this step wrote, and from which side, to check after it. */
  touched: TouchedRange[];
  /** Why this step's outcome depends on an order the trace does not give (empty: it does not). */
  readonly race: Set<string>;
  /** Why some range admits several values after this step, other than a race. */
  readonly wide: Set<string>;
  /** Every pattern the step wrote, and those the primary wrote. */
  written: ByteSet;
  primaryWritten: ByteSet;
  /** Whether a checkpoint or start (make_empty of the buffers) was part of the step. */
  buffersEmptied: boolean;
  /** Whether the step was a concurrent group (reads may see the state before or after its writes). */
  concurrent: boolean;
  /** Whether the model may still hold a wide range from an earlier step. */
  mayBeWide: boolean;
  /** Secondary VM writes acknowledged while the failover's commit ran (kept to the end of the case). */
  readonly acknowledgedInFailover: { readonly offset: number; readonly bytes: number; readonly pattern: number }[];
}

/**
 * One buffer the disks are peeked into, shared by every case of this thread (a case used to grow
 * its own, up to 1 MiB of fresh memory per case), never larger than PEEK_BYTES_MAX; its bytes are
 * used only before the next peek, within one synchronous call.
 */
let scratch = new Uint8Array(0);
let view = new Uint8Array(0);
/** The comparison a copy-free peek feeds (synchronous too, so one serves every case). */
const comparison = new RunComparison();

export class DiskComparison {
  stepKind: Step['do'] = 'start';
  private primaryAlive = true;
  private secondaryAlive = true;
  /** Peeks made and peeks refused (a closed or ejected node) since the last reset: was anything compared? */
  readonly peeks = { made: 0, refused: 0 };
  /** Per disk, the chunks of each layer that last held (what an exact comparison may leave out, by proof). */
  private readonly verified: { primary: VerifiedChunks; disk: VerifiedChunks; view: VerifiedChunks }[] = [];

  constructor(
    readonly report: Reporter,
    private readonly pair: ColoPair,
    private readonly pattern: number,
  ) {}

  sideLost(side: 'primary' | 'secondary'): void {
    if (side === 'primary') this.primaryAlive = false;
    else this.secondaryAlive = false;
  }

  get anySideAlive(): boolean {
    return this.primaryAlive || this.secondaryAlive;
  }

  /**
   * After a race: every layer over every range the race can have changed lies in the envelope;
   * then the model takes the engine's P, S, A and H there (the view follows from them).
   */
  resolveRace(index: number, d: DiskModel): ReplicationData {
    const after = d.data;
    const pd = this.pair.primary.disks[index]!;
    const sd = this.pair.secondary.disks[index]!;
    const buffers = [sd.active.allocatedRanges(), sd.hidden.allocatedRanges()];
    let data = after;
    const dirty = clip(raceRanges([d.before, after], [...d.touched, ...buffers.flat(), ...d.anyRanges]), after.sizeBytes);
    for (const r of peekPieces(dirty)) {
      const envelope = { primary: envelopeRuns(d, 'primary', r.offset, r.bytes, after), secondary: envelopeRuns(d, 'secondary', r.offset, r.bytes, after) };
      const end = r.offset + r.bytes;
      if (this.primaryAlive) {
        const seen = this.peekCheck(d, 'primary', 'vm', () => pd.local.peek(r.offset, r.bytes, this.buffer(r.bytes)), r, envelope.primary);
        if (seen) data = adoptRace(data, r.offset, end, { primary: seen });
      }
      if (!this.secondaryAlive) continue;
      const seen = this.peekCheck(d, 'secondary', 'disk', () => sd.disk.peek(r.offset, r.bytes, this.buffer(r.bytes)), r, envelope.secondary);
      if (seen) data = adoptRace(data, r.offset, end, { secondary: seen });
      // The view's bytes are only judged (the model takes the layers below it): compared where they lie, not copied.
      this.compareCheck(d, 'secondary', 'vm', sd.replication, r, envelope.secondary, false, this.memo(index).view, false);
      if (after.stage === 'promoted') continue;
      for (const [layer, node, allocated] of [['active', sd.active, buffers[0]!], ['hidden', sd.hidden, buffers[1]!]] as const) {
        const bytes = node.peekLayer(r.offset, this.buffer(r.bytes));
        const runs = clip(allocated, end).filter((a) => a.offset + a.bytes > r.offset).map((a) => overlap(a, r));
        for (const run of runs) this.checkBuffer(d, layer, bytes.subarray(run.offset - r.offset, run.offset - r.offset + run.bytes), run, envelope.secondary);
        const observed = runs.map((run): Observed => ({ offset: run.offset, bytes: bytes.subarray(run.offset - r.offset, run.offset - r.offset + run.bytes) }));
        data = adoptRace(data, r.offset, end, layer === 'active' ? { active: observed } : { hidden: observed });
      }
    }
    return this.secondaryAlive ? this.adoptBitmap(index, d, data, dirty) : data;
  }

  /** The copy state of every cluster the race wrote or that can differ, from the engine's backup job. */
  private adoptBitmap(index: number, d: DiskModel, data: ReplicationData, dirty: readonly ByteRange[]): ReplicationData {
    const job = this.pair.secondary.disks[index]!.replication.backupJob;
    const clusters = clustersOf([...d.touched, ...dirty], data.sizeBytes);
    let next = data;
    for (const c of clusters) {
      const start = c * CLUSTER;
      const taken = job !== null && job.clusterSize === CLUSTER && !job.bitmap.isArmed(c);
      next = adoptCopyState(next, start, Math.min(start + CLUSTER, data.sizeBytes), taken);
    }
    return next;
  }

  /**
   * Every range that can differ after control steps and at the end; otherwise the clusters written
   * in the step: a primary write may change the secondary disk and (if copy-before-write fails) the
   * view, a secondary write only the view. The primary disk is a plain raw image, compared in full
   * checks. Wide pieces the engine's bytes fall into are narrowed to them.
   */
  checkDisk(index: number, d: DiskModel, full: boolean): ReplicationData {
    // A step that wrote nothing on this disk has no cluster to compare until the next whole-disk check.
    if (!full && d.touched.length === 0) return d.data;
    let data = d.data;
    const size = data.sizeBytes;
    const pd = this.pair.primary.disks[index]!;
    const sd = this.pair.secondary.disks[index]!;
    const memo = this.memo(index);
    const all = full ? this.dirty(index, d) : [];
    // Once the secondary disk is the one the secondary VM writes (promoted, or split writes), its writes land there too.
    const svmReachesDisk = data.stage === 'promoted' || data.stage === 'failover-failed';
    const byPrimary = full ? all : clusterRanges(d.touched, size, CLUSTER, svmReachesDisk ? undefined : 'primary');
    // While replication runs, the view over clusters the primary just wrote is copy-before-write's
    // whole point: it must still show the old data (cow-isolation); the other clusters, the secondary's own writes.
    const isolation = !full && data.stage === 'running' && this.stepKind !== 'checkpoint';
    if (full && this.primaryAlive) {
      for (const r of peekPieces(all)) {
        const expected = primaryDisk(data, r.offset, r.bytes);
        if (!isWide(expected)) {
          this.compareCheck(d, 'primary', 'vm', pd.local, r, expected, false, memo.primary, full);
          continue;
        }
        const seen = this.peekCheck(d, 'primary', 'vm', () => pd.local.peek(r.offset, r.bytes, this.buffer(r.bytes)), r, expected);
        if (seen) data = narrowDisk(data, 'primary', seen);
      }
    }
    if (!this.secondaryAlive) return data;
    for (const r of peekPieces(byPrimary)) {
      const expected = secondaryDisk(data, r.offset, r.bytes);
      if (!isWide(expected)) {
        this.compareCheck(d, 'secondary', 'disk', sd.disk, r, expected, false, memo.disk, full);
        continue;
      }
      const seen = this.peekCheck(d, 'secondary', 'disk', () => sd.disk.peek(r.offset, r.bytes, this.buffer(r.bytes)), r, expected);
      if (seen && !data.commit?.running) data = narrowDisk(data, 'secondary', seen);
    }
    if (isolation) {
      // Running is neither promoted nor failover-failed: byPrimary holds the clusters the primary wrote.
      data = this.checkView(index, d, data, byPrimary, true, full);
      return this.checkView(index, d, data, clusterRanges(d.touched, size, CLUSTER, undefined, 'primary'), false, full);
    }
    return this.checkView(index, d, data, full ? all : clusterRanges(d.touched, size, CLUSTER), false, full);
  }

  /** The secondary VM's view over `ranges`, piece by piece: compared, or narrowed where the model admits several values. */
  private checkView(index: number, d: DiskModel, data: ReplicationData, ranges: readonly ByteRange[], isolation: boolean, full: boolean): ReplicationData {
    const node = this.pair.secondary.disks[index]!.replication;
    const memo = this.memo(index).view;
    let out = data;
    for (const r of peekPieces(ranges)) {
      const expected = secondaryView(out, r.offset, r.bytes);
      if (!isWide(expected)) {
        this.compareCheck(d, 'secondary', 'vm', node, r, expected, isolation, memo, full);
        continue;
      }
      const seen = this.peekCheck(d, 'secondary', 'vm', () => node.peek(r.offset, r.bytes, this.buffer(r.bytes)), r, expected, isolation);
      if (seen && !out.commit?.running) out = narrowActive(out, seen);
    }
    return out;
  }

  /** Which invariant a wrong byte breaks, from where it was seen and the stage the data was in. */
  invariantFor(d: DiskModel, vm: string, target: string, actual?: number, offset?: number): InvariantName {
    const stage = d.data.stage;
    if (stage === 'failover-failed') return 'failover-failed-routing';
    if (stage === 'promoted') return this.lostInFailover(d, actual, offset) ? 'no-lost-acknowledged-write' : 'failover-preserves-view';
    if (vm === 'primary') return 'conformance';
    if (target === 'disk') return 'secondary-tracks-primary';
    if (this.stepKind === 'checkpoint' && d.stageBefore === 'running') return 'checkpoint-sync';
    // The view showed what the secondary disk now holds where it should not: the buffer leaked.
    if (actual !== undefined && offset !== undefined && secondaryDisk(d.data, offset, 1)[0]!.values.includes(actual)) return 'cow-isolation';
    return 'no-lost-acknowledged-write';
  }

  /**
   * A wrong byte after the pivot where a write the secondary VM got acknowledged during the commit
   * should be, and the model still expects that write's byte there: the commit lost the write.
   */
  private lostInFailover(d: DiskModel, actual: number | undefined, offset: number | undefined): boolean {
    if (actual === undefined || offset === undefined) return false;
    const expected = secondaryDisk(d.data, offset, 1)[0]!.values;
    return d.acknowledgedInFailover.some((w) => w.offset <= offset && offset < w.offset + w.bytes && w.pattern !== actual && expected.includes(w.pattern));
  }

  private dirty(index: number, d: DiskModel): ByteRange[] {
    const pd = this.pair.primary.disks[index]!;
    const sd = this.pair.secondary.disks[index]!;
    const engine = [...pd.local.store.writtenRanges(), ...sd.disk.store.writtenRanges(), ...sd.active.allocatedRanges(), ...sd.hidden.allocatedRanges()];
    return clip(dirtyRanges([d.data], this.pattern, engine), d.data.sizeBytes);
  }

  private buffer(bytes: number): Uint8Array {
    if (bytes > PEEK_BYTES_MAX) throw new RangeError(`peek of ${bytes} bytes exceeds the ${PEEK_BYTES_MAX}-byte bound`);
    // Most peeks are one cluster long: the view of the last length is kept instead of made anew.
    if (view.length === bytes && view.buffer === scratch.buffer) return view;
    if (scratch.length < bytes) scratch = new Uint8Array(Math.min(PEEK_BYTES_MAX, Math.max(bytes, 2 * scratch.length)));
    view = scratch.subarray(0, bytes);
    return view;
  }

  /** Peek and compare one piece; the bytes seen (in the scratch buffer, valid until the next peek), or null if the node cannot be peeked. */
  private peekCheck(d: DiskModel, vm: string, target: string, peek: () => Uint8Array, r: ByteRange, expected: ExpectedRun[], isolation = false): Observed | null {
    let actual: Uint8Array;
    try {
      actual = peek();
    } catch (error) {
      if (!(error instanceof PeekUnavailable)) throw error;
      this.peeks.refused++;
      return null;
    }
    this.peeks.made++;
    this.judge(d, vm, target, firstMismatch(actual, r.offset, expected), isolation);
    return { offset: r.offset, bytes: actual };
  }

  private memo(index: number): { primary: VerifiedChunks; disk: VerifiedChunks; view: VerifiedChunks } {
    return (this.verified[index] ??= { primary: new VerifiedChunks(), disk: new VerifiedChunks(), view: new VerifiedChunks() });
  }

  /**
   * Compare one piece as the node hands it over, copying nothing (nothing to narrow: the expectation
   * is exact); false if the node cannot be peeked. A whole-disk comparison (`leaveOut`) leaves out
   * the whole chunks `memo` proves would hold again since the last whole-disk comparison: most of a
   * disk is as that one found it, while a step's own clusters mostly changed (there keeping the
   * proof costs more than the bytes it would save). Every part is peeked even after a wrong byte, so
   * a part that cannot be peeked still voids the check, as one peek of the piece would.
   */
  private compareCheck(d: DiskModel, vm: string, target: string, node: BlockNode, r: ByteRange, expected: ExpectedRun[], isolation: boolean, memo: VerifiedChunks, leaveOut: boolean): boolean {
    comparison.begin(expected);
    try {
      if (!leaveOut) node.peekRuns(r.offset, r.bytes, comparison);
      else for (const part of memo.toCompare(node, r, expected)) node.peekRuns(part.offset, part.bytes, comparison);
    } catch (error) {
      if (!(error instanceof PeekUnavailable)) throw error;
      this.peeks.refused++;
      return false;
    }
    this.peeks.made++;
    if (leaveOut && comparison.mismatch === null) memo.held(r, expected);
    this.judge(d, vm, target, comparison.mismatch, isolation);
    return true;
  }

  private judge(d: DiskModel, vm: string, target: string, mismatch: ByteMismatch | null, isolation: boolean): void {
    const what = vm === 'primary' ? 'the primary disk' : target === 'disk' ? 'the secondary disk' : "the secondary VM's view";
    // A passing isolation check counts as one; a failing one is named by what the wrong byte is (a leak
    // of the primary's data is cow-isolation, anything else a lost write or conformance).
    const invariant = isolation && mismatch === null ? 'cow-isolation' : this.invariantFor(d, vm, target, mismatch?.actual, mismatch?.offset);
    this.report.check(invariant, mismatch === null, () => describe(what, mismatch!));
  }

  /** An allocated run of A or H after a race: its bytes must lie in the envelope. */
  private checkBuffer(d: DiskModel, layer: 'active' | 'hidden', bytes: Uint8Array, run: ByteRange, envelope: ExpectedRun[]): void {
    const within = envelope.filter((e) => e.offset < run.offset + run.bytes && run.offset < e.offset + e.length).map((e) => clipRun(e, run));
    const mismatch = firstMismatch(bytes, run.offset, within);
    this.report.check(this.invariantFor(d, 'secondary', 'vm', mismatch?.actual, mismatch?.offset), mismatch === null, () => describe(`the ${layer} disk`, mismatch!));
  }
}

/** What a layer may hold over [offset, offset + length) after the step's race. */
export function envelopeRuns(d: DiskModel, layer: 'primary' | 'secondary', offset: number, length: number, after = d.data): ExpectedRun[] {
  const end = offset + length;
  let map: IntervalMap<ByteSet> = layer === 'primary' ? primaryEnvelope(d.before, after, offset, end, d.primaryWritten) : secondaryEnvelope(d.before, after, offset, end, d.written, d.buffersEmptied);
  for (const r of d.anyRanges) if (r.offset < end && offset < r.offset + r.bytes) map = unionOver(map, Math.max(offset, r.offset), Math.min(end, r.offset + r.bytes), ANY_BYTE);
  return map.slice(offset, end).map((piece) => ({ offset: piece.start, length: piece.end - piece.start, values: piece.value }));
}

/** The parts of failed padding edges around the write [offset, offset + length) that are not the guest's data. */
export function undefinedPadding(edges: ByteRange[], offset: number, length: number, zeroes = false): { offset: number; length: number }[] {
  const end = offset + length;
  const out: { offset: number; length: number }[] = [];
  for (const e of edges.filter((e) => e.offset < end && offset < e.offset + e.bytes)) {
    edges.splice(edges.indexOf(e), 1);
    // A write-zeroes zeroes its own bytes in the buffer only after every padding read succeeded.
    if (zeroes) {
      out.push({ offset: e.offset, length: e.bytes });
      continue;
    }
    if (e.offset < offset) out.push({ offset: e.offset, length: offset - e.offset });
    if (e.offset + e.bytes > end) out.push({ offset: end, length: e.offset + e.bytes - end });
  }
  return out;
}

export function describe(where: string, m: { offset: number; actual: number; allowed: readonly number[] }): string {
  const allowed = m.allowed.length === 256 ? 'any byte' : m.allowed.map(hexByte).join(' or ');
  return `${where}: byte at ${m.offset} is ${hexByte(m.actual)}, the data model allows ${allowed}`;
}

/** Whether an expectation admits several values somewhere (only then is there anything to narrow). */
function isWide(expected: readonly ExpectedRun[]): boolean {
  return expected.some((run) => run.values.length > 1);
}

function overlap(a: ByteRange, r: ByteRange): ByteRange {
  const start = Math.max(a.offset, r.offset);
  return { offset: start, bytes: Math.min(a.offset + a.bytes, r.offset + r.bytes) - start };
}

function clipRun(e: ExpectedRun, r: ByteRange): ExpectedRun {
  const start = Math.max(e.offset, r.offset);
  return { offset: start, length: Math.min(e.offset + e.length, r.offset + r.bytes) - start, values: e.values };
}

/** The clusters (indices) the ranges touch, within the disk. */
function clustersOf(touched: readonly ByteRange[], size: number): Set<number> {
  const clusters = new Set<number>();
  for (const t of touched) {
    for (let c = Math.floor(t.offset / CLUSTER); c * CLUSTER < Math.min(size, t.offset + t.bytes); c++) clusters.add(c);
  }
  return clusters;
}
