/*
 * Suite power: for each catalogued engine mutant (properties/mutation/mutants.ts), a campaign with
 * `colosim fuzz`'s default options and budget on a few seeds, on one core (this thread) and on 2
 * worker threads: the median wall seconds and cases to the first violation (shrinking not counted;
 * on 2 workers the pool's start-up is), and the median shrunk length (one core, where the campaign
 * shrinks). The v24 profile's own bugs are measured the same way on the unpatched engine, with the
 * kinds of the steps each shrunk counterexample kept (the checkpoint after failover needs 3:
 * start, failover, checkpoint).
 */
import { detectMutant, detectViolation, type Detection } from '../../properties/mutation/detectMutant.js';
import { MUTANTS } from '../../properties/mutation/mutants.js';
import { DEFAULT_RUNS } from '../cli/commands/fuzz.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import type { BenchRow } from './report.js';
import { median } from './timing.js';

const TARGET_SECONDS = 1;
const V24_SEEDS = 8;

/** One subject's detections on every seed, on one core and on two workers. */
interface Measured {
  readonly name: string;
  readonly one: readonly Detection[];
  readonly two: readonly Detection[];
}

export async function mutantBench(quick: boolean): Promise<BenchRow[]> {
  const seeds = quick ? [1] : [1, 2, 3];
  const now = () => performance.now();
  const measured: Measured[] = [];
  for (const mutant of MUTANTS) {
    const one: Detection[] = [];
    const two: Detection[] = [];
    for (const seed of seeds) one.push(await detectMutant(mutant, { seed, runs: DEFAULT_RUNS, now }));
    for (const seed of seeds) two.push(await detectMutant(mutant, { seed, runs: DEFAULT_RUNS, now, shrink: false, workers: 2 }));
    measured.push({ name: mutant.name, one, two });
  }
  const rows = measured.map((m) => detectionRow(`mutant ${m.name}`, m));
  rows.push(...catalogueRows(measured));
  const v24Seeds = Array.from({ length: quick ? 3 : V24_SEEDS }, (_, i) => i + 1);
  const v24 = { ...DEFAULT_FUZZ_OPTIONS, profile: 'v24' as const };
  const one: Detection[] = [];
  const two: Detection[] = [];
  for (const seed of v24Seeds) one.push(await detectViolation('v24', { seed, runs: DEFAULT_RUNS, now, fuzz: v24 }));
  for (const seed of v24Seeds) two.push(await detectViolation('v24', { seed, runs: DEFAULT_RUNS, now, fuzz: v24, shrink: false, workers: 2 }));
  rows.push(detectionRow(`the v24 profile (unpatched engine), seeds 1-${v24Seeds.length}`, { name: 'v24', one, two }));
  rows.push(v24ShrinkRow(one));
  return rows;
}

/** One row: median seconds to detection on one core; the note has cases, shrunk lengths, 2 workers and the invariants seen. */
function detectionRow(name: string, m: Measured): BenchRow {
  const one = summarise(m.one);
  const two = summarise(m.two);
  const shrunk = m.one.flatMap((d) => (d.killed && d.shrunkSteps !== null ? [d.shrunkSteps] : []));
  const invariants = [...new Set(m.one.flatMap((d) => d.invariants))].join(',') || 'none';
  const note = [
    `${one.killed}/${m.one.length} seeds`,
    `cases ${m.one.map((d) => (d.killed ? d.cases : `>${d.cases}`)).join('/')} (median ${one.cases})`,
    shrunk.length ? `shrunk ${median(shrunk)} steps` : 'no counterexample',
    `2 workers ${two.seconds.toFixed(2)} s, cases ${m.two.map((d) => (d.killed ? d.cases : `>${d.cases}`)).join('/')}`,
    invariants,
  ].join('; ');
  return { part: 'mutants', name, value: one.seconds, unit: 's', note, target: `< ${TARGET_SECONDS}`, met: one.seconds < TARGET_SECONDS };
}

/** Median seconds and cases over the seeds; NaN seconds when a seed missed. */
function summarise(found: readonly Detection[]): { killed: number; seconds: number; cases: number } {
  const killed = found.filter((d) => d.killed);
  const all = killed.length === found.length;
  return { killed: killed.length, seconds: all ? median(killed.map((d) => d.detectSeconds)) : Number.NaN, cases: all ? median(killed.map((d) => d.cases)) : Number.NaN };
}

/** The catalogue: how many every seed caught, and the medians of the per-mutant medians. */
function catalogueRows(measured: readonly Measured[]): BenchRow[] {
  const caught = measured.filter((m) => m.one.every((d) => d.killed) && m.two.every((d) => d.killed));
  const of = (pick: (m: Measured) => number) => (caught.length ? median(caught.map(pick)) : Number.NaN);
  const oneSeconds = of((m) => summarise(m.one).seconds);
  const shrunk = of((m) => median(m.one.map((d) => d.shrunkSteps ?? Number.NaN)));
  const label = `${caught.length}/${measured.length} caught by every seed`;
  return [
    { part: 'mutants', name: `${label}: median time to detection, one core`, value: oneSeconds, unit: 's', target: `< ${TARGET_SECONDS}`, met: oneSeconds < TARGET_SECONDS },
    { part: 'mutants', name: `${label}: median time to detection, 2 workers (pool start-up included)`, value: of((m) => summarise(m.two).seconds), unit: 's' },
    { part: 'mutants', name: `${label}: median cases to detection`, value: of((m) => summarise(m.one).cases), unit: 'cases' },
    { part: 'mutants', name: `${label}: median shrunk length`, value: shrunk, unit: 'steps' },
  ];
}

/** The v24 counterexamples' median length, and each one's step kinds. */
function v24ShrinkRow(found: readonly Detection[]): BenchRow {
  const lengths = found.flatMap((d) => (d.shrunkSteps === null ? [] : [d.shrunkSteps]));
  const shapes = found.map((d) => `seed ${d.seed}: ${d.invariants.join(',') || 'none'} [${d.shrunkShape ?? 'no counterexample'}]`);
  return { part: 'mutants', name: `v24 counterexamples, median shrunk length (${lengths.length}/${found.length} seeds)`, value: lengths.length ? median(lengths) : Number.NaN, unit: 'steps', note: shapes.join('; ') };
}
