/*
 * The post-pass after fast-check's shrink: greedy, deterministic reduction of a failing scenario.
 * Each pass proposes smaller scenarios (reductionPasses.ts); the first that still violates the same
 * invariant is kept and the pass starts again on it; rounds repeat until a whole round keeps
 * nothing. The cost is bounded in candidate runs, not time, so every machine ends on the same file.
 */
import { parseScenario } from '../scenario/parseScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { REDUCTION_PASSES } from './reductionPasses.js';
import { runCase } from './runCase.js';

export interface ReduceResult {
  readonly scenario: Scenario;
  /** Candidate runs spent. */
  readonly runs: number;
}

interface Reducer {
  current: Scenario;
  violationStep: number;
  runs: number;
  readonly maxRuns: number;
  readonly invariant: string;
  readonly tried: Set<string>;
}

const MAX_ROUNDS = 6;

export async function reduceScenario(scenario: Scenario, invariant: string, maxRuns = 400): Promise<ReduceResult> {
  const first = await violationStepOf(scenario, invariant);
  const state: Reducer = { current: scenario, violationStep: first ?? -1, runs: 1, maxRuns, invariant, tried: new Set([JSON.stringify(scenario)]) };
  if (first === undefined) return { scenario, runs: state.runs };
  for (let round = 0; round < MAX_ROUNDS && state.runs < maxRuns; round++) {
    let kept = false;
    for (const pass of REDUCTION_PASSES) kept = (await runPass(state, pass)) || kept;
    if (!kept) break;
  }
  return { scenario: state.current, runs: state.runs };
}

/** Apply one pass until none of its candidates fails any more; true if one was kept. */
async function runPass(state: Reducer, pass: (typeof REDUCTION_PASSES)[number]): Promise<boolean> {
  let kept = false;
  for (let again = true; again && state.runs < state.maxRuns; ) {
    again = false;
    for (const candidate of pass(state.current, state.violationStep)) {
      if (state.runs >= state.maxRuns) break;
      const key = JSON.stringify(candidate);
      if (state.tried.has(key) || !isValid(candidate)) continue;
      state.tried.add(key);
      state.runs++;
      const step = await violationStepOf(candidate, state.invariant);
      if (step === undefined) continue;
      state.current = candidate;
      state.violationStep = step;
      kept = again = true;
      break;
    }
  }
  return kept;
}

/** A candidate must still be a scenario file that parses (a reduction may break a field's rule). */
function isValid(candidate: Scenario): boolean {
  try {
    parseScenario(JSON.parse(JSON.stringify(candidate)));
    return true;
  } catch {
    return false;
  }
}

/** The step at which the candidate violates the invariant, or undefined if it does not. */
async function violationStepOf(candidate: Scenario, invariant: string): Promise<number | undefined> {
  let result: Awaited<ReturnType<typeof runCase>>;
  try {
    result = await runCase(candidate);
  } catch {
    // A candidate that crashes the engine shows a different failure, not this one.
    return undefined;
  }
  return result.violations.find((v) => v.invariant === invariant)?.step;
}
