/*
 * A shard of a campaign, vitest's and Playwright's convention: shard k of n runs the case indices
 * i with i mod n = k - 1, so n machines split one campaign and `colosim merge` adds them back up.
 */

export interface Shard {
  /** 1 to count. */
  readonly index: number;
  readonly count: number;
}

/** The shard "k/n" names, or undefined unless 1 <= k <= n. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && index <= count ? { index, count } : undefined;
}

/** The case indices below `runs` a shard runs (all of them without one), ascending. */
export function* shardIndices(runs: number, shard?: Shard): Generator<number> {
  const step = shard?.count ?? 1;
  for (let i = shard === undefined ? 0 : shard.index - 1; i < runs; i += step) yield i;
}
