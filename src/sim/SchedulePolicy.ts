/*
 * How the scheduler picks the next ready task. A policy sees the ready entries in the order they
 * became ready (by sequence number) and returns an index. It is asked only when more than one
 * entry is ready, so a recorded schedule lists real decisions and nothing else.
 */

export interface ReadyEntry {
  /** Sequence number: the order in which entries became ready, unique within a run. */
  readonly seq: number;
  /** What wakes up, e.g. "io:hidden:write#12" or "task:svm-write#3". */
  readonly label: string;
}

export interface SchedulePolicy {
  readonly name: string;
  /**
   * Whether choices must be made among everything that can run. Then the scheduler lets each woken
   * continuation run until it waits again before the next choice (a macrotask turn per step), so
   * the choice also sees what that continuation just made ready. FIFO does not need it: the entry it
   * picks is the oldest either way.
   */
  readonly choosesAmongAll: boolean;
  /** Index into `ready` (length >= 2) of the entry to run next. */
  choose(ready: readonly ReadyEntry[]): number;
}
