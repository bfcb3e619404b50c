/*
 * What a campaign reports: how much ran (cases, steps, simulated and wall time), every invariant
 * with its check and violation counts, how many disk-steps the data model checked, every fault kind with how often it fired, the chart states
 * and transitions visited, and the counterexample if one was found. The summary hash covers only
 * what the seed decides (not wall time), so two runs of one seed print the same hash; it seals the
 * fold of per-case hashes (SummaryHash.ts), which is what lets `colosim merge` recompute it from shards.
 */
import { type DataCheckCount, addDataCheck, emptyDataCheck } from '../check/DataCheckCount.js';
import { INVARIANT_NAMES, type InvariantName } from '../check/Invariant.js';
import { FAULT_KINDS, type FaultKind } from '../sim/FaultPlan.js';
import type { FuzzOptions } from './FuzzOptions.js';
import type { GrowthSample } from './Growth.js';
import { type GeneratorDistribution, emptyDistribution } from './GeneratorDistribution.js';
import type { Shard } from './Shard.js';
import { type CaseHashFold, EMPTY_FOLD } from './SummaryHash.js';

export interface InvariantCount {
  checks: number;
  violations: number;
}

export interface CampaignSummary {
  readonly seed: number;
  readonly options: FuzzOptions;
  readonly runsRequested: number;
  cases: number;
  steps: number;
  simulatedTicks: number;
  wallMs: number;
  readonly invariants: Record<InvariantName, InvariantCount>;
  readonly faults: Record<FaultKind, number>;
  readonly states: Record<string, number>;
  readonly transitions: Record<string, number>;
  /** What the generator drew: steps, I/O sizes, faults, concurrency widths, disks, swarm features. */
  readonly generator: GeneratorDistribution;
  /** Disk-steps the data model checked, summed over the cases. */
  dataCheck: DataCheckCount;
  /** Samples of the campaign's growth (Growth.ts): cases, wall time, distinct states and transitions. */
  readonly growth: GrowthSample[];
  /** Cases run twice to compare trace hashes. */
  determinismChecks: number;
  interrupted: boolean;
  /** The lowest-index counterexample (the first of `counterexamples`). */
  counterexample?: CounterexampleRecord;
  /** Every distinct violation written (--keep-going N collects up to N), by case index. */
  counterexamples: CounterexampleRecord[];
  /** Cases whose worker thread died under them (each also counted as an engine-error violation). */
  workerDeaths: { case: number; caseSeed: number; error: string }[];
  /** The counterexamples of --corpus replayed before the cases, in file order. */
  corpus?: CorpusResult[];
  /** This run is shard `index` of `count` (case i runs iff i mod count = index - 1). */
  shard?: Shard;
  /** --time: the wall-clock budget; timeUp once it ended the campaign. */
  timeBudgetMs?: number;
  timeUp?: boolean;
  /** Distinct violations the campaign stops at (--keep-going; 1 by default). */
  keepGoing: number;
  /** The sum of the per-case hashes (SummaryHash.ts). */
  caseHashFold: CaseHashFold;
  summaryHash: string;
}

export interface CounterexampleRecord {
  path: string;
  case: number;
  caseSeed: number;
  /** What makes it distinct for --keep-going: the invariant and the kind of the first failing step. */
  distinctBy: string;
  invariant: string;
  step: number;
  message: string;
  shrinkRuns: number;
  steps: number;
}

/** A corpus counterexample replayed: still failing (with what), fixed, or no longer replayable (drifted). */
export interface CorpusResult {
  readonly path: string;
  readonly status: 'still failing' | 'fixed' | 'drifted';
  readonly invariants: readonly string[];
}

export function emptySummary(seed: number, options: FuzzOptions, runsRequested: number): CampaignSummary {
  const invariants = Object.fromEntries(INVARIANT_NAMES.map((n) => [n, { checks: 0, violations: 0 }])) as Record<InvariantName, InvariantCount>;
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return {
    seed,
    options,
    runsRequested,
    cases: 0,
    steps: 0,
    simulatedTicks: 0,
    wallMs: 0,
    invariants,
    faults,
    states: {},
    transitions: {},
    generator: emptyDistribution(),
    dataCheck: emptyDataCheck(),
    growth: [],
    determinismChecks: 0,
    interrupted: false,
    counterexamples: [],
    workerDeaths: [],
    keepGoing: 1,
    caseHashFold: EMPTY_FOLD,
    summaryHash: '',
  };
}

/** A case's data-check counts added to the campaign's. */
export function recordDataCheck(summary: CampaignSummary, count: DataCheckCount): void {
  summary.dataCheck = addDataCheck(summary.dataCheck, count);
}
