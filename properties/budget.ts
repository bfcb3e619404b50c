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
