/*
 * What every disk of a COLO pair must contain, computed from the operations applied so far and
 * their observed outcomes (reference §1, §2.4, §2.7, §5, §6). Disks are sparse interval maps of byte
 * sets (ByteSet.ts): P (primary), S (secondary), A (active), H (hidden). The secondary VM sees
 * A over H over S until a successful failover, then S. Copy-before-write works on 64 KiB clusters:
 * the first forwarded write to a cluster in an epoch copies the whole cluster of S into H, a
 * checkpoint re-arms every cluster. A and H are qcow2 images whose clusters are assumed to be 64 KiB
 * too, so a write allocates whole clusters (filled from the view below) — this is observable only
 * where COW no longer protects the view, in FAILOVER_FAILED's split writes and in what the commit
 * copies. A copy into H happens when the backup job reports it (a `cow` event), whatever becomes of
 * the write that caused it. Limits: one replicated disk, no close, failed writes leave each written
 * sector old-or-new; what the order of racing operations leaves is in RaceEnvelope.ts, and narrowing
 * a set by what the engine was seen to hold in Observation.ts.
 */
import { ANY_BYTE, type ByteSet, exactly, sameBytes, unionBytes } from './ByteSet.js';
import { type Interval, IntervalMap } from './IntervalMap.js';

export const SECTOR_BYTES = 512;
export const COW_CLUSTER_BYTES = 65536;

/** The secondary node's stage as the data sees it; DONE is split by how it was reached. */
export type SecondaryDataStage = 'none' | 'running' | 'failover' | 'failover-failed' | 'promoted' | 'stopped';

/** How a checkpoint (or start's initial one) ended, once it got past the backup job check. */
export type CheckpointResult = 'ok' | 'active-not-emptied' | 'hidden-not-emptied';

export type DataOp =
  /** The secondary node entered RUNNING (start), then ran its initial checkpoint. */
  | { readonly kind: 'secondary-start'; readonly checkpoint: CheckpointResult }
  /** A secondary checkpoint that found its backup job (ignored or rejected ones change nothing). */
  | { readonly kind: 'checkpoint'; readonly result: CheckpointResult }
  /**
   * A primary VM write. `local`: the primary disk's write ("failed": at the disk, so each sector is
   * old-or-new). `forward`: the NBD copy ("failed": it never reached the secondary disk, e.g. the
   * link is down or copy-before-write failed; "not-sent": the primary node is not RUNNING).
   */
  | {
      readonly kind: 'primary-write';
      readonly offset: number;
      readonly length: number;
      readonly pattern: number;
      readonly local: 'ok' | 'failed';
      readonly forward: 'ok' | 'failed' | 'not-sent';
      /**
       * Bytes of the forwarded request that QEMU leaves undefined: around an unaligned write whose
       * padding read failed, the rest of each edge sector holds whatever the bounce buffer held.
       */
      readonly undefinedBytes?: readonly { readonly offset: number; readonly length: number }[];
    }
  /**
   * The backup job copied [offset, offset + length) of S into H (its `cow` report). This is when the
   * copy takes effect, even if the write that caused it fails afterwards or its side dies.
   */
  | { readonly kind: 'cluster-copied'; readonly offset: number; readonly length: number }
  /**
   * A write entering the secondary disk's NBD export from outside the secondary VM (an NBD client's
   * write or write-zeroes, as the primary's forwarded writes enter), once it reached S: through
   * copy-before-write while the backup job lives, like a forwarded write; P is not involved.
   */
  | { readonly kind: 'secondary-disk-write'; readonly offset: number; readonly length: number; readonly pattern: number }
  /** A secondary VM write: "rejected" by the node (EIO before any I/O) or "failed" in the lower layer. */
  | { readonly kind: 'secondary-write'; readonly offset: number; readonly length: number; readonly pattern: number; readonly result: 'ok' | 'rejected' | 'failed' }
  /** The backup job ended by itself: copy-before-write stops protecting the view. */
  | { readonly kind: 'backup-job-ended' }
  /** Secondary stop from RUNNING. With failover the commit starts, unless commit_active_start failed (§9.3). */
  | { readonly kind: 'secondary-stop'; readonly failover: boolean; readonly commitStarted?: boolean }
  /** The failover's commit finished (ok: DONE; otherwise FAILOVER_FAILED). */
  | { readonly kind: 'commit-ended'; readonly ok: boolean };

interface CommitWindow {
  /** Whether a commit job runs at all (§9.3: it may never have started). */
  readonly running: boolean;
  /** S when the failover began. */
  readonly secondaryBefore: IntervalMap<ByteSet>;
  /** Every value the commit may copy into S, over the clusters allocated above S. */
  readonly candidates: IntervalMap<ByteSet>;
  /** Forwarded primary writes that reached S while the commit ran (a race the procedure forbids). */
  readonly racing: IntervalMap<ByteSet>;
}

export type CopyState = 'copied' | 'maybe';

export interface ReplicationData {
  readonly sizeBytes: number;
  readonly clusterBytes: number;
  readonly stage: SecondaryDataStage;
  readonly primary: IntervalMap<ByteSet>;
  readonly secondary: IntervalMap<ByteSet>;
  readonly active: IntervalMap<ByteSet>;
  readonly hidden: IntervalMap<ByteSet>;
  /** The backup job exists, so forwarded writes copy before they write. */
  readonly backupJob: boolean;
  /**
   * Clusters already copied into H in this epoch ("maybe": a race left it open; only the job's own
   * report decides, the model copies no such cluster by itself).
   */
  readonly copied: IntervalMap<CopyState>;
  readonly commit: CommitWindow | null;
}

/** What a range must read as: consecutive runs, each with the set of bytes its sectors may hold. */
export interface ExpectedRun {
  readonly offset: number;
  readonly length: number;
  readonly values: ByteSet;
}

export const emptyDisk = () => IntervalMap.empty<ByteSet>(sameBytes);

/** Both disks hold `pattern` everywhere; active and hidden are empty (the documented precondition). */
export function initialData(sizeBytes: number, pattern: number, clusterBytes = COW_CLUSTER_BYTES): ReplicationData {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % SECTOR_BYTES !== 0) throw new RangeError(`disk size ${sizeBytes} is not a positive multiple of 512`);
  const full = emptyDisk().set(0, sizeBytes, exactly(pattern));
  return {
    sizeBytes,
    clusterBytes,
    stage: 'none',
    primary: full,
    secondary: full,
    active: emptyDisk(),
    hidden: emptyDisk(),
    backupJob: false,
    copied: IntervalMap.empty<CopyState>(),
    commit: null,
  };
}

export function applyDataOps(data: ReplicationData, ops: readonly DataOp[]): ReplicationData {
  return ops.reduce(applyDataOp, data);
}

export function applyDataOp(data: ReplicationData, op: DataOp): ReplicationData {
  switch (op.kind) {
    case 'secondary-start':
      expectStage(data, op, ['none']);
      return checkpoint({ ...data, stage: 'running', backupJob: true }, op.checkpoint);
    case 'checkpoint':
      expectStage(data, op, ['running']);
      if (!data.backupJob) throw new Error('checkpoint: a checkpoint without a backup job changes nothing; do not apply it');
      return checkpoint(data, op.result);
    case 'primary-write':
      return primaryWrite(data, op);
    case 'secondary-write':
      return secondaryWrite(data, op);
    case 'secondary-disk-write':
      checkRange(data, op.offset, op.length);
      return writeSecondaryDiskFromPrimary(data, op.offset, op.offset + op.length, exactly(op.pattern));
    case 'cluster-copied':
      checkRange(data, op.offset, op.length);
      return data.copied.get(op.offset) === 'copied' ? data : copyInto(data, op.offset, op.offset + op.length);
    case 'backup-job-ended':
      expectStage(data, op, ['running']);
      return { ...data, backupJob: false };
    case 'secondary-stop':
      expectStage(data, op, ['running']);
      if (!op.failover) return { ...data, stage: 'stopped', backupJob: false };
      return { ...data, stage: 'failover', backupJob: false, commit: openCommitWindow(data, op.commitStarted ?? true) };
    case 'commit-ended':
      expectStage(data, op, ['failover']);
      if (!data.commit?.running) throw new Error('commit-ended: no commit job is running');
      return op.ok ? completeCommit(data, data.commit) : failCommit(data, data.commit);
  }
}

function expectStage(data: ReplicationData, op: DataOp, stages: readonly SecondaryDataStage[]): void {
  if (!stages.includes(data.stage)) throw new Error(`${op.kind}: impossible while the secondary is ${data.stage}`);
}

/** §2.7: re-arm COW, then empty active, then hidden; a failure leaves the later steps undone. */
function checkpoint(data: ReplicationData, result: CheckpointResult): ReplicationData {
  const rearmed = { ...data, copied: IntervalMap.empty<CopyState>() };
  if (result === 'active-not-emptied') return rearmed;
  if (result === 'hidden-not-emptied') return { ...rearmed, active: emptyDisk() };
  return { ...rearmed, active: emptyDisk(), hidden: emptyDisk() };
}

function primaryWrite(data: ReplicationData, op: Extract<DataOp, { kind: 'primary-write' }>): ReplicationData {
  checkRange(data, op.offset, op.length);
  const end = op.offset + op.length;
  const byte = exactly(op.pattern);
  const primary = op.local === 'ok' ? data.primary.set(op.offset, end, byte) : unionOver(data.primary, op.offset, end, byte);
  const next = { ...data, primary };
  if (op.forward !== 'ok') return next;
  const written = writeSecondaryDiskFromPrimary(next, op.offset, end, byte);
  return (op.undefinedBytes ?? []).reduce((d, r) => writeSecondaryDiskFromPrimary(d, r.offset, r.offset + r.length, ANY_BYTE), written);
}

/** Copy-before-write of the clusters under [start, end) that no report or rule has copied yet in this epoch. */
function copyClusters(data: ReplicationData, start: number, end: number): ReplicationData {
  let next = data;
  for (const cluster of clustersOf(data, start, end)) {
    if (next.copied.get(cluster.start) === undefined) next = copyInto(next, cluster.start, cluster.end);
  }
  return next;
}

/** S's bytes of [start, end) copied into H, which now counts as copied in this epoch. */
function copyInto(data: ReplicationData, start: number, end: number): ReplicationData {
  return { ...data, hidden: copyRange(data.secondary, data.hidden, start, end), copied: data.copied.set(start, end, 'copied') };
}

/** A forwarded write reaching S through the NBD export (and the copy-before-write filter while the backup job lives). */
function writeSecondaryDiskFromPrimary(data: ReplicationData, start: number, end: number, byte: ByteSet): ReplicationData {
  const cow = data.backupJob ? copyClusters(data, start, end) : data;
  const secondary = cow.secondary.set(start, end, byte);
  const commit = data.commit?.running ? { ...data.commit, racing: unionOver(data.commit.racing, start, end, byte) } : data.commit;
  return { ...cow, secondary, commit };
}

function secondaryWrite(data: ReplicationData, op: Extract<DataOp, { kind: 'secondary-write' }>): ReplicationData {
  checkRange(data, op.offset, op.length);
  if (op.result === 'rejected') return data;
  if (data.stage === 'none') throw new Error('secondary-write: the node fails every write before start');
  const end = op.offset + op.length;
  const written = routeSecondaryWrite(data, op.offset, end, exactly(op.pattern));
  return op.result === 'ok' ? written : keepOldOrNew(data, written, op.offset, end);
}

/** Where an SVM write lands, by stage (§2.4's write path). */
function routeSecondaryWrite(data: ReplicationData, start: number, end: number, byte: ByteSet): ReplicationData {
  switch (data.stage) {
    case 'promoted':
      return { ...data, secondary: data.secondary.set(start, end, byte) };
    case 'failover-failed':
      return splitWrite(data, start, end, byte);
    case 'failover':
      return noteCommitCandidates(writeActive(data, start, end, byte), start, end);
    default:
      return writeActive(data, start, end, byte);
  }
}

/** A qcow2 write to A: a cluster it allocates is first filled from the view below (H over S). */
function writeActive(data: ReplicationData, start: number, end: number, byte: ByteSet): ReplicationData {
  let active = data.active;
  for (const cluster of clustersOf(data, start, end)) {
    if (active.get(cluster.start) !== undefined) continue;
    for (const piece of chainBelowActive(data, cluster.start, cluster.end)) active = active.set(piece.start, piece.end, piece.value);
  }
  return { ...data, active: active.set(start, end, byte) };
}

/** FAILOVER_FAILED: a run allocated in A or H goes to A, any other run straight to S. */
function splitWrite(data: ReplicationData, start: number, end: number, byte: ByteSet): ReplicationData {
  let next = data;
  for (const run of allocatedAboveBase(data).cover(start, end)) {
    next = run.value ? writeActive(next, run.start, run.end, byte) : { ...next, secondary: next.secondary.set(run.start, run.end, byte) };
  }
  return next;
}

/** A write that failed below: every sector it covered may hold the old or the new value. */
function keepOldOrNew(before: ReplicationData, after: ReplicationData, start: number, end: number): ReplicationData {
  let { active, secondary } = after;
  /* The written part of A: before the write those sectors read through to the old view. */
  for (const piece of after.active.slice(start, end)) {
    for (const old of viewOf(before, piece.start, piece.end)) active = active.set(old.start, old.end, unionBytes(piece.value, old.value));
  }
  /* Sectors of S the write did not touch keep their value (the union of a value with itself). */
  for (const piece of after.secondary.slice(start, end)) {
    for (const old of before.secondary.slice(piece.start, piece.end)) secondary = secondary.set(old.start, old.end, unionBytes(piece.value, old.value));
  }
  return { ...after, active, secondary };
}

function openCommitWindow(data: ReplicationData, running: boolean): CommitWindow {
  let candidates = emptyDisk();
  for (const run of allocatedAboveBase(data).intervals()) {
    for (const piece of viewOf(data, run.start, run.end)) candidates = candidates.set(piece.start, piece.end, piece.value);
  }
  return { running, secondaryBefore: data.secondary, candidates, racing: emptyDisk() };
}

/**
 * SVM writes during the commit: the mirror copies them too, so they become possible contents of S,
 * and the completed commit puts them there. QEMU 7.2 and >=10.0.13 hold to this; 8.2 to 10.0.12 lose
 * those arriving during the start-up scan (models/replication/profiles.ts, RULE_VERSIONS), which
 * this model does not admit under any profile: the loss is a violation.
 */
function noteCommitCandidates(data: ReplicationData, start: number, end: number): ReplicationData {
  if (!data.commit) return data;
  let candidates = data.commit.candidates;
  for (const cluster of clustersOf(data, start, end)) {
    for (const piece of data.active.slice(cluster.start, cluster.end)) candidates = unionOver(candidates, piece.start, piece.end, piece.value);
  }
  return { ...data, commit: { ...data.commit, candidates } };
}

/** The commit copied every cluster allocated above S: S now equals the view (unless a forwarded write raced it). */
function completeCommit(data: ReplicationData, commit: CommitWindow): ReplicationData {
  let secondary = data.secondary;
  for (const run of allocatedAboveBase(data).intervals()) {
    for (const piece of viewOf(data, run.start, run.end)) {
      const raced = commit.racing.slice(piece.start, piece.end);
      secondary = secondary.set(piece.start, piece.end, piece.value);
      for (const r of raced) secondary = secondary.set(r.start, r.end, unionBytes(piece.value, r.value));
    }
  }
  return { ...data, stage: 'promoted', secondary, active: emptyDisk(), hidden: emptyDisk(), commit: null, copied: IntervalMap.empty<CopyState>() };
}

/** The commit stopped part-way: under A and H, S holds its old value or anything the commit may have copied. */
function failCommit(data: ReplicationData, commit: CommitWindow): ReplicationData {
  let secondary = data.secondary;
  for (const run of allocatedAboveBase(data).intervals()) {
    for (const layer of [commit.secondaryBefore, commit.candidates, commit.racing]) {
      for (const piece of layer.slice(run.start, run.end)) secondary = unionOver(secondary, piece.start, piece.end, piece.value);
    }
  }
  return { ...data, stage: 'failover-failed', secondary, commit: null };
}

/* ---- queries ---- */

/** What the secondary VM reads: A over H over S, or S after a successful failover. */
export function secondaryView(data: ReplicationData, offset: number, length: number): ExpectedRun[] {
  checkRange(data, offset, length);
  return toRuns(viewOf(data, offset, offset + length));
}

/** What the secondary disk holds; while the commit runs, clusters under A/H may already be copied. */
export function secondaryDisk(data: ReplicationData, offset: number, length: number): ExpectedRun[] {
  checkRange(data, offset, length);
  const end = offset + length;
  let disk = data.secondary;
  if (data.commit?.running) {
    for (const piece of data.commit.candidates.slice(offset, end)) disk = unionOver(disk, piece.start, piece.end, piece.value);
  }
  return toRuns(disk.slice(offset, end));
}

/** What the primary disk holds (the primary VM reads it: quorum's fifo read pattern asks it first). */
export function primaryDisk(data: ReplicationData, offset: number, length: number): ExpectedRun[] {
  checkRange(data, offset, length);
  return toRuns(data.primary.slice(offset, offset + length));
}

/** The allocated parts of the active or hidden disk (gaps are unallocated). */
export function bufferDisk(data: ReplicationData, disk: 'active' | 'hidden'): ExpectedRun[] {
  return toRuns(data[disk].intervals());
}

/** The byte runs of an exact expectation (the scenario format's `runs`), or undefined if any sector has a choice. */
export function exactRuns(runs: readonly ExpectedRun[]): [number, number][] | undefined {
  const out: [number, number][] = [];
  for (const run of runs) {
    if (run.values.length !== 1) return undefined;
    const byte = run.values[0]!;
    const last = out[out.length - 1];
    if (last && last[0] === byte) last[1] += run.length;
    else out.push([byte, run.length]);
  }
  return out;
}

/** The byte ranges allocated in A or H (whole clusters), i.e. what shadows S. */
export function allocatedAboveBase(data: ReplicationData): IntervalMap<true> {
  let allocated = IntervalMap.empty<true>();
  for (const layer of [data.active, data.hidden]) for (const run of layer.intervals()) allocated = allocated.set(run.start, run.end, true);
  return allocated;
}

export function viewOf(data: ReplicationData, start: number, end: number): Interval<ByteSet>[] {
  if (data.stage === 'promoted') return data.secondary.slice(start, end);
  const out: Interval<ByteSet>[] = [];
  // cover's pieces are fresh objects: a defined one is the view's piece as it is.
  for (const piece of data.active.cover(start, end)) {
    if (piece.value) out.push(piece as Interval<ByteSet>);
    else pushBelowActive(out, data, piece.start, piece.end);
  }
  return out;
}

function chainBelowActive(data: ReplicationData, start: number, end: number): Interval<ByteSet>[] {
  const out: Interval<ByteSet>[] = [];
  pushBelowActive(out, data, start, end);
  return out;
}

/** Append what H over S holds in [start, end) to `out`. */
function pushBelowActive(out: Interval<ByteSet>[], data: ReplicationData, start: number, end: number): void {
  for (const piece of data.hidden.cover(start, end)) {
    if (piece.value) out.push(piece as Interval<ByteSet>);
    else for (const below of data.secondary.slice(piece.start, piece.end)) out.push(below);
  }
}

function copyRange(from: IntervalMap<ByteSet>, to: IntervalMap<ByteSet>, start: number, end: number): IntervalMap<ByteSet> {
  let out = to;
  for (const piece of from.slice(start, end)) out = out.set(piece.start, piece.end, piece.value);
  return out;
}

export function unionOver(map: IntervalMap<ByteSet>, start: number, end: number, bytes: ByteSet): IntervalMap<ByteSet> {
  return map.update(start, end, (old) => (old ? unionBytes(old, bytes) : bytes));
}

/** The clusters [start, end) touches, rounded out and clipped to the disk. */
function clustersOf(data: ReplicationData, start: number, end: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let at = Math.floor(start / data.clusterBytes) * data.clusterBytes; at < end; at += data.clusterBytes) {
    out.push({ start: at, end: Math.min(at + data.clusterBytes, data.sizeBytes) });
  }
  return out;
}

function toRuns(pieces: readonly Interval<ByteSet>[]): ExpectedRun[] {
  const out: ExpectedRun[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (last && last.offset + last.length === piece.start && sameBytes(last.values, piece.value)) out[out.length - 1] = { offset: last.offset, length: last.length + piece.end - piece.start, values: last.values };
    else out.push({ offset: piece.start, length: piece.end - piece.start, values: piece.value });
  }
  return out;
}

function checkRange(data: ReplicationData, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0 || offset + length > data.sizeBytes) {
    throw new RangeError(`range [${offset}, ${offset + length}) is not inside the ${data.sizeBytes}-byte disk`);
  }
}
