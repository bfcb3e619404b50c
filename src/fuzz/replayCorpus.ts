/*
 * A seed corpus, replayed before a campaign's new cases as a regression check (fast-check's and
 * Hypothesis's failure databases): each counterexample file runs again under the campaign's
 * checker with its pinned schedule. It still fails (a violation), is fixed, or has drifted: its
 * recorded schedule no longer fits the engine, so it no longer says anything either way.
 */
import type { Scenario } from '../scenario/Scenario.js';
import type { CorpusResult } from './CampaignSummary.js';
import { runCaseSafely } from './runCase.js';

export interface CorpusEntry {
  readonly path: string;
  readonly scenario: Scenario;
}

export async function replayCorpus(entries: readonly CorpusEntry[]): Promise<CorpusResult[]> {
  const results: CorpusResult[] = [];
  for (const { path, scenario } of entries) {
    const result = await runCaseSafely(scenario, path);
    const invariants = [...new Set(result.violations.map((v) => v.invariant))];
    if (result.document.aborted?.code === 'SCHEDULE_DRIFT') results.push({ path, status: 'drifted', invariants: [] });
    else results.push({ path, status: invariants.length > 0 ? 'still failing' : 'fixed', invariants });
  }
  return results;
}
