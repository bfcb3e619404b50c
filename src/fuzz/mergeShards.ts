/*
 * Shards of one campaign added back into one summary: every count is summed (generically: any
 * number in run.json outside the fields below, so counts added later merge too), the case-hash
 * folds are added and the summary hash sealed again, which gives the unsharded run's hash whenever
 * the shards together ran the same cases. Counterexamples are kept by lowest case index, up to the
 * keep-going count. The wall time is the slowest shard's (shards run side by side). Limit: a shard
 * that stops at a violation cannot know that another shard's lower-index violation makes its later
 * cases moot, so with a violation the counts cover every case the shards ran, not the unsharded prefix.
 */
import { addDataCheck } from '../check/DataCheckCount.js';
import type { CampaignSummary } from './CampaignSummary.js';
import { addToFold, summaryHash } from './SummaryHash.js';

/** One shard's report folder, read. */
export interface ShardReport {
  readonly dir: string;
  readonly summary: CampaignSummary & { inProgress?: boolean };
  readonly coverage: Record<string, unknown>;
}

/** Shards that do not make one campaign: the message is one line. */
export class MergeError extends Error {}

/** Fields merged by their own rule, not summed. */
const OWN_RULE = new Set(['seed', 'options', 'runsRequested', 'wallMs', 'interrupted', 'timeUp', 'counterexample', 'counterexamples', 'workerDeaths', 'corpus', 'shard', 'timeBudgetMs', 'keepGoing', 'caseHashFold', 'summaryHash', 'dataCheck', 'inProgress', 'growth']);

export function mergeSummaries(reports: readonly ShardReport[]): CampaignSummary {
  checkShards(reports);
  const first = reports[0]!.summary;
  const merged = structuredClone(first) as CampaignSummary & { inProgress?: boolean };
  delete merged.shard;
  for (const { summary } of reports.slice(1)) {
    for (const [key, value] of Object.entries(summary)) {
      if (!OWN_RULE.has(key)) (merged as unknown as Record<string, unknown>)[key] = sum((merged as unknown as Record<string, unknown>)[key], value);
    }
    merged.dataCheck = addDataCheck(merged.dataCheck, summary.dataCheck);
    merged.wallMs = Math.max(merged.wallMs, summary.wallMs);
    merged.interrupted ||= summary.interrupted;
    if (summary.timeUp) merged.timeUp = true;
    merged.caseHashFold = addToFold(merged.caseHashFold, summary.caseHashFold);
    merged.workerDeaths.push(...summary.workerDeaths);
    merged.counterexamples.push(...summary.counterexamples);
  }
  // Growth samples are each shard's own wall-clock timeline; no one timeline of the merged run exists.
  merged.growth.length = 0;
  merged.workerDeaths.sort((a, b) => a.case - b.case);
  merged.counterexamples = lowestDistinct(merged.counterexamples, first.keepGoing);
  if (merged.counterexamples[0]) merged.counterexample = merged.counterexamples[0];
  merged.summaryHash = summaryHash(first.seed, first.options, merged.cases, merged.caseHashFold);
  return merged;
}

/** Numbers add, records add key by key, anything else must be equal (it is kept). */
function sum(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = sum(out[key], value);
    return out;
  }
  return a;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lowestDistinct(all: CampaignSummary['counterexamples'], keep: number): CampaignSummary['counterexamples'] {
  const seen = new Set<string>();
  const kept = [];
  for (const c of [...all].sort((a, b) => a.case - b.case)) {
    if (seen.has(c.distinctBy) || kept.length >= keep) continue;
    seen.add(c.distinctBy);
    kept.push(c);
  }
  return kept;
}

/** The reports are every shard of one campaign, each once, all finished. */
function checkShards(reports: readonly ShardReport[]): void {
  const [first, ...rest] = reports;
  if (!first) throw new MergeError('merge: no report folder given');
  for (const r of reports) {
    if (r.summary.inProgress) throw new MergeError(`merge: ${r.dir}/run.json is the snapshot of a campaign still running or killed ("inProgress": true)`);
  }
  for (const r of rest) {
    const differs = campaignDifference(first.summary, r.summary);
    if (differs) throw new MergeError(`merge: ${first.dir} and ${r.dir} are not shards of one campaign (${differs})`);
  }
  const count = first.summary.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const r of reports) {
    const shard = r.summary.shard ?? { index: 1, count: 1 };
    if (shard.count !== count) throw new MergeError(`merge: ${first.dir} is one of ${count} shards, ${r.dir} one of ${shard.count}`);
    const other = seen.get(shard.index);
    if (other !== undefined) throw new MergeError(`merge: ${other} and ${r.dir} are both shard ${shard.index}/${count}`);
    seen.set(shard.index, r.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new MergeError(`merge: shard ${missing.map((k) => `${k}/${count}`).join(', ')} missing (every shard of the campaign is needed)`);
}

/** What makes two runs different campaigns, or undefined when they are shards of one. */
function campaignDifference(a: CampaignSummary, b: CampaignSummary): string | undefined {
  if (a.seed !== b.seed) return `seed ${a.seed} and ${b.seed}`;
  if (JSON.stringify(a.options) !== JSON.stringify(b.options)) return `options ${JSON.stringify(a.options)} and ${JSON.stringify(b.options)}`;
  if (a.runsRequested !== b.runsRequested) return `--runs ${a.runsRequested} and ${b.runsRequested}`;
  if (a.timeBudgetMs !== b.timeBudgetMs) return `--time ${a.timeBudgetMs ?? 'none'} ms and ${b.timeBudgetMs ?? 'none'} ms`;
  if (a.keepGoing !== b.keepGoing) return `--keep-going ${a.keepGoing} and ${b.keepGoing}`;
  return undefined;
}

/** coverage.json files added: every top-level map of counts, key by key. */
export function mergeCoverage(files: readonly Record<string, unknown>[]): Record<string, unknown> {
  return files.reduce<Record<string, unknown>>((merged, file) => sum(merged, file) as Record<string, unknown>, {});
}
