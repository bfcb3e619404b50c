/*
 * The property the suites state about a generated case: it runs on the engine under the checker
 * with no violation. A failure throws with the violations and the scenario file that replays it
 * (fast-check then shrinks the case and reports the smallest one).
 */
import type { Scenario } from '../src/scenario/Scenario.js';
import { runCase } from '../src/fuzz/runCase.js';

export async function expectNoViolation(scenario: Scenario): Promise<true> {
  const result = await runCase(scenario);
  if (result.violations.length === 0) return true;
  const lines = result.violations.slice(0, 5).map((v) => `  ${v.invariant} (${v.kind}) at step ${v.step}: ${v.message}`);
  throw new Error(`${result.violations.length} violation(s):\n${lines.join('\n')}\nscenario:\n${JSON.stringify(scenario)}`);
}
