/*
 * Wall-clock timing for benchmarks only (the simulation itself never reads real time): run a body
 * repeatedly until a minimum duration has passed and report the rate, after a warm-up that lets
 * the JIT settle.
 */

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** This process's CPU time so far (every thread's, the collector's included), for cpuSecondsSince. */
export function cpuNow(): NodeJS.CpuUsage {
  return process.cpuUsage();
}

/** CPU seconds (user + system) this process used since `start` (from cpuNow). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * Call `pass` (which does `unitsPerPass` units of work) until `minSeconds` have passed, after
 * `warmupPasses` untimed calls; returns units per second.
 */
export function rate(pass: () => void, unitsPerPass: number, minSeconds: number, warmupPasses = 2): number {
  for (let i = 0; i < warmupPasses; i++) pass();
  const start = nowNs();
  let passes = 0;
  let elapsed = 0;
  do {
    pass();
    passes++;
    elapsed = secondsSince(start);
  } while (elapsed < minSeconds);
  return (passes * unitsPerPass) / elapsed;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Variant {
  readonly name: string;
  /** One pass of work of `units` units. */
  readonly pass: () => void;
  readonly units: number;
}

/**
 * Rates of several variants measured in alternating short slices, median per variant. On a busy
 * machine the load drifts; interleaving exposes every variant to the same drift, so their ratios
 * hold even when absolute figures move.
 */
export function interleavedRates(variants: readonly Variant[], rounds: number, sliceSeconds: number): Map<string, number> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (const v of variants) rate(v.pass, v.units, sliceSeconds / 4);
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) samples.get(v.name)!.push(rate(v.pass, v.units, sliceSeconds, 0));
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}
