/*
 * The printed summary's hints are commands as a user types them in a clone (README: `npx colosim`):
 * the replay line of each counterexample, and the combine line of a shard.
 */
import { describe, expect, it } from 'vitest';
import { emptySummary } from '../fuzz/CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { formatSummary } from './formatSummary.js';

function record(c: number, path: string) {
  return { path, case: c, caseSeed: 9, distinctBy: `x${c}`, invariant: 'cow-isolation', step: 3, message: 'm', shrinkRuns: 4, steps: 5 };
}

describe('formatSummary', () => {
  it('prints every counterexample with its replay command, npx first', () => {
    const s = emptySummary(1, DEFAULT_FUZZ_OPTIONS, 10);
    s.counterexamples.push(record(2, 'out/a.json'), record(7, 'out/b.json'));
    const lines = formatSummary({ ...s, counterexample: s.counterexamples[0]!, summaryHash: 'h' }).split('\n');
    expect(lines.filter((l) => l.includes('replay'))).toEqual(['  replay: npx colosim replay out/a.json', '  replay: npx colosim replay out/b.json']);
    expect(lines.slice(-7)).toEqual([
      'VIOLATION cow-isolation at step 3: m',
      '  counterexample (5 steps after 4 shrink runs): out/a.json',
      '  replay: npx colosim replay out/a.json',
      'VIOLATION cow-isolation at step 3 (case 7): m',
      '  counterexample (5 steps after 4 shrink runs): out/b.json',
      '  replay: npx colosim replay out/b.json',
      'summary hash h',
    ]);
  });

  it('a shard says how to combine the shards', () => {
    const s = { ...emptySummary(1, DEFAULT_FUZZ_OPTIONS, 10), shard: { index: 2, count: 3 }, summaryHash: 'h' };
    expect(formatSummary(s)).toContain('\nshard 2/3: the cases i with i mod 3 = 1 (combine: npx colosim merge DIR... --out DIR)\n');
  });
});
