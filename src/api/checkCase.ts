/*
 * checkCase: the campaign's verdict on one scenario, for a user's own property. The scenario runs
 * on the engine under the checker held to QEMU 7.2's rules, every step within the campaign's bound
 * of simulated time (a hang is a liveness violation, an exception nothing models an engine-error
 * one), exactly as `colosim fuzz` and `colosim replay` judge a case. assertCase throws instead,
 * with the violations and the scenario file that replays them, which is what fast-check reports.
 */
import type { DataCheckCount } from '../check/DataCheckCount.js';
import type { InvariantName, Violation } from '../check/Invariant.js';
import { runCaseSafely } from '../fuzz/runCase.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import { formatScenario } from './scenarios.js';

export interface CaseVerdict {
  /** No invariant was violated. */
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly checks: Readonly<Partial<Record<InvariantName, number>>>;
  /** The hash of the whole trace: two runs of one scenario give the same. */
  readonly traceHash: string;
  readonly document: ResultDocument;
  readonly dataCheck: DataCheckCount;
}

export async function checkCase(scenario: Scenario): Promise<CaseVerdict> {
  const result = await runCaseSafely(scenario, scenario.name);
  return {
    ok: result.violations.length === 0,
    violations: result.violations,
    checks: Object.fromEntries([...result.checks].sort(([a], [b]) => a.localeCompare(b))),
    traceHash: result.traceHash,
    document: result.document,
    dataCheck: result.dataCheck,
  };
}

/** A case that violated an invariant: the message lists the violations and the scenario file. */
export class CaseViolation extends Error {
  readonly code = 'CASE_VIOLATION';
  constructor(readonly verdict: CaseVerdict, readonly scenario: Scenario) {
    const lines = verdict.violations.slice(0, 5).map((v) => `  ${v.invariant} (${v.kind}) at step ${v.step}: ${v.message}`);
    super(`${verdict.violations.length} violation(s):\n${lines.join('\n')}\nscenario file (npx colosim replay FILE):\n${formatScenario(scenario)}`);
    this.name = 'CaseViolation';
  }
}

/** checkCase that throws a CaseViolation unless the case holds; resolves to true (a fast-check property). */
export async function assertCase(scenario: Scenario): Promise<true> {
  const verdict = await checkCase(scenario);
  if (!verdict.ok) throw new CaseViolation(verdict, scenario);
  return true;
}
