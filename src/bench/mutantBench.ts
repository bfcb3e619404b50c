/*
 * Suite power: for each catalogued engine mutant (properties/mutation/mutants.ts), a campaign with
 * `colosim fuzz`'s default options and budget on a few seeds, one after the other on one core: the
 * median wall seconds and cases to the first violation (shrinking not counted), and the median
 * shrunk length. The v24 profile's own bugs are measured the same way on the unpatched engine.
 * A mutant whose suite entry `awaits` a checker change runs on one seed only (it uses the whole budget).
 */
import { detectMutant, detectViolation, type Detection } from '../../properties/mutation/detectMutant.js';
import { MUTANTS } from '../../properties/mutation/mutants.js';
import { DEFAULT_RUNS } from '../cli/commands/fuzz.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import type { BenchRow } from './report.js';
import { median } from './timing.js';

const TARGET_SECONDS = 1;

export async function mutantBench(quick: boolean): Promise<BenchRow[]> {
  const seeds = quick ? [1] : [1, 2, 3];
  const now = () => performance.now();
  const rows: BenchRow[] = [];
  const medians: number[] = [];
  let caught = 0;
  const catalogued = quick ? MUTANTS.filter((m) => !m.awaits) : MUTANTS;
  for (const mutant of catalogued) {
    const found: Detection[] = [];
    for (const seed of mutant.awaits ? seeds.slice(0, 1) : seeds) found.push(await detectMutant(mutant, { seed, runs: DEFAULT_RUNS, now }));
    const row = detectionRow(`mutant ${mutant.name}`, found, mutant.awaits);
    if (found.every((d) => d.killed)) {
      caught++;
      medians.push(row.value);
    }
    rows.push(row);
  }
  const overall = medians.length ? median(medians) : Number.NaN;
  rows.push({
    part: 'mutants',
    name: `caught by every seed: ${caught}/${catalogued.length}; median of their medians`,
    value: overall,
    unit: 's',
    target: `< ${TARGET_SECONDS}`,
    met: overall < TARGET_SECONDS,
  });
  const v24: Detection[] = [];
  for (const seed of seeds) v24.push(await detectViolation('v24', { seed, runs: DEFAULT_RUNS, now, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile: 'v24' } }));
  rows.push(detectionRow('the v24 profile (unpatched engine)', v24));
  return rows;
}

/** One row: median seconds to detection; the note has cases, shrunk lengths and the invariants seen. */
function detectionRow(name: string, found: readonly Detection[], awaits?: string): BenchRow {
  const killed = found.filter((d) => d.killed);
  const seconds = killed.map((d) => d.detectSeconds);
  const value = killed.length === found.length ? median(seconds) : Number.NaN;
  const shrunk = killed.flatMap((d) => (d.shrunkSteps === null ? [] : [d.shrunkSteps]));
  const invariants = [...new Set(found.flatMap((d) => d.invariants))].join(',') || 'none';
  const note = [
    `${killed.length}/${found.length} seeds`,
    `cases ${found.map((d) => (d.killed ? d.cases : `>${d.cases}`)).join('/')}`,
    shrunk.length ? `shrunk ${median(shrunk)} steps` : 'no counterexample',
    invariants,
    ...(awaits ? ['awaits a checker or generator change'] : []),
  ].join('; ');
  return { part: 'mutants', name, value, unit: 's', note, target: `< ${TARGET_SECONDS}`, met: value < TARGET_SECONDS };
}
