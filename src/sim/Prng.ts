/*
 * Seeded pseudo-random streams over pure-rand's xoroshiro128+. Every random choice in colosim flows
 * from one root seed; each subsystem derives its own stream from (root seed, name), so a new draw
 * in one subsystem never shifts the draws of another.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { hash32 } from './hash.js';

export class Prng {
  private constructor(
    readonly seed: number,
    readonly path: string,
    private readonly rng: JumpableRandomGenerator,
  ) {}

  static fromSeed(seed: number): Prng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    // Through hash32, as derived streams are: folding the two halves with xor made seed -n replay
    // seed n-1, and xoroshiro's first output is linear in its seed, so near seeds began alike.
    return new Prng(seed, '', xoroshiro128plus(hash32(`${seed}`)));
  }

  /** An independent stream named after a subsystem; the same (seed, name) always gives the same stream. */
  derive(name: string): Prng {
    const path = this.path === '' ? name : `${this.path}/${name}`;
    const derivedSeed = hash32(`${this.seed}:${path}`);
    return new Prng(this.seed, path, xoroshiro128plus(derivedSeed));
  }

  /** A copy that continues from the same state without disturbing this one. */
  clone(): Prng {
    return new Prng(this.seed, this.path, this.rng.clone() as JumpableRandomGenerator);
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`empty range [${min}, ${max}]`);
    return uniformInt(this.rng, min, max);
  }

  /** true with probability numerator/denominator. */
  chance(numerator: number, denominator: number): boolean {
    return this.int(0, denominator - 1) < numerator;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }
}
