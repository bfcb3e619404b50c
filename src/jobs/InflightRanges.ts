/*
 * The 2016 backup job's list of in-flight copy-before-write requests (inflight_reqs): a request
 * waits until no overlapping one is in flight, then registers its own range. The v24 replication
 * read path registered itself here too, so a COW could not write the hidden disk mid-read.
 */
import type { Scheduler } from '../sim/Scheduler.js';
import { WaitQueue } from '../sim/WaitQueue.js';

export interface InflightRange {
  readonly start: number;
  readonly end: number;
  readonly done: WaitQueue;
}

export class InflightRanges {
  private readonly list = new Set<InflightRange>();

  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
  ) {}

  get size(): number {
    return this.list.size;
  }

  async waitOverlapping(start: number, end: number, who: string): Promise<void> {
    for (let blocker = this.overlapping(start, end); blocker; blocker = this.overlapping(start, end)) await blocker.done.wait(who);
  }

  begin(start: number, end: number): InflightRange {
    const range = { start, end, done: new WaitQueue(this.sched, `${this.name}[${start},${end})`) };
    this.list.add(range);
    return range;
  }

  end(range: InflightRange): void {
    this.list.delete(range);
    range.done.wakeAll();
  }

  /** The first in-flight range that overlaps [start, end), if any. */
  private overlapping(start: number, end: number): InflightRange | undefined {
    for (const r of this.list) if (r.start < end && start < r.end) return r;
    return undefined;
  }
}
