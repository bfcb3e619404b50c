/*
 * The simulated clock: a counter of ticks that only the scheduler advances, and only forwards.
 * Ticks are nanoseconds held in a double, exact up to 2^53 ns (about 104 days of simulated time).
 */
import type { Clock } from './Clock.js';

export class SimClock implements Clock {
  private ticks = 0;

  now(): number {
    return this.ticks;
  }

  /** Move time forward to `ticks`; moving backwards is a bug in the scheduler. */
  advanceTo(ticks: number): void {
    if (ticks < this.ticks) throw new Error(`simulated time cannot go back from ${this.ticks} to ${ticks}`);
    this.ticks = ticks;
  }
}
