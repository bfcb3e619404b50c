/*
 * Adding one case's outcome to the campaign's counts. The campaign calls it in case-index order
 * whatever thread ran the case, so every count, every map's key order and the hash fold come out
 * the same for any number of workers.
 */
import type { CampaignSummary } from './CampaignSummary.js';
import { recordDataCheck } from './CampaignSummary.js';
import type { CaseOutcome } from './evaluateCase.js';
import { addTally } from './GeneratorDistribution.js';
import { addToFold, caseHash } from './SummaryHash.js';

export function recordOutcome(summary: CampaignSummary, outcome: CaseOutcome): void {
  summary.cases++;
  summary.steps += outcome.steps;
  summary.simulatedTicks += outcome.ticks;
  if (outcome.determinismChecked) {
    summary.determinismChecks++;
    summary.invariants.determinism.checks++;
  }
  for (const [name, n] of outcome.checks) summary.invariants[name].checks += n;
  for (const v of outcome.violations) summary.invariants[v.invariant].violations++;
  for (const [kind, n] of outcome.faultsFired) summary.faults[kind] += n;
  for (const [key, n] of outcome.coverage.states) summary.states[key] = (summary.states[key] ?? 0) + n;
  for (const [key, n] of outcome.coverage.transitions) summary.transitions[key] = (summary.transitions[key] ?? 0) + n;
  addTally(summary.generator, outcome.generator);
  recordDataCheck(summary, outcome.dataCheck);
  summary.caseHashFold = addToFold(summary.caseHashFold, caseHash(outcome.index, outcome.traceHash, outcome.violations.length));
}
