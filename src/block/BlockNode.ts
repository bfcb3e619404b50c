/*
 * A block node, as in QEMU's block layer: a driver (raw, overlay, a filter) behind a generic front
 * that does what bdrv_co_preadv/pwritev do before a driver runs: range checks, request alignment
 * (read-modify-write of unaligned edges), in-flight request tracking with serialising waits, the
 * fault point, before-write hooks, and tracing. Drivers implement the do* methods on aligned ranges.
 * Limits: no flags beyond what replication needs, no resizing. Nodes are opened with discard=ignore
 * (QEMU's default for blockdev-add, and what colosim's QEMU topology uses), so a discard is checked
 * and then dropped before any driver (bdrv_co_pdiscard without BDRV_O_UNMAP).
 */
import type { IoOp } from '../sim/FaultPlan.js';
import type { Errno } from '../sim/errno.js';
import type { Prng } from '../sim/Prng.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { ONE_TURN } from '../sim/oneTurn.js';
import { BdrvChild, type ChildOwner } from './BdrvChild.js';
import { BlockError } from './BlockError.js';
import { TrackedRequests, type TrackedRequest } from './TrackedRequests.js';
import { allocBytes } from './buffers.js';
import { CHUNK_SIZE, type PeekSink } from './SectorStore.js';
import { lastGraphChange } from './WriteClock.js';
import { StacklessError } from '../util/StacklessError.js';

/** Allocation status of one layer over a run of bytes, as block_status reports it. */
export interface BlockStatus {
  /** data: this layer holds the bytes; zero: this layer says they read as zeros; unallocated: look below. */
  readonly kind: 'data' | 'zero' | 'unallocated';
  /** Length of the run with this status, starting at the queried offset (>= 1 byte). */
  readonly bytes: number;
}

/**
 * A checker asked to peek at a node that cannot be read (closed, ejected, not a data node). Built
 * without a stack trace: a campaign's checkers peek closed nodes thousands of times a second and
 * only ask whether the peek was refused, and capturing the stack was most of what a refusal cost.
 */
export class PeekUnavailable extends StacklessError {}

export interface WriteRequest {
  readonly node: BlockNode;
  readonly offset: number;
  readonly bytes: number;
  readonly op: 'write' | 'write-zeroes';
  readonly req: TrackedRequest;
  /** The guest request this write serves (SimEnv.requestId), when one does. */
  readonly requestId: number | undefined;
}

/** Runs before a write reaches the driver (QEMU's before-write notifiers); throwing fails the write. */
export type BeforeWriteHook = (write: WriteRequest) => Promise<void>;

/** Runs after a write reached the driver successfully (where QEMU sets dirty bitmaps). */
export type AfterWriteHook = (write: WriteRequest) => void;

export interface IoOptions {
  /** The guest request this I/O serves (SimEnv.requestId), carried down to every event it causes. */
  readonly requestId?: number;
}

export interface WriteOptions extends IoOptions {
  /** Make the request serialising with this alignment (block-copy's fleecing writes use the cluster size). */
  readonly serialisingAlign?: number;
}

/** The options of a request given none: one shared object, not a fresh {} per request. */
const NO_OPTIONS: WriteOptions = Object.freeze({});


/** Numbers the isInserted walks, so each can mark the nodes it has seen without a set. */
let insertedWalk = 0;

export abstract class BlockNode implements ChildOwner {
  abstract readonly driver: string;
  // The fields are declared here and set in the constructor, not initialised as class fields: a
  // class field initialiser of a base class with many subclasses defines each property through a
  // megamorphic inline cache (about 20 us per node on V8 11), and a pair builds dozens of nodes per case.
  declare readonly env: SimEnv;
  declare readonly name: string;
  declare readonly isBackend: boolean;
  declare readonly parents: Set<BdrvChild>;
  declare readonly children: Map<string, BdrvChild>;
  declare readonly beforeWrite: BeforeWriteHook[];
  declare readonly afterWrite: AfterWriteHook[];
  declare readonly tracked: TrackedRequests;
  /** The stream undefined padding bytes come from, made on first use. */
  private declare undefinedBytes: Prng | null;
  /** Request alignment in bytes; unaligned requests are padded here, drivers see aligned ones. */
  declare alignment: number;
  /** Base latency of every driver-level I/O on this node, in ticks. */
  declare latencyTicks: number;
  /** False once the node was closed / deleted. */
  declare open: boolean;
  /** True once the node lost its driver (bs->drv == NULL): still in the graph, every request fails. */
  declare ejected: boolean;
  /** Op blockers (bdrv_op_block_all): reasons why graph operations such as deleting the node are refused. */
  declare readonly opBlockers: string[];
  /** The image file name QEMU prints in messages (bs->filename). */
  declare filename: string;
  /** The format name QEMU prints in messages (e.g. "qcow2"); the driver's by default. */
  declare format: string | undefined;

  /** The last isInserted walk that looked at this node. */
  private declare insertedWalk: number;

  /** Writes that reached this node, and how many had when the last flush succeeded (bs->write_gen, flushed_gen). */
  private declare writeGen: number;
  private declare flushedGen: number;

  /** Labels of this node's I/O completions, built once: string building per request showed in profiles. */
  private declare readonly ioLabels: Readonly<Record<IoOp, string>>;

  constructor(env: SimEnv, name: string) {
    this.env = env;
    this.name = name;
    this.isBackend = false;
    this.parents = new Set<BdrvChild>();
    this.children = new Map<string, BdrvChild>();
    this.beforeWrite = [];
    this.afterWrite = [];
    this.tracked = new TrackedRequests(env.sched, name);
    this.undefinedBytes = null;
    this.alignment = 512;
    this.latencyTicks = 0;
    this.open = true;
    this.ejected = false;
    this.opBlockers = [];
    this.filename = name;
    this.format = undefined;
    this.insertedWalk = 0;
    this.writeGen = 0;
    this.flushedGen = 0;
    this.ioLabels = {
      read: `io:${name}:read`,
      write: `io:${name}:write`,
      'write-zeroes': `io:${name}:write-zeroes`,
      flush: `io:${name}:flush`,
      'make-empty': `io:${name}:make-empty`,
    };
  }

  abstract get length(): number;

  /** A filter passes I/O to its file child (replication, quorum, copy-before-write). */
  // Stryker disable next-line BlockStatement: an empty getter returns undefined, which every use (a condition or ?:) reads as false
  get isFilter(): boolean {
    return false;
  }

  get supportsMakeEmpty(): boolean {
    return false;
  }

  get file(): BlockNode | null {
    return this.children.get('file')?.node ?? null;
  }

  get backing(): BlockNode | null {
    return this.children.get('backing')?.node ?? null;
  }

  /** Whether a BlockBackend uses this node directly (bdrv_has_blk). */
  get hasBackend(): boolean {
    for (const c of this.parents) if (c.parent.isBackend) return true;
    return false;
  }

  /** A root node has no node parents, only BlockBackends (bdrv_is_root_node). */
  get isRoot(): boolean {
    for (const c of this.parents) if (!c.parent.isBackend) return false;
    return true;
  }

  attach(role: string, child: BlockNode): BdrvChild {
    if (this.children.has(role)) throw new Error(`${this.name} already has a ${role} child`);
    const link = new BdrvChild(this, child, role);
    this.children.set(role, link);
    return link;
  }

  detach(role: string): void {
    this.children.get(role)?.detach();
    this.children.delete(role);
  }

  // ---- the generic front (bdrv_co_*) ----

  async read(offset: number, bytes: number, options: IoOptions = NO_OPTIONS): Promise<Uint8Array> {
    this.checkRequest('read', offset, bytes);
    if (bytes === 0) return new Uint8Array(0);
    const start = this.padStart(offset);
    const end = this.padEnd(offset + bytes);
    const req = this.tracked.begin('read', start, end - start);
    try {
      await this.tracked.waitConflicts(req);
      this.faultPoint('read', offset, bytes, options.requestId);
      const data = await this.doRead(start, end - start, options.requestId);
      return start === offset && end - start === bytes ? data : data.subarray(offset - start, offset - start + bytes);
    } finally {
      this.tracked.end(req);
    }
  }

  async write(offset: number, data: Uint8Array, options: WriteOptions = NO_OPTIONS): Promise<void> {
    this.checkRequest('write', offset, data.length);
    return this.writeBuffer(offset, data, options, false);
  }

  /** A write of `data` (for an unaligned write-zeroes, `zeroes` and a buffer of zeros), padded to the alignment. */
  private async writeBuffer(offset: number, data: Uint8Array, options: WriteOptions, zeroes: boolean): Promise<void> {
    const bytes = data.length;
    if (bytes === 0) return;
    const start = this.padStart(offset);
    const end = this.padEnd(offset + bytes);
    const req = this.tracked.begin('write', start, end - start);
    const unaligned = start !== offset || end !== offset + bytes;
    if (unaligned) this.tracked.makeSerialising(req, this.alignment);
    if (options.serialisingAlign !== undefined) this.tracked.makeSerialising(req, options.serialisingAlign);
    try {
      await this.tracked.waitConflicts(req);
      this.faultPoint('write', offset, bytes, options.requestId);
      // Read-modify-write of the unaligned edges, inside the same serialising request.
      const payload = unaligned ? await this.padded(start, end, offset, data, options.requestId, zeroes) : data;
      await this.runBeforeWrite(start, end - start, 'write', req, options.requestId);
      await this.doWrite(start, payload, options.requestId);
      this.runAfterWrite(start, end - start, 'write', req, options.requestId);
    } finally {
      // Stryker disable next-line UpdateOperator: flush compares generations only for equality, and a generation counted down differs from the last flushed one after every write as one counted up does
      this.writeGen++;
      this.tracked.end(req);
    }
  }

  async writeZeroes(offset: number, bytes: number, options: WriteOptions = NO_OPTIONS): Promise<void> {
    // Checked before the unaligned case builds its buffer: a negative or huge length must fail
    // with EIO, not with a RangeError (or an allocation) from new Uint8Array.
    this.checkRequest('write-zeroes', offset, bytes);
    const start = this.padStart(offset);
    const end = this.padEnd(offset + bytes);
    // Unaligned zeroing is a write of zeros through a bounce buffer, padded as a write is, but the
    // zeros reach the edge sectors only if their padding reads succeed (see padded).
    if (start !== offset || end !== offset + bytes) return this.writeBuffer(offset, new Uint8Array(bytes), options, true);
    if (bytes === 0) return;
    const req = this.tracked.begin('write-zeroes', offset, bytes);
    if (options.serialisingAlign !== undefined) this.tracked.makeSerialising(req, options.serialisingAlign);
    try {
      await this.tracked.waitConflicts(req);
      this.faultPoint('write-zeroes', offset, bytes, options.requestId);
      await this.runBeforeWrite(offset, bytes, 'write-zeroes', req, options.requestId);
      await this.doWriteZeroes(offset, bytes, options.requestId);
      this.runAfterWrite(offset, bytes, 'write-zeroes', req, options.requestId);
    } finally {
      // Stryker disable next-line UpdateOperator: flush compares generations only for equality, and a generation counted down differs from the last flushed one after every write as one counted up does
      this.writeGen++;
      this.tracked.end(req);
    }
  }

  /**
   * bdrv_co_flush: a node that is not inserted (closed, ejected, or a child is) has nothing to flush
   * and succeeds; otherwise the driver flushes (the fault point), but only if a write reached the
   * node since the last successful flush, then (doFlush) the children it may write.
   */
  async flush(options: IoOptions = NO_OPTIONS): Promise<void> {
    if (!this.isInserted) return;
    const gen = this.writeGen;
    if (this.flushedGen !== gen) this.faultPoint('flush', 0, 0, options.requestId);
    await this.doFlush(options.requestId);
    this.flushedGen = gen;
  }

  /** bdrv_co_pdiscard: a node without its driver fails, a bad range fails, and then discard=ignore drops it. */
  async discard(offset: number, bytes: number): Promise<void> {
    if (!this.isInserted) throw new BlockError('ENOMEDIUM', `discard on ${this.name}, which has no driver`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(bytes) || offset < 0 || bytes < 0) {
      throw new BlockError('EIO', `discard [${offset}, +${bytes}) on ${this.name}`);
    }
  }

  /** Allocation status of this layer at `offset` (bdrv_co_block_status without recursion). */
  async blockStatus(offset: number, bytes: number): Promise<BlockStatus> {
    this.checkRequest('read', offset, bytes);
    return this.doBlockStatus(offset, bytes);
  }

  /**
   * Drop everything this layer holds (bdrv_make_empty); unsupported drivers fail with ENOTSUP. A driver
   * that cannot survive a failed emptying (qcow2's make_completely_empty) ejects itself: the node
   * then has no driver, and every later request on it fails with ENOMEDIUM.
   */
  async makeEmpty(): Promise<void> {
    this.checkOpen('make-empty');
    if (!this.supportsMakeEmpty) throw new BlockError('ENOTSUP', `${this.format ?? this.driver} does not support emptying nodes`);
    try {
      this.faultPoint('make-empty', 0, this.length);
      await this.doMakeEmpty();
    } catch (error) {
      if (this.ejectsOnFailedMakeEmpty) this.eject();
      throw error;
    }
    this.trace('make-empty', 0, this.length);
  }

  /** Whether a failed make_empty leaves the node without a driver (bs->drv = NULL). */
  // Stryker disable next-line BlockStatement: an empty getter returns undefined, which its one use (a condition) reads as false
  protected get ejectsOnFailedMakeEmpty(): boolean {
    return false;
  }

  /**
   * bdrv_is_inserted: the node has its driver and so does every child, recursively. A BlockBackend
   * refuses requests (ENOMEDIUM) when its root is not inserted, whatever part of the tree they need.
   */
  get isInserted(): boolean {
    // Stryker disable next-line UpdateOperator: walks numbered downwards are as distinct from each other and from a node's initial 0
    return this.insertedBelow(++insertedWalk);
  }

  /**
   * Each node is looked at once per walk (`walk` marks it): the graph can hold a cycle through the
   * copy-before-write filter's target, and a walk by depth alone visited its nodes dozens of times.
   * The marks also bound the walk, so it needs no depth limit (one cut a deep chain's answer short).
   */
  private insertedBelow(walk: number): boolean {
    if (this.ejected || !this.open) return false;
    if (this.insertedWalk === walk) return true;
    this.insertedWalk = walk;
    for (const edge of this.children.values()) if (!edge.node.insertedBelow(walk)) return false;
    return true;
  }

  /** The node lost its driver (a corrupt image): it stays in the graph, unusable. */
  eject(): void {
    this.ejected = true;
    if (this.env.trace.enabled) this.env.trace.emit('eject', { node: this.name });
  }

  /**
   * What a read of [offset, offset + bytes) would return right now, without taking simulated time,
   * tracking, faults or tracing: an observation hook for checkers, never used by the engine itself.
   * Sector-aligned ranges only. The bytes land in `into` (a scratch buffer a checker reuses) or a new
   * buffer. Throws PeekUnavailable when the node cannot be read (closed, ejected).
   */
  peek(offset: number, bytes: number, into: Uint8Array = new Uint8Array(bytes)): Uint8Array {
    if (!this.open || this.ejected) throw new PeekUnavailable(`${this.name} is ${this.open ? 'ejected' : 'closed'}`);
    const out = into.length === bytes ? into : into.subarray(0, bytes);
    this.doPeek(offset, out);
    return out;
  }

  /**
   * The same bytes as peek, handed to `sink` piece by piece without being copied where the node can
   * (raw, overlays, filters that peek their file); a checker that only compares needs no buffer.
   * A PeekUnavailable may come after some pieces were handed over: the sink's verdict is then void.
   */
  peekRuns(offset: number, bytes: number, sink: PeekSink): void {
    if (!this.open || this.ejected) throw new PeekUnavailable(`${this.name} is ${this.open ? 'ejected' : 'closed'}`);
    this.doPeekRuns(offset, bytes, sink);
  }

  /**
   * Raise into[c - base], for each 4 KiB chunk c (SectorStore's CHUNK_SIZE) that [offset, offset +
   * bytes) overlaps, to the latest write-clock tick (WriteClock.ts) at which anything a peek of the
   * chunk reads may have changed: the stores and cluster maps it reaches, the graph's edges. A peek
   * of the chunk returns what it returned at tick t while that is at most t. Infinity where the node
   * cannot tell or cannot be peeked now (closed, ejected): a checker must then peek. For checkers only.
   */
  peekStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    const graph = lastGraphChange();
    const end = Math.ceil((offset + bytes) / CHUNK_SIZE) - base;
    for (let k = Math.floor(offset / CHUNK_SIZE) - base; k < end; k++) if (graph > into[k]!) into[k] = graph;
    this.raiseStamps(offset, bytes, into, base);
  }

  /** peekStamps without the graph's tick (which the outermost call adds once): this node's and those below it. */
  raiseStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    if (this.open && !this.ejected) return this.doPeekStamps(offset, bytes, into, base);
    const end = Math.ceil((offset + bytes) / CHUNK_SIZE) - base;
    for (let k = Math.floor(offset / CHUNK_SIZE) - base; k < end; k++) into[k] = Infinity;
  }

  /** A filter that peeks its file as BlockNode's doPeek does reads what its file reads; other nodes cannot tell. */
  protected doPeekStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    const below = this.doPeek === BlockNode.prototype.doPeek && this.isFilter ? this.file : null;
    if (below) return below.raiseStamps(offset, bytes, into, base);
    const end = Math.ceil((offset + bytes) / CHUNK_SIZE) - base;
    for (let k = Math.floor(offset / CHUNK_SIZE) - base; k < end; k++) into[k] = Infinity;
  }

  /** A filter that peeks its file as BlockNode's doPeek does passes the visit down; any other node copies once. */
  protected doPeekRuns(offset: number, bytes: number, sink: PeekSink): void {
    if (this.doPeek === BlockNode.prototype.doPeek) {
      const below = this.isFilter ? this.file : null;
      if (!below) throw new PeekUnavailable(`${this.name} (${this.driver}) cannot be peeked`);
      return below.peekRuns(offset, bytes, sink);
    }
    const out = new Uint8Array(bytes);
    this.doPeek(offset, out);
    sink.bytes(offset, out, 0, bytes);
  }

  /** Fill `out` with [offset, offset + out.length). */
  protected doPeek(offset: number, out: Uint8Array): void {
    const below = this.isFilter ? this.file : null;
    if (!below) throw new PeekUnavailable(`${this.name} (${this.driver}) cannot be peeked`);
    below.peek(offset, out.length, out);
  }

  // ---- driver hooks (requestId: the guest request served, to pass on to children and the trace) ----

  protected abstract doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array>;
  protected abstract doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void>;

  protected async doWriteZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    await this.doWrite(offset, new Uint8Array(bytes), requestId);
  }

  protected async doFlush(requestId?: number): Promise<void> {
    const file = this.file;
    if (file) await file.flush({ requestId });
  }

  protected async doBlockStatus(_offset: number, bytes: number): Promise<BlockStatus> {
    return { kind: 'data', bytes };
  }

  protected async doMakeEmpty(): Promise<void> {
    throw new BlockError('ENOTSUP', `${this.driver} does not support emptying nodes`);
  }

  /** Wait for this node's I/O latency on the simulated clock: every leaf I/O completes through the scheduler. */
  protected ioLatency(op: IoOp): Promise<void> {
    const extra = this.env.faults.latencyTicks(this.name, op);
    return this.env.sched.sleep(this.ioLabels[op], this.latencyTicks + extra);
  }

  protected trace(op: IoOp, offset: number, bytes: number, requestId?: number): void {
    if (this.env.trace.enabled) this.env.trace.emit('io', { node: this.name, op, offset, bytes, req: requestId });
  }

  /**
   * Run the before-write hooks in order. With none (most nodes) no promise is made: awaiting the
   * shared fulfilled ONE_TURN takes the one microtask turn that awaiting an async function that
   * returns at once took, so every schedule stays the same.
   */
  private runBeforeWrite(offset: number, bytes: number, op: WriteRequest['op'], req: TrackedRequest, requestId: number | undefined): Promise<void> {
    return this.beforeWrite.length === 0 ? ONE_TURN : this.runHooks(offset, bytes, op, req, requestId);
  }

  private async runHooks(offset: number, bytes: number, op: WriteRequest['op'], req: TrackedRequest, requestId: number | undefined): Promise<void> {
    for (const hook of this.beforeWrite) await hook({ node: this, offset, bytes, op, req, requestId });
  }

  /**
   * The whole sectors around an unaligned write, as bdrv_padding_rmw_read fills QEMU's bounce
   * buffer: one read of the whole buffer when the padded request is one sector, or two sectors with
   * both edges padded (merge_reads); otherwise the head sector, then the tail sector. The first read
   * that fails ends the reading, so what is left of the buffer (the failed read's sectors and any
   * not read after them) is undefined. A write-zeroes (`zeroes`) zeroes its own bytes in the buffer
   * only once every read succeeded (zero_middle), so after a failed read its guest bytes in those
   * sectors are the buffer's too: undefined where no read filled them, old bytes where one did.
   * Between the edge sectors the zeros always land (bdrv_co_do_zero_pwritev writes that part on its
   * own). QEMU's bdrv_co_pwritev_part ignores a failed padding read and writes the buffer anyway, so
   * the write goes on; QEMU's buffer then holds whatever memory it had, colosim's holds bytes from
   * the node's own seeded stream (never zeros, which could hide a bug that a checker then reads as
   * "unchanged").
   */
  private async padded(start: number, end: number, offset: number, data: Uint8Array, requestId: number | undefined, zeroes: boolean): Promise<Uint8Array> {
    const a = this.alignment;
    const out = allocBytes(end - start);
    const head = offset % a !== 0;
    const tail = (offset + data.length) % a !== 0;
    const merged = end - start === a || (head && tail && end - start === 2 * a);
    let failed: Errno | undefined;
    if (head || merged) failed = await this.readEdge(start, merged ? end - start : a, out, start, requestId);
    if (tail && !merged) {
      if (failed === undefined) failed = await this.readEdge(end - a, a, out, start, requestId);
      else this.leaveUndefined(end - a, a, out, start, failed, requestId);
    }
    if (!zeroes || failed === undefined) out.set(data, offset - start);
    else if (!merged) out.fill(0, head ? a : 0, tail ? end - start - a : end - start);
    return out;
  }

  /** Read `bytes` at `edge` into the bounce buffer `out` (which starts at `start`); a failure leaves PRNG bytes and is returned. */
  private async readEdge(edge: number, bytes: number, out: Uint8Array, start: number, requestId: number | undefined): Promise<Errno | undefined> {
    try {
      out.set(await this.doRead(edge, bytes, requestId), edge - start);
      return undefined;
    } catch (error) {
      if (!(error instanceof BlockError)) throw error;
      this.leaveUndefined(edge, bytes, out, start, error.errno, requestId);
      return error.errno;
    }
  }

  /** Padding no read filled: PRNG bytes, and a pad-read-failed event with the errno that ended the reading. */
  private leaveUndefined(edge: number, bytes: number, out: Uint8Array, start: number, errno: Errno, requestId: number | undefined): void {
    this.fillUndefined(out.subarray(edge - start, edge - start + bytes));
    if (this.env.trace.enabled) this.env.trace.emit('pad-read-failed', { node: this.name, offset: edge, bytes, errno, req: requestId });
  }

  /** Bytes QEMU leaves undefined, from this node's own stream "undefined-bytes/<name>" (so no other draw shifts), four per 32-bit draw, low byte first. */
  private fillUndefined(out: Uint8Array): void {
    this.undefinedBytes ??= this.env.prng.derive(`undefined-bytes/${this.name}`);
    for (let i = 0; i < out.length; i += 4) {
      const word = this.undefinedBytes.int(0, 0xffffffff);
      // Stryker disable next-line LogicalOperator: with ||, bytes past the word's four repeat its low bytes and are overwritten by the next word's, or fall past the buffer's end (a no-op on a typed array)
      for (let b = 0; b < 4 && i + b < out.length; b++) out[i + b] = (word >>> (8 * b)) & 0xff;
    }
  }

  private runAfterWrite(offset: number, bytes: number, op: WriteRequest['op'], req: TrackedRequest, requestId: number | undefined): void {
    for (const hook of this.afterWrite) hook({ node: this, offset, bytes, op, req, requestId });
  }

  private faultPoint(op: IoOp, offset: number, bytes: number, requestId?: number): void {
    const errno = this.env.faults.ioError(this.name, op, offset, bytes, requestId);
    if (errno !== null) throw new BlockError(errno, `injected ${errno} on ${this.name} ${op}`);
  }

  private checkOpen(op: string): void {
    if (!this.open) throw new BlockError('ENOMEDIUM', `${op} on closed node ${this.name}`);
    if (this.ejected) throw new BlockError('ENOMEDIUM', `${op} on ejected node ${this.name}`);
  }

  private checkRequest(op: string, offset: number, bytes: number): void {
    this.checkOpen(op);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(bytes) || offset < 0 || bytes < 0 || offset + bytes > this.length) {
      throw new BlockError('EIO', `${op} [${offset}, +${bytes}) outside ${this.name} (${this.length} bytes)`);
    }
  }

  /** Where a request starting at `offset` starts once padded to the alignment (two numbers, not an object per request). */
  private padStart(offset: number): number {
    const a = this.alignment;
    return a === 1 ? offset : Math.floor(offset / a) * a;
  }

  /** Where a request ending at `end` ends once padded to the alignment. */
  private padEnd(end: number): number {
    const a = this.alignment;
    return a === 1 ? end : Math.ceil(end / a) * a;
  }
}
