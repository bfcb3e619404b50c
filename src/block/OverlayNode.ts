/*
 * A qcow2-like overlay: the disk is cut into clusters (64 KiB by default); a cluster is either
 * unallocated (reads fall through to the backing chain, or zeros without one), a zero cluster, or a
 * data cluster held by this layer. The first write to part of an unallocated (or zero) cluster
 * copies the rest of the cluster from below into it, as qcow2's copy-on-write does; writers to a
 * cluster being allocated wait for that allocation, as qcow2's in-flight L2 updates make them.
 * Whole-cluster write-zeroes make zero clusters; make-empty drops every cluster. As QEMU 7.2's
 * qcow2 (perform_cow), the copy of a run of newly allocated clusters reads its start and its end
 * separately, or in one read of the whole run when both exist and the write between them is at most
 * 16 KiB (so a read fault under the written bytes then fails the write).
 * Limits: no snapshots, no compression, no refcounts; metadata updates cost no I/O of their own.
 */
import type { SimEnv } from '../sim/SimEnv.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { ascendingKeys } from '../util/ascendingKeys.js';
import { BlockNode, type BlockStatus } from './BlockNode.js';
import { type PeekSink, SectorStore } from './SectorStore.js';
import { allocBytes, allocUnfilled, heldByte, heldBytes, recycleBytes } from './buffers.js';
import { type ByteRuns, MARK_MIN_BYTES, appendRun, markRuns, runsOf } from './knownRuns.js';

export const DEFAULT_CLUSTER_SIZE = 65536;

const ZERO = 1;
const DATA = 2;
const NOTHING_CLAIMED: readonly number[] = [];
/** allocateFor's answer when there is nothing to claim: one promise, already fulfilled, shared by every such write. */
const NOTHING_TO_CLAIM: Promise<readonly number[]> = Promise.resolve(NOTHING_CLAIMED);
/** qcow2 merges the two copy-on-write reads into one when the data between them is at most this long. */
export const COW_MERGE_MAX_BYTES = 16384;

export class OverlayNode extends BlockNode {
  readonly driver = 'qcow2';
  readonly clusterSize: number;
  private readonly store: SectorStore;
  /** Cluster index -> ZERO | DATA; absent means unallocated. */
  private readonly map = new Map<number, number>();
  /** Clusters whose allocation (copy-on-write from below) is in flight. */
  private readonly allocating = new Map<number, WaitQueue>();

  private readonly makeEmptySupported: boolean;

  /** `makeEmpty: false` stands for a backing-capable format without make_empty (qed, vmdk). */
  constructor(env: SimEnv, name: string, sizeBytes: number, options: { clusterSize?: number; makeEmpty?: boolean } = {}) {
    super(env, name);
    this.makeEmptySupported = options.makeEmpty ?? true;
    this.clusterSize = options.clusterSize ?? DEFAULT_CLUSTER_SIZE;
    if (this.clusterSize < 512 || (this.clusterSize & (this.clusterSize - 1)) !== 0) {
      throw new RangeError(`cluster size must be a power of two >= 512, got ${this.clusterSize}`);
    }
    this.store = new SectorStore(sizeBytes);
  }

  get length(): number {
    return this.store.sizeBytes;
  }

  override get supportsMakeEmpty(): boolean {
    return this.makeEmptySupported;
  }

  /** qcow2's make_completely_empty leaves a half-emptied image behind and drops the driver. */
  protected override get ejectsOnFailedMakeEmpty(): boolean {
    return true;
  }

  /** Number of clusters this layer holds (data or zero). */
  get allocatedClusters(): number {
    return this.map.size;
  }

  /**
   * The clusters this layer holds (data or zero), as merged byte ranges in order, clipped to the
   * disk: an observation hook for checkers (ejected or not), never used by the engine itself.
   */
  allocatedRanges(): { offset: number; bytes: number }[] {
    const cs = this.clusterSize;
    const out: { offset: number; bytes: number }[] = [];
    for (const c of ascendingKeys(this.map)) {
      const offset = c * cs;
      const bytes = Math.min(cs, this.length - offset);
      const last = out[out.length - 1];
      if (last && last.offset + last.bytes === offset) last.bytes += bytes;
      else out.push({ offset, bytes });
    }
    return out;
  }

  /** This layer's own bytes of [offset, offset + out.length) (zeros where it holds nothing), ejected or not: for checkers. */
  peekLayer(offset: number, out: Uint8Array): Uint8Array {
    const end = offset + out.length;
    for (let pos = offset; pos < end; ) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, end, kind);
      if (kind === DATA) this.store.readInto(pos, out, pos - offset, runEnd - pos);
      else out.fill(0, pos - offset, runEnd - offset);
      pos = runEnd;
    }
    return out;
  }

  get allocatedBytes(): number {
    return this.store.allocatedBytes;
  }

  /** Every byte of `out` is written on the way (copied, or zeroed where nothing is copied), so it need not start zeroed. */
  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    const end = offset + bytes;
    // A request this layer holds nothing of goes to the backing chain as it is: its buffer (fresh,
    // held by nobody) is the answer, not copied into one of ours, as each layer of a chain did.
    if (this.backing && this.map.get(this.clusterOf(offset)) === undefined && this.runEnd(offset, end, undefined) === end) {
      const data = await this.readBacking(offset, bytes, requestId);
      this.trace('read', offset, bytes, requestId);
      if (data.length === bytes) return data;
      const whole = allocUnfilled(bytes);
      copyPadded(whole, 0, data, bytes);
      return whole;
    }
    // A large buffer given back holding one byte throughout needs no fill of pieces reading as that
    // byte; pieces whose runs are all known make an answer marked with them (knownRuns.ts).
    const first = this.map.get(this.clusterOf(offset));
    const out = allocUnfilled(bytes, first === DATA ? this.store.firstByte(offset) : first === ZERO ? 0 : -1);
    const holds = heldByte();
    const holdsEnd = heldBytes();
    let runs: ByteRuns | null = bytes >= MARK_MIN_BYTES ? [] : null;
    let pos = offset;
    let leafDone = false;
    while (pos < end) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, end, kind);
      const n = runEnd - pos;
      if (kind === DATA) {
        if (!leafDone) {
          await this.ioLatency('read');
          leafDone = true;
        }
        if (!this.store.readInto(pos, out, pos - offset, n, holds, holdsEnd, runs)) runs = null;
      } else if (kind === undefined && this.backing) {
        const below = await this.readBacking(pos, n, requestId);
        const belowRuns = below.length === n ? runsOf(below) : undefined;
        if (belowRuns === undefined) {
          copyPadded(out, pos - offset, below, n);
          runs = null;
        } else {
          let at = pos - offset;
          for (const [byte, count] of belowRuns) {
            fillPast(out, byte, at, at + count, holds, holdsEnd);
            if (runs !== null) appendRun(runs, byte, count);
            at += count;
          }
        }
        recycleBytes(below);
      } else {
        fillPast(out, 0, pos - offset, runEnd - offset, holds, holdsEnd);
        if (runs !== null) appendRun(runs, 0, n);
      }
      pos = runEnd;
    }
    this.trace('read', offset, bytes, requestId);
    return runs !== null ? markRuns(out, runs) : out;
  }

  protected override doPeek(offset: number, out: Uint8Array): void {
    const end = offset + out.length;
    for (let pos = offset; pos < end; ) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, end, kind);
      const piece = out.subarray(pos - offset, runEnd - offset);
      if (kind === DATA) this.store.readInto(pos, out, pos - offset, runEnd - pos);
      else if (kind === undefined && this.backing && pos < this.backing.length) {
        const available = Math.min(runEnd, this.backing.length) - pos;
        this.backing.peek(pos, available, piece.subarray(0, available));
        piece.fill(0, available);
      } else piece.fill(0);
      pos = runEnd;
    }
  }

  /** What doPeek's walk reads: the store (whose stamps also cover the cluster map), and the backing under unallocated clusters. */
  protected override doPeekStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    this.store.raiseStamps(offset, bytes, into, base);
    const end = offset + bytes;
    const backing = this.backing;
    for (let pos = offset; pos < end; ) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, end, kind);
      if (kind === undefined && backing && pos < backing.length) backing.raiseStamps(pos, Math.min(runEnd, backing.length) - pos, into, base);
      pos = runEnd;
    }
  }

  /** doPeek's walk, handing each piece on instead of copying it. */
  protected override doPeekRuns(offset: number, bytes: number, sink: PeekSink): void {
    const end = offset + bytes;
    for (let pos = offset; pos < end; ) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, end, kind);
      if (kind === DATA) this.store.visit(pos, runEnd - pos, sink);
      else if (kind === undefined && this.backing && pos < this.backing.length) {
        const available = Math.min(runEnd, this.backing.length) - pos;
        this.backing.peekRuns(pos, available, sink);
        if (pos + available < runEnd) sink.uniform(pos + available, runEnd - pos - available, 0);
      } else sink.uniform(pos, runEnd - pos, 0);
      pos = runEnd;
    }
  }

  protected override async doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    const claimed = await this.allocateFor(offset, data.length, requestId);
    try {
      await this.ioLatency('write');
      this.trace('write', offset, data.length, requestId);
      this.store.write(offset, data);
      // Link new clusters only once their data is in place, as qcow2 updates its L2 table after the
      // data write: until then readers see the old contents, and a failed write leaves them intact.
      for (const c of claimed) this.link(c, DATA);
    } finally {
      this.release(claimed);
    }
  }

  /** The image's own flush (traced, with the request that caused it), then its file's, as for any node. */
  protected override async doFlush(requestId?: number): Promise<void> {
    this.trace('flush', 0, 0, requestId);
    await super.doFlush(requestId);
  }

  protected override async doWriteZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    const cs = this.clusterSize;
    const first = Math.ceil(offset / cs);
    const last = Math.floor((offset + bytes) / cs);
    if (first >= last) return this.doWrite(offset, new Uint8Array(bytes), requestId);
    // Unaligned edges are ordinary writes of zeros; whole clusters become zero clusters.
    if (offset < first * cs) await this.doWrite(offset, new Uint8Array(first * cs - offset), requestId);
    await this.waitAllocations(first * cs, (last - first) * cs);
    await this.ioLatency('write-zeroes');
    this.trace('write-zeroes', first * cs, (last - first) * cs, requestId);
    for (let c = first; c < last; c++) this.link(c, ZERO);
    this.store.zero(first * cs, (last - first) * cs);
    if (offset + bytes > last * cs) await this.doWrite(last * cs, new Uint8Array(offset + bytes - last * cs), requestId);
  }

  protected override async doBlockStatus(offset: number, bytes: number): Promise<BlockStatus> {
    const end = offset + bytes;
    const kind = this.map.get(this.clusterOf(offset));
    const runEnd = this.runEnd(offset, end, kind);
    return { kind: kind === DATA ? 'data' : kind === ZERO ? 'zero' : 'unallocated', bytes: runEnd - offset };
  }

  protected override async doMakeEmpty(): Promise<void> {
    await this.ioLatency('make-empty');
    this.map.clear();
    this.store.clear();
  }

  /**
   * Claim every cluster the write touches that this layer does not hold as data, then copy the
   * untouched part of each run of claimed clusters from below into the store (unlinked, so nobody
   * reads it yet). Returns the claimed clusters; the caller links and releases them. Claims go in
   * ascending cluster order, so two writers never wait for each other in a cycle.
   */
  private allocateFor(offset: number, bytes: number, requestId: number | undefined): Promise<readonly number[]> {
    return this.holdsData(offset, bytes) ? NOTHING_TO_CLAIM : this.claimAndCopy(offset, bytes, requestId);
  }

  /**
   * Whether every cluster the write touches holds data here and none is being allocated: then
   * allocateFor has nothing to claim or wait for, and answers with the shared fulfilled
   * NOTHING_TO_CLAIM (awaiting it takes the one microtask turn that awaiting an async function that
   * returns at once took, so every schedule stays the same).
   */
  private holdsData(offset: number, bytes: number): boolean {
    const cs = this.clusterSize;
    const end = offset + bytes;
    for (let c = this.clusterOf(offset); c * cs < end; c++) if (this.map.get(c) !== DATA || this.allocating.has(c)) return false;
    return true;
  }

  private async claimAndCopy(offset: number, bytes: number, requestId: number | undefined): Promise<readonly number[]> {
    const cs = this.clusterSize;
    const end = offset + bytes;
    // Allocated lazily: most writes land in clusters that already hold data.
    let claimed: number[] | null = null;
    try {
      for (let c = this.clusterOf(offset); c * cs < end; c++) {
        // Check and claim with no await between them: another writer resuming from its own wait
        // could otherwise claim the same cluster in the gap.
        while (this.allocating.has(c)) await this.waitAllocation(c, 'write');
        if (this.map.get(c) === DATA) continue;
        this.allocating.set(c, new WaitQueue(this.env.sched, `${this.name}:alloc#${c}`));
        (claimed ??= []).push(c);
      }
      for (const run of consecutiveRuns(claimed ?? NOTHING_CLAIMED)) await this.copyOnWrite(run.first, run.last, offset, end, requestId);
    } catch (error) {
      if (claimed) this.release(claimed);
      throw error;
    }
    return claimed ?? NOTHING_CLAIMED;
  }

  private release(claimed: readonly number[]): void {
    for (const c of claimed) {
      const queue = this.allocating.get(c);
      this.allocating.delete(c);
      queue?.wakeAll();
    }
  }

  /**
   * Fill the parts of the claimed clusters first..last outside [offset, end) from below (zeros for
   * zero clusters): qcow2's cow_start and cow_end, read in one request when both exist and at most
   * COW_MERGE_MAX_BYTES of written data lie between them (QEMU 7.2's perform_cow).
   */
  private async copyOnWrite(first: number, last: number, offset: number, end: number, requestId: number | undefined): Promise<void> {
    const start = first * this.clusterSize;
    const stop = Math.min((last + 1) * this.clusterSize, this.length);
    const head = Math.max(start, Math.min(offset, stop));
    const tail = Math.min(stop, Math.max(end, start));
    if (head > start && tail < stop && tail - head <= COW_MERGE_MAX_BYTES) {
      const merged = await this.readUnlinked(start, stop, requestId);
      this.store.write(start, merged.subarray(0, head - start));
      this.store.write(tail, merged.subarray(tail - start));
      return;
    }
    if (head > start) this.store.write(start, await this.readUnlinked(start, head, requestId));
    if (tail < stop) this.store.write(tail, await this.readUnlinked(tail, stop, requestId));
  }

  /** What [start, stop) of clusters this write claimed reads as: zeros over zero clusters, the backing chain's bytes elsewhere. */
  private async readUnlinked(start: number, stop: number, requestId: number | undefined): Promise<Uint8Array> {
    const out = allocBytes(stop - start);
    for (let pos = start; pos < stop; ) {
      const kind = this.map.get(this.clusterOf(pos));
      const runEnd = this.runEnd(pos, stop, kind);
      if (kind === undefined && this.backing !== null) {
        const below = await this.readBacking(pos, runEnd - pos, requestId);
        out.set(below, pos - start);
        recycleBytes(below);
      }
      pos = runEnd;
    }
    return out;
  }

  private async waitAllocations(offset: number, bytes: number): Promise<void> {
    const cs = this.clusterSize;
    for (let c = this.clusterOf(offset); c * cs < offset + bytes; c++) await this.waitAllocation(c, 'write-zeroes');
  }

  /** Until no writer is allocating cluster `c` (woken writers check again: another may have claimed it). */
  private async waitAllocation(c: number, op: string): Promise<void> {
    for (;;) {
      const pending = this.allocating.get(c);
      if (!pending) return;
      await pending.wait(`${this.name}:${op} waits for allocation of cluster ${c}`);
    }
  }

  /** Read from the backing chain; bytes past the backing file's end read as zeros. */
  private async readBacking(offset: number, bytes: number, requestId: number | undefined): Promise<Uint8Array> {
    const backing = this.backing!;
    const available = Math.max(0, Math.min(bytes, backing.length - offset));
    if (available === bytes) return backing.read(offset, bytes, { requestId });
    const out = allocBytes(bytes);
    if (available > 0) {
      const below = await backing.read(offset, available, { requestId });
      out.set(below);
      recycleBytes(below);
    }
    return out;
  }

  /** Map a cluster, stamping its range in the store: what reads through it changed (doPeekStamp). */
  private link(cluster: number, kind: number): void {
    this.map.set(cluster, kind);
    const start = cluster * this.clusterSize;
    this.store.touch(start, Math.min(this.clusterSize, this.length - start));
  }

  private clusterOf(offset: number): number {
    return Math.floor(offset / this.clusterSize);
  }

  /** End of the run of clusters starting at `pos` that share allocation state `kind`, capped at `end`. */
  private runEnd(pos: number, end: number, kind: number | undefined): number {
    const cs = this.clusterSize;
    let c = this.clusterOf(pos) + 1;
    while (c * cs < end && this.map.get(c) === kind) c++;
    return Math.min(c * cs, end);
  }
}

/** Runs of consecutive cluster indices, in the ascending order they were claimed. */
function consecutiveRuns(clusters: readonly number[]): { first: number; last: number }[] {
  const runs: { first: number; last: number }[] = [];
  for (const c of clusters) {
    const run = runs[runs.length - 1];
    if (run && run.last + 1 === c) run.last = c;
    else runs.push({ first: c, last: c });
  }
  return runs;
}

/**
 * Copy a read from the backing chain (`below`, asked for `n` bytes) into `out` at `at`. A driver
 * below may answer short; the rest of the `n` bytes then reads as zeros, as it would have in a
 * zeroed buffer of this layer's own.
 */
function copyPadded(out: Uint8Array, at: number, below: Uint8Array, n: number): void {
  out.set(below, at);
  if (below.length < n) out.fill(0, at + below.length, at + n);
}

/** Fill out[from, to) with `byte`, but for the part of out[0, holdsEnd) already holding it (holds). */
function fillPast(out: Uint8Array, byte: number, from: number, to: number, holds: number, holdsEnd: number): void {
  const start = byte === holds ? Math.max(from, holdsEnd) : from;
  if (start < to) out.fill(byte, start, to);
}
