/*
 * Growth samples: one every GROWTH_EVERY cases and one at the end; a long campaign keeps at most
 * MAX_GROWTH_SAMPLES, thinned to every other sample with the interval doubled each time it fills.
 */
import { describe, expect, it } from 'vitest';
import { emptySummary } from './CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { GROWTH_EVERY, MAX_GROWTH_SAMPLES, recordGrowth } from './Growth.js';

function campaign(cases: number) {
  const summary = emptySummary(1, DEFAULT_FUZZ_OPTIONS, cases);
  for (let i = 1; i <= cases; i++) {
    summary.cases = i;
    summary.wallMs = i * 2;
    recordGrowth(summary);
  }
  recordGrowth(summary, true);
  return summary.growth;
}

describe('growth samples', () => {
  it('a short campaign has one sample per 250 cases and the last case', () => {
    const growth = campaign(760);
    expect(GROWTH_EVERY).toBe(250);
    expect(growth.map((g) => [g.cases, g.wallMs])).toEqual([[250, 500], [500, 1000], [750, 1500], [760, 1520]]);
  });

  it('the end adds no second sample when the last case was a sample', () => {
    expect(campaign(500).map((g) => g.cases)).toEqual([250, 500]);
  });

  it('a campaign past 1,024 samples thins them: 300,123 cases give every 500th case, evenly, and the last', () => {
    expect(MAX_GROWTH_SAMPLES).toBe(1024);
    const growth = campaign(300_123);
    // 1,024 samples of 250 fill at case 256,000 and thin to every 500th; 512 more of 500 would
    // reach 512,000, so the count stays under the cap.
    const cases = growth.map((g) => g.cases);
    expect(cases.length).toBe(601);
    expect(cases.slice(0, 3)).toEqual([500, 1000, 1500]);
    expect(cases.slice(-3)).toEqual([299_500, 300_000, 300_123]);
    expect(cases.slice(0, -1).every((c, i) => c === 500 * (i + 1))).toBe(true);
  });

  it('thinning repeats: 1,100,000 cases stay under the cap at a 2,000-case interval', () => {
    // Full again at 512,000 (every 1,000th from then) and at 1,024,000 (every 2,000th).
    const cases = campaign(1_100_000).map((g) => g.cases);
    expect(cases.length).toBe(550);
    expect(cases.slice(0, 2)).toEqual([2000, 4000]);
    expect(cases.at(-1)).toBe(1_100_000);
  });
});
