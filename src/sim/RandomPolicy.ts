/* A seeded uniform choice among the ready entries: different seeds, different interleavings. */
import type { Prng } from './Prng.js';
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';

export class RandomPolicy implements SchedulePolicy {
  readonly name = 'random';
  readonly choosesAmongAll = true;
  constructor(private readonly prng: Prng) {}
  choose(ready: readonly ReadyEntry[]): number {
    return this.prng.int(0, ready.length - 1);
  }
}
