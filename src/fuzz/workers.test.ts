/*
 * A campaign on 1, 2 and 3 worker threads counts the same: the same summary hash, the same
 * coverage, the same counts, and on the v24 profile (which has known violations) the same
 * lowest-index counterexample, byte for byte. A worker that dies under a case is reported with the
 * case and its seed, and stops the campaign or not as asked.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCampaign } from './Campaign.js';
import type { CampaignSummary } from './CampaignSummary.js';
import { caseSeed } from './caseScenario.js';
import { evaluateCase } from './evaluateCase.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The summary without what differs by machine or folder: wall time and counterexample paths. */
function counted(s: CampaignSummary): unknown {
  const withoutPath = ({ path: _path, ...rest }: { path: string }) => rest;
  return { ...s, wallMs: 0, counterexample: s.counterexample && withoutPath(s.counterexample), counterexamples: s.counterexamples.map(withoutPath) };
}

async function onWorkers(workers: number, profile: 'qemu-7.2' | 'v24', seed: number, runs: number): Promise<CampaignSummary> {
  const outDir = join(dir, `${profile}-${seed}-${workers}`);
  return runCampaign({ seed, runs, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile }, outDir, command: 'workers test', workers });
}

describe('a campaign on worker threads', () => {
  it('counts 200 clean cases the same on 1, 2 and 3 workers', { timeout: 300_000 }, async () => {
    const [one, two, three] = [await onWorkers(1, 'qemu-7.2', 5, 200), await onWorkers(2, 'qemu-7.2', 5, 200), await onWorkers(3, 'qemu-7.2', 5, 200)];
    expect(one.cases).toBe(200);
    expect(one.determinismChecks).toBe(20);
    expect(one.counterexample).toBeUndefined();
    for (const other of [two, three]) {
      expect(other.summaryHash).toBe(one.summaryHash);
      expect(JSON.stringify({ states: other.states, transitions: other.transitions })).toBe(JSON.stringify({ states: one.states, transitions: one.transitions }));
      expect(counted(other)).toEqual(counted(one));
    }
  });

  it('reports the same lowest-index v24 violation with the same counterexample bytes on 1, 2 and 3 workers', { timeout: 300_000 }, async () => {
    const runs = [await onWorkers(1, 'v24', 3, 50), await onWorkers(2, 'v24', 3, 50), await onWorkers(3, 'v24', 3, 50)];
    const [one] = runs;
    const found = one!.counterexample!;
    // Every case before the failing one ran, and none after it was counted.
    expect(one!.cases).toBe(found.case + 1);
    const bytes = readFileSync(found.path, 'utf8');
    expect(JSON.parse(bytes).origin.command).toBe(`workers test --case ${found.case}`);
    for (const other of runs.slice(1)) {
      expect(other.summaryHash).toBe(one!.summaryHash);
      expect(counted(other)).toEqual(counted(one!));
      expect(readFileSync(other.counterexample!.path, 'utf8')).toBe(bytes);
    }
  });

  it('--keep-going 3 collects the same three distinct violations, lowest indices first, on 1 and 2 workers', { timeout: 300_000 }, async () => {
    const options = { seed: 3, runs: 50, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile: 'v24' as const }, command: 'keep-going test', keepGoing: 3 };
    const one = await runCampaign({ ...options, outDir: join(dir, 'keep-1'), workers: 1 });
    const two = await runCampaign({ ...options, outDir: join(dir, 'keep-2'), workers: 2 });
    const found = one.counterexamples.map((c) => [c.case, c.distinctBy]);
    expect(new Set(found.map(([, by]) => by)).size).toBe(3);
    expect(found.map(([index]) => index)).toEqual([...found.map(([index]) => index)].sort((a, b) => Number(a) - Number(b)));
    // The campaign stopped at the case that made three.
    expect(one.cases).toBe(Number(found[2]![0]) + 1);
    expect(counted(two)).toEqual(counted(one));
    for (const [i, c] of two.counterexamples.entries()) expect(readFileSync(c.path, 'utf8')).toBe(readFileSync(one.counterexamples[i]!.path, 'utf8'));
  });

  it('goes on with later cases while a slow one heads the order: case 12 starts before case 0 ends, and the counts are unchanged', { timeout: 300_000 }, async () => {
    const markers = join(dir, 'slow-head');
    mkdirSync(markers);
    process.env.COLOSIM_SLOW_HEAD_DIR = markers;
    try {
      const options = { seed: 5, runs: 30, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: join(dir, 'slow-head-out'), command: 'slow head' } as const;
      const slow = await runCampaign({ ...options, workers: 2, workerFile: new URL('./slowHeadWorker.fixture.js', import.meta.url).href });
      expect(slow.workerDeaths).toEqual([]);
      expect(slow.cases).toBe(30);
      expect(slow.summaryHash).toBe((await runCampaign(options)).summaryHash);
    } finally {
      delete process.env.COLOSIM_SLOW_HEAD_DIR;
    }
  });

  const dying = new URL('./dyingWorker.fixture.js', import.meta.url).href;

  it('reports a worker that dies under case 7 as an engine-error finding and stops there', { timeout: 300_000 }, async () => {
    const summary = await runCampaign({ seed: 5, runs: 30, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: join(dir, 'dying'), command: 'dying', workers: 2, workerFile: dying });
    expect(summary.cases).toBe(8);
    expect(summary.workerDeaths).toEqual([
      { case: 7, caseSeed: caseSeed(5, 7), error: `ENGINE_BUG: case 7 (case seed ${caseSeed(5, 7)}): the worker thread died: Error: worker exited with code: 9` },
    ]);
    expect(summary.invariants['engine-error']).toEqual({ checks: 8, violations: 1 });
    expect(summary.counterexample).toBeUndefined();
  });

  it('goes on past a dead worker when asked, counting every other case', { timeout: 300_000 }, async () => {
    const options = { seed: 5, runs: 30, fuzz: DEFAULT_FUZZ_OPTIONS, outDir: join(dir, 'dying-on'), command: 'dying', workers: 2 } as const;
    const summary = await runCampaign({ ...options, workerFile: dying, onWorkerDeath: 'continue' });
    expect(summary.cases).toBe(30);
    expect(summary.workerDeaths.map((d) => d.case)).toEqual([7]);
    expect(summary.invariants['engine-error'].violations).toBe(1);
    // Case 7's steps are missing, every other case's are there.
    const healthy = await runCampaign(options);
    const seven = await evaluateCase({ fuzz: DEFAULT_FUZZ_OPTIONS, campaignSeed: 5, index: 7, seed: caseSeed(5, 7), determinismEvery: 10 });
    expect(seven.steps).toBeGreaterThan(0);
    expect(summary.steps).toBe(healthy.steps - seven.steps);
  });
});
