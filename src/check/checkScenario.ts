/*
 * Runs a scenario on the engine with a CaseChecker attached: the result document plus every
 * invariant checked and every violation (what `colosim run --check` and the property suites use).
 */
import type { Scenario } from '../scenario/Scenario.js';
import { type EngineRun, type EngineRunOptions, runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import { CaseChecker, type CaseCheckerOptions, type CheckResult } from './CaseChecker.js';

export interface CheckedRun extends CheckResult {
  readonly run: EngineRun;
}

export async function checkScenario(scenario: Scenario, options: EngineRunOptions = {}, checking: CaseCheckerOptions = {}): Promise<CheckedRun> {
  const checker = new CaseChecker(scenario, checking);
  const run = await runScenarioOnEngine(scenario, {
    ...options,
    observe: (env, pair) => {
      checker.attach(env, pair);
      options.observe?.(env, pair);
    },
    beforeStep: (index, step) => {
      checker.beginStep(index, step);
      options.beforeStep?.(index, step);
    },
    onStep: (index, step, result) => {
      checker.endStep(index, step, result);
      options.onStep?.(index, step, result);
    },
  });
  return { run, ...checker.finish() };
}
