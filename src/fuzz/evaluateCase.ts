/*
 * One campaign case from its task to what the campaign counts: generate case `index` of the
 * campaign seed, run it under the checker, rerun it to compare when its index is a multiple of the
 * determinism period, and return everything as plain data (Maps and records, no functions), so the
 * same outcome comes back from the main thread or from a worker thread and is merged in index order.
 */
import { type DataCheckCount, emptyDataCheck } from '../check/DataCheckCount.js';
import { type InvariantName, type Violation, violation } from '../check/Invariant.js';
import type { ChartCoverage } from '../check/NodeConformance.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { FaultKind } from '../sim/FaultPlan.js';
import { generateDrawnCase } from './caseScenario.js';
import type { FuzzOptions } from './FuzzOptions.js';
import { type CaseTally, emptyTally, tallyCase } from './GeneratorDistribution.js';
import { type CaseResult, THREW_TRACE_HASH, caseWhere, rerunUnchecked, runCaseSafely } from './runCase.js';

/** One case of one campaign. */
export interface CaseTask {
  readonly fuzz: FuzzOptions;
  readonly campaignSeed: number;
  readonly index: number;
  readonly seed: number;
  /** Run the case twice and compare when index % determinismEvery is 0. */
  readonly determinismEvery: number;
}

/** A case of a batch: its index in the campaign and its seed (caseSeed(campaignSeed, index)). */
export interface CaseRef {
  readonly index: number;
  readonly seed: number;
}

/**
 * What a runner is asked: some consecutive cases of the campaign's order (of its shard), run one
 * after another and answered together, so a worker thread pays one round trip to the main thread
 * per batch instead of one per case.
 */
export interface CaseBatch {
  readonly fuzz: FuzzOptions;
  readonly campaignSeed: number;
  readonly determinismEvery: number;
  readonly cases: readonly CaseRef[];
}

/** Case `ref` of a batch as a task of its own. */
export function batchTask(batch: CaseBatch, ref: CaseRef): CaseTask {
  return { fuzz: batch.fuzz, campaignSeed: batch.campaignSeed, index: ref.index, seed: ref.seed, determinismEvery: batch.determinismEvery };
}

export interface CaseOutcome {
  readonly index: number;
  readonly seed: number;
  readonly traceHash: string;
  /** The run's violations, then a determinism one if the rerun differed. */
  readonly violations: readonly Violation[];
  readonly determinismChecked: boolean;
  readonly steps: number;
  readonly ticks: number;
  readonly checks: ReadonlyMap<InvariantName, number>;
  readonly faultsFired: ReadonlyMap<FaultKind, number>;
  readonly coverage: ChartCoverage;
  readonly dataCheck: DataCheckCount;
  /** What the generator drew for this case alone. */
  readonly generator: CaseTally;
  /** The kind (`do`) of the step the first violation is at ("end" past the last step). */
  readonly firstFailingStep?: string;
  /** The thread that ran it (0: the main thread), for the progress display only. */
  readonly worker: number;
}

export async function evaluateCase(task: CaseTask, worker = 0): Promise<CaseOutcome> {
  const drawn = generateDrawnCase(task.fuzz, task.campaignSeed, task.index, task.seed);
  const generator = tallyCase(drawn);
  const where = caseWhere(task.index, task.seed);
  const result = await runCaseSafely(drawn.scenario, where);
  const violations = [...result.violations];
  const determinismChecked = task.index % task.determinismEvery === 0;
  if (determinismChecked) violations.push(...(await rerunDiffers(drawn.scenario, result, task.index, where)));
  const first = violations[0];
  return {
    index: task.index,
    seed: task.seed,
    traceHash: result.traceHash,
    violations,
    determinismChecked,
    steps: result.steps,
    ticks: result.ticks,
    checks: result.checks,
    faultsFired: result.faultsFired,
    coverage: result.coverage,
    dataCheck: result.dataCheck,
    generator,
    ...(first === undefined ? {} : { firstFailingStep: drawn.scenario.steps[first.step]?.do ?? 'end' }),
    worker,
  };
}

/** A batch's cases one after another, their outcomes in the batch's order. */
export async function evaluateBatch(batch: CaseBatch, worker = 0): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const ref of batch.cases) outcomes.push(await evaluateCase(batchTask(batch, ref), worker));
  return outcomes;
}

/**
 * The rerun is compared by its trace hash and step results alone, and the checker only listens to
 * the engine (it peeks, never reads through the simulation), so the rerun runs without it: the
 * checker's verdict on a rerun was thrown away, and it cost as much as the engine. Were the checker
 * to disturb the engine after all, the two runs would differ and this would say so. A first run that
 * threw (in the checker, caseThrew) is rerun as it was, so that both throw alike.
 */
async function rerunDiffers(scenario: Scenario, first: CaseResult, index: number, where: string): Promise<Violation[]> {
  const second = first.traceHash === THREW_TRACE_HASH ? await runCaseSafely(scenario, where) : await rerunUnchecked(scenario);
  const same = second.traceHash === first.traceHash && JSON.stringify(second.document.steps) === JSON.stringify(first.document.steps);
  return same ? [] : [violation('determinism', 0, `case ${index}: trace hash ${first.traceHash} then ${second.traceHash}`)];
}

/**
 * The outcome standing for a case whose worker died under it (a crash, running out of memory):
 * an engine-error finding naming the case, its seed and the error. Nothing else of the case is known.
 */
export function workerDiedOutcome(task: CaseTask, error: unknown): CaseOutcome {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    index: task.index,
    seed: task.seed,
    traceHash: 'worker-died',
    violations: [violation('engine-error', 0, `ENGINE_BUG: ${caseWhere(task.index, task.seed)}: the worker thread died: ${text.split('\n')[0]}`)],
    determinismChecked: false,
    steps: 0,
    ticks: 0,
    checks: new Map([['engine-error', 1]]),
    faultsFired: new Map(),
    coverage: { states: new Map(), transitions: new Map() },
    dataCheck: emptyDataCheck(),
    generator: emptyTally(),
    firstFailingStep: 'worker-died',
    worker: -1,
  };
}
