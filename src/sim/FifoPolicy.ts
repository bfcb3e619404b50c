/* The oldest ready entry runs first: the schedule of a sequential, unsurprising machine. */
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';

export class FifoPolicy implements SchedulePolicy {
  readonly name = 'fifo';
  readonly choosesAmongAll = false;
  choose(_ready: readonly ReadyEntry[]): number {
    return 0;
  }
}
