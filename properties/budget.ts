/*
 * How many cases the property suites run. CI keeps a few hundred per suite; COLOSIM_RUNS raises (or
 * lowers) every suite at once, e.g. COLOSIM_RUNS=5000 npm test for a deeper search.
 */

export function runs(base: number): number {
  const override = Number(process.env.COLOSIM_RUNS);
  return Number.isSafeInteger(override) && override > 0 ? override : base;
}

/** One fixed seed per suite, so a CI failure reproduces; COLOSIM_SEED explores others. */
export function seed(base: number): number {
  const override = Number(process.env.COLOSIM_SEED);
  return Number.isSafeInteger(override) ? override : base;
}

/**
 * The block-layer suites (blockChain, determinism) scale instead: COLOSIM_PROPERTY_SCALE=10 runs ten
 * times as many cases (a deeper hunt than the default suite), with a timeout that grows with it.
 */
const SCALE = Number(process.env['COLOSIM_PROPERTY_SCALE'] ?? 1);

export function scaledRuns(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

export const SCALED_TIMEOUT_MS = 30_000 * Math.max(1, SCALE);
