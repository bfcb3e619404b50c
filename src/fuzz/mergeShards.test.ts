/*
 * Merging shards adds what it does not know by name: a coverage chart map or a run.json count added
 * later (pair or job charts, say) is summed key by key like the ones there today.
 */
import { describe, expect, it } from 'vitest';
import { emptySummary } from './CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { mergeCoverage, mergeSummaries } from './mergeShards.js';
import { summaryHash } from './SummaryHash.js';

describe('merging shards', () => {
  it('sums every top-level map of coverage.json, known or not', () => {
    const merged = mergeCoverage([
      { states: { 'node.RUNNING': 3 }, transitions: { a: 1 }, pairs: { 'pair.FAILOVER': 2 } },
      { states: { 'node.RUNNING': 4, 'node.DONE': 1 }, transitions: {}, pairs: { 'pair.FAILOVER': 1 }, jobs: { 'backup.RUNNING': 5 } },
    ]);
    expect(merged).toEqual({ states: { 'node.RUNNING': 7, 'node.DONE': 1 }, transitions: { a: 1 }, pairs: { 'pair.FAILOVER': 3 }, jobs: { 'backup.RUNNING': 5 } });
  });

  it('sums counts run.json gains later, adds the folds and seals the hash again', () => {
    const shard = (index: number, cases: number, fold: string) => ({
      ...emptySummary(9, DEFAULT_FUZZ_OPTIONS, 10),
      cases,
      shard: { index, count: 2 },
      caseHashFold: fold,
      pairCoverage: { 'pair.RUNNING': index },
    });
    const merged = mergeSummaries([
      { dir: 'a', summary: shard(1, 5, '00000001ffffffff'), coverage: {} },
      { dir: 'b', summary: shard(2, 5, '0000000200000002'), coverage: {} },
    ]) as ReturnType<typeof emptySummary> & { pairCoverage: Record<string, number> };
    expect(merged.cases).toBe(10);
    expect(merged.pairCoverage).toEqual({ 'pair.RUNNING': 3 });
    // Each lane adds modulo 2^32.
    expect(merged.caseHashFold).toBe('0000000300000001');
    expect(merged.summaryHash).toBe(summaryHash(9, DEFAULT_FUZZ_OPTIONS, 10, '0000000300000001'));
    expect(merged.shard).toBeUndefined();
  });
});
