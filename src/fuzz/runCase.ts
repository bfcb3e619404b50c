/*
 * One fuzz case: the scenario runs on the engine under the checker, held to QEMU 7.2's rules, every
 * step within a bound of simulated time. A run that aborts on a deadlock or a step that never ends
 * is a liveness violation at the step where it stopped; a run that aborts on an exception nothing
 * models (ENGINE_BUG) is an engine-error violation, checked once per case. An exception that still
 * escapes the run (a bug in the checker) becomes an engine-error case through caseThrew.
 */
import { checkScenario } from '../check/checkScenario.js';
import { type DataCheckCount, emptyDataCheck } from '../check/DataCheckCount.js';
import { type InvariantName, type Violation, violation } from '../check/Invariant.js';
import type { ChartCoverage } from '../check/NodeConformance.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
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
  checks.set('engine-error', (checks.get('engine-error') ?? 0) + 1);
  const abort = abortViolation(document.aborted);
  if (abort) violations.push(abort);
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

function abortViolation(aborted: ResultDocument['aborted']): Violation | undefined {
  if (!aborted) return undefined;
  const invariant: InvariantName = aborted.code === 'ENGINE_BUG' ? 'engine-error' : 'liveness';
  return violation(invariant, aborted.step, `${aborted.code}: ${aborted.message}`);
}

/** The trace hash of a case whose run threw: no trace exists, and no hex hash ever equals it. */
export const THREW_TRACE_HASH = 'threw';

/**
 * The result of a case whose run threw instead of returning (a bug outside the engine's classified
 * tasks): one engine-error violation naming where, with the stack in the aborted document. Nothing
 * else of the run is known, so nothing else is counted.
 */
export function caseThrew(scenario: Scenario, error: unknown, where: string): CaseResult {
  const message = `${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  const stack = error instanceof Error ? error.stack : undefined;
  const aborted = stack === undefined ? { step: 0, code: 'ENGINE_BUG', message } : { step: 0, code: 'ENGINE_BUG', message, stack };
  return {
    document: { scenario: scenario.name, backend: 'engine', steps: [], aborted, traceHash: THREW_TRACE_HASH },
    violations: [violation('engine-error', 0, `ENGINE_BUG: ${message}`)],
    checks: new Map([['engine-error', 1]]),
    traceHash: THREW_TRACE_HASH,
    steps: 0,
    ticks: 0,
    faultsFired: new Map(),
    choices: [],
    coverage: { states: new Map(), transitions: new Map() },
    dataCheck: emptyDataCheck(),
  };
}

/** How a finding names a campaign case: enough to regenerate it (caseSeed(campaignSeed, index) is its seed). */
export function caseWhere(index: number, caseSeed: number): string {
  return `case ${index} (case seed ${caseSeed})`;
}

/** runCase, with an exception that escapes it turned into an engine-error case (defence in depth). */
export async function runCaseSafely(scenario: Scenario, where: string, traceLevel: TraceLevel = 'hash'): Promise<CaseResult> {
  try {
    return await runCase(scenario, traceLevel);
  } catch (error) {
    return caseThrew(scenario, error, where);
  }
}

/**
 * The run of runCase without its checker, as far as a determinism rerun compares it: the step
 * results and the trace hash (THREW_TRACE_HASH if the run threw, as runCaseSafely says then).
 */
export async function rerunUnchecked(scenario: Scenario): Promise<{ readonly document: ResultDocument; readonly traceHash: string }> {
  try {
    const { document } = await runScenarioOnEngine(scenario, { traceLevel: 'hash', stepBoundTicks: STEP_BOUND_TICKS });
    return { document, traceHash: document.traceHash ?? '' };
  } catch {
    return { document: { scenario: scenario.name, backend: 'engine', steps: [] }, traceHash: THREW_TRACE_HASH };
  }
}
