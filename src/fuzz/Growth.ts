/*
 * How a campaign grew: every GROWTH_EVERY cases (and at the end) a sample of the cases run, the wall
 * time so far and the distinct chart states and transitions visited, so the report can draw a
 * coverage-growth curve and the speed over time. The wall clock is the campaign driver's (its `now`);
 * samples never enter the summary hash. A long campaign (`--time 2h`) keeps at most
 * MAX_GROWTH_SAMPLES: when they are full, every other one goes and the interval doubles, so run.json
 * stays small and the samples stay evenly spaced.
 */
import type { CampaignSummary } from './CampaignSummary.js';

export const GROWTH_EVERY = 250;
export const MAX_GROWTH_SAMPLES = 1024;

export interface GrowthSample {
  readonly cases: number;
  readonly wallMs: number;
  /** Distinct states and transitions of all charts visited so far. */
  readonly states: number;
  readonly transitions: number;
}

/** Add a sample after a case when the count is due, or when `final` (the campaign ended). */
export function recordGrowth(summary: CampaignSummary, final = false): void {
  const last = summary.growth.at(-1);
  if (last?.cases === summary.cases) return;
  const every = growthInterval(summary.growth);
  if (!final && summary.cases % every !== 0) return;
  summary.growth.push({ cases: summary.cases, wallMs: Math.round(summary.wallMs), states: Object.keys(summary.states).length, transitions: Object.keys(summary.transitions).length });
  if (!final && summary.growth.length >= MAX_GROWTH_SAMPLES) {
    const kept = summary.growth.filter((g) => g.cases % (2 * every) === 0);
    summary.growth.splice(0, summary.growth.length, ...kept);
  }
}

/** The cases between samples: GROWTH_EVERY, doubled at each thinning (the first sample sits at one interval). */
function growthInterval(growth: readonly GrowthSample[]): number {
  const first = growth[0]?.cases ?? GROWTH_EVERY;
  return first % GROWTH_EVERY === 0 ? Math.max(GROWTH_EVERY, first) : GROWTH_EVERY;
}
