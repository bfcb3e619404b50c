/*
 * One fuzz case: the scenario runs on the engine under the checker, held to QEMU 7.2's rules, every
 * step within a bound of simulated time. A run that aborts (a deadlock, a step that never ends) is
 * a liveness violation at the step where it stopped.
 */
import { checkScenario } from '../check/checkScenario.js';
import type { DataCheckCount } from '../check/DataCheckCount.js';
import { type InvariantName, type Violation, violation } from '../check/Invariant.js';
import type { ChartCoverage } from '../check/NodeConformance.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import type { FaultKind } from '../sim/FaultPlan.js';
import type { TraceLevel } from '../sim/Trace.js';

/** Simulated time one step may take: ten seconds, far beyond any healthy step here. */
export const STEP_BOUND_TICKS = 10_000_000_000;

export interface CaseResult {
  readonly document: ResultDocument;
  readonly violations: readonly Violation[];
  readonly checks: ReadonlyMap<InvariantName, number>;
  readonly traceHash: string;
  readonly steps: number;
  readonly ticks: number;
  readonly faultsFired: ReadonlyMap<FaultKind, number>;
  /** The scheduling decisions actually taken: replaying them reproduces the run exactly. */
  readonly choices: readonly number[];
  readonly coverage: ChartCoverage;
  readonly dataCheck: DataCheckCount;
}

export async function runCase(scenario: Scenario, traceLevel: TraceLevel = 'hash'): Promise<CaseResult> {
  const checked = await checkScenario(scenario, { traceLevel, stepBoundTicks: STEP_BOUND_TICKS }, { spec: 'qemu-7.2' });
  const { document, env } = checked.run;
  const violations = [...checked.violations];
  const checks = new Map(checked.checks);
  checks.set('liveness', (checks.get('liveness') ?? 0) + 1);
  if (document.aborted) violations.push(violation('liveness', document.aborted.step, `${document.aborted.code}: ${document.aborted.message}`));
  return {
    document,
    violations,
    checks,
    traceHash: document.traceHash ?? '',
    steps: document.steps.length,
    ticks: env.now(),
    faultsFired: env.faults.firedCounts(),
    choices: [...env.recording.choices],
    coverage: checked.coverage,
    dataCheck: checked.dataCheck,
  };
}
