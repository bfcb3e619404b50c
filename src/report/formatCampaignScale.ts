/*
 * The summary lines for how a campaign was run at scale: its shard, its time budget, the corpus
 * replayed first, the distinct violations past the first (--keep-going), and any worker thread
 * that died under a case. Empty for a plain single-machine run without findings past the first.
 */
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';

export function formatCampaignScale(s: CampaignSummary): string[] {
  const lines: string[] = [];
  if (s.shard) lines.push(`shard ${s.shard.index}/${s.shard.count}: the cases i with i mod ${s.shard.count} = ${s.shard.index - 1} (combine: npx colosim merge DIR... --out DIR)`);
  if (s.timeBudgetMs !== undefined) {
    const spent = s.timeUp ? 'spent' : 'not spent';
    lines.push(`time budget ${s.timeBudgetMs / 1000} s ${spent}: ${s.cases} cases run${s.shard ? '' : ` (the same cases again: --runs ${s.cases})`}`);
  }
  for (const c of s.corpus ?? []) lines.push(`corpus ${c.path}: ${c.status}${c.invariants.length > 0 ? ` (${c.invariants.join(', ')})` : ''}`);
  if (s.cases === 0 && s.corpus?.some((c) => c.status === 'still failing')) lines.push('no new cases run: a corpus counterexample still fails (with --keep-going N above 1 they run anyway)');
  for (const c of s.counterexamples.slice(1)) {
    lines.push(`VIOLATION ${c.invariant} at step ${c.step} (case ${c.case}): ${c.message}`);
    lines.push(`  counterexample (${c.steps} steps after ${c.shrinkRuns} shrink runs): ${c.path}`);
    lines.push(`  replay: npx colosim replay ${c.path}`);
  }
  for (const d of s.workerDeaths) lines.push(`WORKER DIED under case ${d.case} (case seed ${d.caseSeed}): ${d.error} (that case alone: add --case ${d.case})`);
  return lines;
}
