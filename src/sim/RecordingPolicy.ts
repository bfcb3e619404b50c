/* Wraps any policy and records its decisions, so any run can be replayed with ReplayPolicy. */
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';

export class RecordingPolicy implements SchedulePolicy {
  readonly choices: number[] = [];
  constructor(private readonly inner: SchedulePolicy) {}
  get name(): string {
    return this.inner.name;
  }
  get choosesAmongAll(): boolean {
    return this.inner.choosesAmongAll;
  }
  choose(ready: readonly ReadyEntry[]): number {
    const choice = this.inner.choose(ready);
    this.choices.push(choice);
    return choice;
  }
}
