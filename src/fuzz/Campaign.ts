/*
 * The fuzz campaign: generate case after case from the seed, run each on the engine under the
 * checker, count every check, and stop at the first violation, which is shrunk and written as a
 * replayable scenario file. An abort signal (Ctrl-C) ends the campaign after the current case with
 * everything counted so far. An exception escaping a case never ends the campaign: it is an
 * engine-error finding like any other, naming the case and its seed. Real time is measured here
 * only to report speed.
 */
import { type Violation, violation } from '../check/Invariant.js';
import { RunningHash } from '../sim/hash.js';
import { type CampaignSummary, emptySummary, recordDataCheck } from './CampaignSummary.js';
import { caseArbitrary, caseSeed, generateDrawnCase } from './caseScenario.js';
import { buildCounterexample, writeCounterexample } from './counterexample.js';
import type { FuzzOptions } from './FuzzOptions.js';
import { recordCase } from './GeneratorDistribution.js';
import { recordGrowth } from './Growth.js';
import { type CaseResult, caseWhere, runCaseSafely } from './runCase.js';
import { shrinkCase } from './shrinkCase.js';

export interface CampaignOptions {
  readonly seed: number;
  readonly runs: number;
  readonly fuzz: FuzzOptions;
  /** Where a counterexample is written. */
  readonly outDir: string;
  /** The command line, recorded in counterexamples. */
  readonly command: string;
  /** Every this many cases, run one twice and compare (1: every case). */
  readonly determinismEvery?: number;
  readonly signal?: AbortSignal;
  /** Called after every case (the CLI throttles what it prints). */
  readonly onCase?: (summary: CampaignSummary) => void;
  /** Wall-clock source for the speed figures (the CLI passes performance.now). */
  readonly now?: () => number;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const now = options.now ?? (() => 0);
  const started = now();
  const summary = emptySummary(options.seed, options.fuzz, options.runs);
  const hash = new RunningHash().addNumber(options.seed).addString(JSON.stringify(options.fuzz)).addNumber(options.runs);
  const every = options.determinismEvery ?? 10;
  for (let index = 0; index < options.runs; index++) {
    if (options.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    const seed = caseSeed(options.seed, index);
    const drawn = generateDrawnCase(options.fuzz, options.seed, index, seed);
    const scenario = drawn.scenario;
    recordCase(summary.generator, drawn);
    const where = caseWhere(index, seed);
    const result = await runCaseSafely(scenario, where);
    const violations = [...result.violations];
    if (index % every === 0) violations.push(...(await checkDeterminism(summary, scenario, result, index, where)));
    record(summary, result, violations);
    hash.addNumber(index).addString(result.traceHash).addNumber(violations.length);
    summary.wallMs = now() - started;
    recordGrowth(summary);
    options.onCase?.(summary);
    if (violations.length > 0) {
      await reportCounterexample(summary, options, { index, seed, arbitrary: caseArbitrary(options.fuzz, options.seed, index) }, violations[0]!);
      break;
    }
  }
  summary.wallMs = now() - started;
  recordGrowth(summary, true);
  summary.summaryHash = hash.addNumber(summary.cases).hex();
  return summary;
}

async function checkDeterminism(summary: CampaignSummary, scenario: Parameters<typeof runCaseSafely>[0], first: CaseResult, index: number, where: string): Promise<Violation[]> {
  summary.determinismChecks++;
  const second = await runCaseSafely(scenario, where);
  const same = second.traceHash === first.traceHash && JSON.stringify(second.document.steps) === JSON.stringify(first.document.steps);
  summary.invariants.determinism.checks++;
  if (same) return [];
  return [violation('determinism', 0, `case ${index}: trace hash ${first.traceHash} then ${second.traceHash}`)];
}

function record(summary: CampaignSummary, result: CaseResult, violations: readonly Violation[]): void {
  summary.cases++;
  summary.steps += result.steps;
  summary.simulatedTicks += result.ticks;
  for (const [name, n] of result.checks) summary.invariants[name].checks += n;
  for (const v of violations) summary.invariants[v.invariant].violations++;
  for (const [kind, n] of result.faultsFired) summary.faults[kind] += n;
  for (const [key, n] of result.coverage.states) summary.states[key] = (summary.states[key] ?? 0) + n;
  for (const [key, n] of result.coverage.transitions) summary.transitions[key] = (summary.transitions[key] ?? 0) + n;
  recordDataCheck(summary, result.dataCheck);
}

/** The failing case: its index in the campaign, its seed and the arbitrary it was drawn from (to shrink). */
interface FailingCase {
  readonly index: number;
  readonly seed: number;
  readonly arbitrary: ReturnType<typeof caseArbitrary>;
}

async function reportCounterexample(summary: CampaignSummary, options: CampaignOptions, { index, seed, arbitrary }: FailingCase, first: Violation): Promise<void> {
  const shrunk = await shrinkCase(arbitrary, seed, first.invariant);
  const found = await buildCounterexample({
    scenario: shrunk.scenario,
    campaignSeed: options.seed,
    index,
    caseSeed: seed,
    invariant: first.invariant,
    command: options.command,
  });
  const path = writeCounterexample(options.outDir, found.scenario);
  summary.counterexample = {
    path,
    invariant: found.violation.invariant,
    step: found.violation.step,
    message: found.violation.message,
    shrinkRuns: shrunk.runs,
    steps: found.scenario.steps.length,
  };
}
