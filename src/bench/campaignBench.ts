/*
 * Campaign figures: cases and steps per second for 50-step cases with every fault kind on (one
 * core: the campaign's own loop in this process, and with a fresh build the default campaign on
 * the compiled CLI's one worker), the simulated-to-wall time ratio, 2 worker threads against one
 * (the compiled CLI when the build is fresh),
 * the median length of the v24 profile's shrunk counterexamples over several seeds, and the peak
 * memory of a long campaign.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RUNS } from '../cli/commands/fuzz.js';
import { compiledBuildIsFresh } from '../cli/compiledBuild.js';
import { runCampaign } from '../fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { TICKS_PER_SECOND } from '../sim/Clock.js';
import type { BenchRow } from './report.js';
import { median } from './timing.js';

const COLOSIM_BIN = new URL('../cli/colosim.js', import.meta.url);

export async function campaignBench(quick: boolean, memoryCases: number): Promise<BenchRow[]> {
  const runs = quick ? 300 : 2000;
  const start = performance.now();
  const summary = await runCampaign({ seed: 4242, runs, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: 'reports/bench', command: 'bench', now: () => performance.now() });
  const wallS = (performance.now() - start) / 1000;
  const compiled = compiledBuildIsFresh();
  const inProcess = `${summary.cases} cases of up to 50 steps, all faults${compiled ? ', in this tsx process from cold' : ''}`;
  const rows: BenchRow[] = [
    compiled
      ? { part: 'campaign', name: inProcess, value: summary.cases / wallS, unit: 'cases/s' }
      : { part: 'campaign', name: inProcess, value: summary.cases / wallS, unit: 'cases/s', target: '>= 1,000', met: summary.cases / wallS >= 1000 },
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
  if (compiled) rows.push(await oneWorkerCampaign(quick));
  rows.push(await workerSpeedup(quick));
  rows.push(await shrinkLengths(quick ? 3 : 8));
  if (memoryCases > 0) rows.push(await peakMemory(memoryCases));
  return rows;
}

/**
 * One campaign on 2 worker threads against one thread, the wall-time ratio, the hashes compared.
 * With a fresh compiled build (npm run build) it times what users run: the compiled CLI
 * (`colosim fuzz --workers N --json`) as a child process, timed from spawn to exit, so process,
 * module and pool start-up and the JIT's warm-up count for both alike; best of two alternating
 * runs each (one with --quick). Without one, both campaigns run in this process, the one-thread
 * one on a main thread the campaign rows above have warmed up and the two workers cold,
 * transpiling the sources under tsx as they start: a ratio that favours one thread.
 */
async function workerSpeedup(quick: boolean): Promise<BenchRow> {
  const runs = quick ? 600 : 4000;
  const compiled = compiledBuildIsFresh();
  const timed = compiled ? (workers: number) => cliCampaign(4243, runs, workers) : (workers: number) => inProcessCampaign(4243, runs, workers);
  const rounds = quick || !compiled ? 1 : 2;
  const one: Timed[] = [];
  const two: Timed[] = [];
  for (let r = 0; r < rounds; r++) {
    one.push(await timed(1));
    two.push(await timed(2));
  }
  const best = (ts: Timed[]) => ts.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const [o, t] = [best(one), best(two)];
  const same = [...one, ...two].every((x) => x.hash === o.hash);
  const ratio = o.seconds / t.seconds;
  const how = `${compiled ? 'compiled CLI' : 'in this process under tsx'}${rounds > 1 ? `, best of ${rounds} each` : ''}`;
  const note = `${o.seconds.toFixed(1)} s (${(runs / o.seconds).toFixed(0)} cases/s) on 1, ${t.seconds.toFixed(1)} s (${(runs / t.seconds).toFixed(0)} cases/s) on 2, ${how}; same hash: ${same ? 'yes' : 'NO'}`;
  return { part: 'campaign', name: `${runs} cases, 2 workers vs 1 (start-up included)`, value: ratio, unit: 'x', note, target: '>= 1.8, same hash', met: same && ratio >= 1.8 };
}

interface Timed {
  readonly hash: string;
  readonly seconds: number;
  /** The campaign's run.json: its cases, its own wall time and its growth curve. */
  readonly run?: CampaignRun;
}

interface CampaignRun {
  readonly cases: number;
  readonly wallMs: number;
  readonly growth: readonly { readonly cases: number; readonly wallMs: number }[];
}

/**
 * The default campaign as a user runs it on one core: `colosim fuzz --workers 1` (15,000 cases;
 * 2,000 with --quick), the compiled CLI in a child process. The figure is the campaign's own rate
 * (its cases over its wall time in run.json, JIT warm-up included); the note adds the rate after
 * its first 1,000 cases (warm) and the whole process's, start-up and report writing included.
 */
async function oneWorkerCampaign(quick: boolean): Promise<BenchRow> {
  const runs = quick ? 2000 : DEFAULT_RUNS;
  const t = await cliCampaign(4244, runs, 1);
  const run = t.run!;
  const rate = run.cases / (run.wallMs / 1000);
  const from = run.growth.find((g) => g.cases >= 1000);
  const last = run.growth[run.growth.length - 1];
  const warm = from && last && last.cases > from.cases ? `, ${((last.cases - from.cases) / ((last.wallMs - from.wallMs) / 1000)).toFixed(0)} cases/s after the first ${from.cases}` : '';
  const note = `campaign ${(run.wallMs / 1000).toFixed(1)} s${warm}; the whole process ${t.seconds.toFixed(1)} s (${(run.cases / t.seconds).toFixed(0)} cases/s with start-up and report)`;
  return { part: 'campaign', name: `${run.cases} cases, the default campaign on one worker (compiled CLI)`, value: rate, unit: 'cases/s', note, target: '>= 1,000', met: rate >= 1000 };
}

async function inProcessCampaign(seed: number, runs: number, workers: number): Promise<Timed> {
  const start = performance.now();
  const s = await runCampaign({ seed, runs, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: 'reports/bench', command: 'bench workers', workers });
  return { hash: s.summaryHash, seconds: (performance.now() - start) / 1000 };
}

/**
 * The `colosim` bin (src/cli/colosim.js, which runs dist/ when the build is fresh) in a child
 * process, its wall time from spawn to exit, and its summary hash. The bin is executed itself, not
 * given to this process's node, so its shebang's V8 flags apply as they do for a user.
 */
async function cliCampaign(seed: number, runs: number, workers: number): Promise<Timed> {
  const outDir = mkdtempSync(join(tmpdir(), 'colosim-bench-workers-'));
  try {
    const args = ['fuzz', '--seed', String(seed), '--runs', String(runs), '--workers', String(workers), '--json', '--out', outDir];
    const start = performance.now();
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
      const child = spawn(fileURLToPath(COLOSIM_BIN), args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ stdout: out, code: exit }));
    });
    const seconds = (performance.now() - start) / 1000;
    if (code !== 0) throw new Error(`colosim fuzz --workers ${workers} exited with ${code}`);
    const summary = JSON.parse(stdout) as CampaignRun & { summaryHash: string };
    return { hash: summary.summaryHash, seconds, run: summary };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
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
