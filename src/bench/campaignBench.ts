/*
 * Campaign figures: cases and steps per second for 50-step cases with every fault kind on (one
 * core, the campaign's own loop), the simulated-to-wall time ratio, 2 worker threads against one,
 * the median length of the v24 profile's shrunk counterexamples over several seeds, and the peak
 * memory of a long campaign.
 */
import { runCampaign } from '../fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { TICKS_PER_SECOND } from '../sim/Clock.js';
import type { BenchRow } from './report.js';
import { median } from './timing.js';

export async function campaignBench(quick: boolean, memoryCases: number): Promise<BenchRow[]> {
  const runs = quick ? 300 : 2000;
  const start = performance.now();
  const summary = await runCampaign({ seed: 4242, runs, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: 'reports/bench', command: 'bench', now: () => performance.now() });
  const wallS = (performance.now() - start) / 1000;
  const rows: BenchRow[] = [
    { part: 'campaign', name: `${summary.cases} cases of up to 50 steps, all faults`, value: summary.cases / wallS, unit: 'cases/s', target: '>= 1,000', met: summary.cases / wallS >= 1000 },
    { part: 'campaign', name: 'the same, steps', value: summary.steps / wallS, unit: 'steps/s' },
    {
      part: 'campaign',
      name: 'simulated / wall time',
      value: summary.simulatedTicks / TICKS_PER_SECOND / wallS,
      unit: 'x',
      target: '>= 1,000',
      met: summary.simulatedTicks / TICKS_PER_SECOND / wallS >= 1000,
    },
  ];
  rows.push(await workerSpeedup(quick));
  rows.push(await shrinkLengths(quick ? 3 : 8));
  if (memoryCases > 0) rows.push(await peakMemory(memoryCases));
  return rows;
}

/** One campaign on 2 worker threads against the main thread alone, in the same run: the wall-time ratio, the hashes compared. */
async function workerSpeedup(quick: boolean): Promise<BenchRow> {
  const runs = quick ? 600 : 4000;
  const timed = async (workers: number) => {
    const start = performance.now();
    const s = await runCampaign({ seed: 4243, runs, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: 'reports/bench', command: 'bench workers', workers });
    return { hash: s.summaryHash, seconds: (performance.now() - start) / 1000 };
  };
  const one = await timed(1);
  const two = await timed(2);
  const same = one.hash === two.hash;
  const ratio = one.seconds / two.seconds;
  const note = `${one.seconds.toFixed(1)} s on 1, ${two.seconds.toFixed(1)} s on 2, same hash: ${same ? 'yes' : 'NO'}`;
  return { part: 'campaign', name: `${runs} cases, 2 workers vs 1 (pool start-up included)`, value: ratio, unit: 'x', note, target: '>= 1.8, same hash', met: same && ratio >= 1.8 };
}

async function shrinkLengths(seeds: number): Promise<BenchRow> {
  const lengths: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const s = await runCampaign({ seed, runs: 200, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile: 'v24' }, outDir: 'reports/bench', command: 'bench v24' });
    if (s.counterexample) lengths.push(s.counterexample.steps);
  }
  lengths.sort((a, b) => a - b);
  const value = lengths.length ? median(lengths) : Number.NaN;
  return { part: 'campaign', name: `v24 counterexamples, median shrunk length (${lengths.length}/${seeds} seeds found one)`, value, unit: 'steps', note: `all: ${lengths.join(', ')}` };
}

async function peakMemory(cases: number): Promise<BenchRow> {
  let peak = process.memoryUsage().rss;
  const summary = await runCampaign({
    seed: 777,
    runs: cases,
    fuzz: DEFAULT_FUZZ_OPTIONS,
    outDir: 'reports/bench',
    command: 'bench memory',
    determinismEvery: 100,
    onCase: () => {
      const rss = process.memoryUsage().rss;
      if (rss > peak) peak = rss;
    },
  });
  return { part: 'campaign', name: `peak RSS over a ${summary.cases}-case campaign`, value: peak / (1 << 20), unit: 'MiB' };
}
