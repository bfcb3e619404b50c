/*
 * Shrinking a failing case with fast-check: regenerate it from its seed and let fast-check shorten
 * the steps, drop faults and pull the schedule towards FIFO, keeping only candidates that still
 * violate the same invariant (an exception escaping a candidate counts as engine-error), then run our own reduction passes on the result (reduceScenario.ts),
 * since fast-check keeps steps the failure does not need (fast-check #254) and never turns a
 * concurrent group into sequential steps. The number of candidate runs is bounded (not the time),
 * so the result is the same on every machine.
 */
import fc from 'fast-check';
import type { Scenario } from '../scenario/Scenario.js';
import { reduceScenario } from './reduceScenario.js';
import { runCaseSafely } from './runCase.js';

export interface ShrinkResult {
  readonly scenario: Scenario;
  /** Candidate runs spent. */
  readonly runs: number;
}

export async function shrinkCase(arbitrary: fc.Arbitrary<Scenario>, seed: number, invariant: string, maxRuns = 400, maxReduceRuns = 400): Promise<ShrinkResult> {
  let runs = 0;
  const property = fc.asyncProperty(arbitrary, async (scenario) => {
    // Past the budget every candidate "passes", so the shrinker keeps the smallest failure it has.
    if (++runs > maxRuns) return true;
    const result = await runCaseSafely(scenario, 'a shrinking candidate');
    return !result.violations.some((v) => v.invariant === invariant);
  });
  const details = await fc.check(property, { seed, numRuns: 1 });
  if (!details.failed || !details.counterexample) throw new Error(`shrinking: the case of seed ${seed} no longer violates ${invariant}`);
  const reduced = await reduceScenario(details.counterexample[0], invariant, maxReduceRuns);
  return { scenario: reduced.scenario, runs: Math.min(runs, maxRuns) + reduced.runs };
}
