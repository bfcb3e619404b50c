/*
 * In-flight requests of one node, as QEMU's block layer tracks them. A request marked serialising
 * (a read-modify-write, or block-copy's write into a fleecing target) waits for every overlapping
 * request already in flight, and every request waits for overlapping serialising ones; a request
 * never waits for one that already waits for it, which is how QEMU avoids deadlock here.
 * Waiting happens once, before the request touches data, as in bdrv_wait_serialising_requests.
 */
import type { Scheduler } from '../sim/Scheduler.js';
import { ONE_TURN } from '../sim/oneTurn.js';
import { WaitQueue } from '../sim/WaitQueue.js';


export class TrackedRequest {
  // Declared and set in the constructor, not initialised as class fields: one is made per request,
  // and class fields are defined one by one (DefineOwnProperty), which showed in the I/O profile.
  declare readonly nodeName: string;
  declare readonly op: string;
  declare readonly offset: number;
  declare readonly bytes: number;
  declare serialising: boolean;
  declare overlapOffset: number;
  declare overlapBytes: number;
  declare waitingFor: TrackedRequest | null;
  private declare doneQueue: WaitQueue | null;
  /**
   * Neighbours in the node's list of requests in flight, oldest first, and whether the request is
   * in it: the list lives in the requests themselves, so beginning and ending one allocates nothing
   * (a Set's entries and rehashing showed in the I/O profile).
   */
  declare prev: TrackedRequest | null;
  declare next: TrackedRequest | null;
  declare inFlight: boolean;

  constructor(nodeName: string, op: string, offset: number, bytes: number) {
    this.nodeName = nodeName;
    this.op = op;
    this.offset = offset;
    this.bytes = bytes;
    this.serialising = false;
    this.overlapOffset = offset;
    this.overlapBytes = bytes;
    this.waitingFor = null;
    this.doneQueue = null;
    this.prev = null;
    this.next = null;
    this.inFlight = false;
  }

  overlaps(other: TrackedRequest): boolean {
    return this.overlapOffset < other.overlapOffset + other.overlapBytes && other.overlapOffset < this.overlapOffset + this.overlapBytes;
  }

  /** Built only when needed (waits and reports): string building per request is costly. */
  get label(): string {
    return `${this.nodeName}:${this.op}[${this.offset},+${this.bytes}]`;
  }

  done(sched: Scheduler): WaitQueue {
    this.doneQueue ??= new WaitQueue(sched, this.label);
    return this.doneQueue;
  }

  /** Wake whoever waits for this request. */
  finish(): void {
    this.doneQueue?.wakeAll();
  }
}

export class TrackedRequests {
  /** The requests in flight, oldest first (the order a Set of them iterated in). */
  private first: TrackedRequest | null = null;
  private last: TrackedRequest | null = null;
  private count = 0;
  /** Serialising requests in flight; while zero, ordinary requests need not look for conflicts. */
  private serialisingCount = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly nodeName: string,
  ) {}

  get size(): number {
    return this.count;
  }

  begin(op: string, offset: number, bytes: number): TrackedRequest {
    const req = new TrackedRequest(this.nodeName, op, offset, bytes);
    req.prev = this.last;
    if (this.last === null) this.first = req;
    else this.last.next = req;
    this.last = req;
    req.inFlight = true;
    this.count++;
    return req;
  }

  /** Widen the request's overlap to `align` and make it serialising. */
  makeSerialising(req: TrackedRequest, align: number): void {
    // Stryker disable next-line UpdateOperator: the count only lets findConflict skip its scan while it is 0, and counted down it is never 0 with a serialising request in flight; the scan itself is exact
    if (!req.serialising) this.serialisingCount++;
    req.serialising = true;
    const start = Math.floor(req.offset / align) * align;
    const end = Math.max(req.overlapOffset + req.overlapBytes, Math.ceil((req.offset + req.bytes) / align) * align);
    // The old end is read before the offset moves (bdrv_make_request_serialising's order).
    req.overlapOffset = Math.min(req.overlapOffset, start);
    req.overlapBytes = end - req.overlapOffset;
  }

  /**
   * Wait until no conflicting request is in flight. Without a conflict there is nothing to wait
   * for and no promise is made: awaiting the shared fulfilled ONE_TURN takes the one microtask turn
   * that awaiting an async function that returns at once took, so every schedule stays the same.
   */
  waitConflicts(req: TrackedRequest): Promise<void> {
    const conflict = this.findConflict(req);
    return conflict === undefined ? ONE_TURN : this.waitFor(req, conflict);
  }

  private async waitFor(req: TrackedRequest, first: TrackedRequest): Promise<void> {
    for (let conflict: TrackedRequest | undefined = first; conflict !== undefined; conflict = this.findConflict(req)) {
      req.waitingFor = conflict;
      await conflict.done(this.sched).wait(req.label);
      req.waitingFor = null;
    }
  }

  end(req: TrackedRequest): void {
    this.unlink(req);
    // Stryker disable next-line UpdateOperator: counted up instead, the count never returns to 0, so findConflict only scans more, and its scan is exact
    if (req.serialising) this.serialisingCount--;
    req.finish();
  }

  /** Take `req` out of the list (once: a second end of the same request changes nothing, as Set.delete did). */
  private unlink(req: TrackedRequest): void {
    if (!req.inFlight) return;
    req.inFlight = false;
    if (req.prev === null) this.first = req.next;
    else req.prev.next = req.next;
    if (req.next === null) this.last = req.prev;
    else req.next.prev = req.prev;
    req.prev = null;
    req.next = null;
    this.count--;
  }

  private findConflict(req: TrackedRequest): TrackedRequest | undefined {
    // Stryker disable next-line LogicalOperator,BooleanLiteral: this early return only spares the exact scan below, which finds nothing in these cases either
    if (this.count <= 1 || (this.serialisingCount === 0 && !req.serialising)) return undefined;
    for (let other = this.first; other !== null; other = other.next) {
      if (other === req || (!other.serialising && !req.serialising)) continue;
      if (!req.overlaps(other)) continue;
      // A request that is itself waiting will wait for us when it wakes (or already does):
      // QEMU goes on instead of risking a deadlock, and so do we.
      if (other.waitingFor !== null) continue;
      return other;
    }
    return undefined;
  }
}
