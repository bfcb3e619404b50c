/*
 * What a campaign reports: how much ran (cases, steps, simulated and wall time), every invariant
 * with its check and violation counts, how many disk-steps the data model checked, every fault kind with how often it fired, the chart states
 * and transitions visited, and the counterexample if one was found. The summary hash covers only
 * what the seed decides (not wall time), so two runs of one seed print the same hash.
 */
import { type DataCheckCount, addDataCheck, emptyDataCheck } from '../check/DataCheckCount.js';
import { INVARIANT_NAMES, type InvariantName } from '../check/Invariant.js';
import { FAULT_KINDS, type FaultKind } from '../sim/FaultPlan.js';
import type { FuzzOptions } from './FuzzOptions.js';
import type { GrowthSample } from './Growth.js';
import { type GeneratorDistribution, emptyDistribution } from './GeneratorDistribution.js';

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
  counterexample?: { path: string; invariant: string; step: number; message: string; shrinkRuns: number; steps: number };
  summaryHash: string;
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
    summaryHash: '',
  };
}

/** A case's data-check counts added to the campaign's. */
export function recordDataCheck(summary: CampaignSummary, count: DataCheckCount): void {
  summary.dataCheck = addDataCheck(summary.dataCheck, count);
}
