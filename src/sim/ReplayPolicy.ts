/*
 * An externally supplied order: the nth decision takes choices[n] (an index into the ready list).
 * Recorded schedules and fast-check's generated ones both come through here. Past the end of the
 * list it falls back to FIFO (index 0), which is also what shrinking a list of choices tends to.
 * A choice that no longer fits the ready list means the run has drifted from the recording.
 */
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';

export class ScheduleDriftError extends Error {
  readonly code = 'SCHEDULE_DRIFT';
}

export class ReplayPolicy implements SchedulePolicy {
  readonly name = 'replay';
  readonly choosesAmongAll = true;
  private next = 0;

  constructor(
    private readonly choices: readonly number[],
    private readonly strict = true,
  ) {}

  choose(ready: readonly ReadyEntry[]): number {
    const decision = this.next++;
    if (decision >= this.choices.length) return 0;
    const choice = this.choices[decision]!;
    if (choice < ready.length) return choice;
    if (!this.strict) return choice % ready.length;
    throw new ScheduleDriftError(
      `schedule drift at decision ${decision}: recorded choice ${choice} but only ${ready.length} entries are ready (${ready.map((e) => e.label).join(', ')})`,
    );
  }

  /** How many decisions were made so far. */
  get decisions(): number {
    return this.next;
  }
}
