/*
 * How a campaign grew: every GROWTH_EVERY cases (and at the end) a sample of the cases run, the wall
 * time so far and the distinct chart states and transitions visited, so the report can draw a
 * coverage-growth curve and the speed over time. The wall clock is the campaign driver's (its `now`);
 * samples never enter the summary hash.
 */
import type { CampaignSummary } from './CampaignSummary.js';

export const GROWTH_EVERY = 250;

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
  if (!final && summary.cases % GROWTH_EVERY !== 0) return;
  summary.growth.push({ cases: summary.cases, wallMs: Math.round(summary.wallMs), states: Object.keys(summary.states).length, transitions: Object.keys(summary.transitions).length });
}
