/*
 * Mutation testing of the checker: each engine mutant of mutants.ts runs through a fuzz campaign
 * with `colosim fuzz`'s default options, which must report one of the invariants the mutant breaks
 * within the budget. A mutant that survives means the checker (or the generator) cannot see that bug:
 * the test fails and names it. Each test records its cases to detection as an annotation.
 * A mutant marked `awaits` would be skipped, naming what the checker or generator lacks; the
 * catalogue test fails while any does.
 */
import { describe, expect, it } from 'vitest';
import { runs, seed } from '../budget.js';
import { detectMutant } from './detectMutant.js';
import { MUTANTS } from './mutants.js';

const SEED = seed(2);
const RUNS = runs(1500);
const DEFAULT_FUZZ_RUNS = 15_000;

describe('mutants of the engine are killed by a campaign', () => {
  it('the catalogue holds at least 55 mutants, with distinct names, every one of them run (none awaits a change)', () => {
    const names = MUTANTS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(MUTANTS.length).toBeGreaterThanOrEqual(55);
    expect(MUTANTS.filter((m) => m.awaits).map((m) => m.name)).toEqual([]);
    for (const m of MUTANTS) expect(m.budgetCases ?? 0, m.name).toBeLessThanOrEqual(DEFAULT_FUZZ_RUNS);
  });

  for (const mutant of MUTANTS) {
    const title = `${mutant.name}: ${mutant.breaks}`;
    if (mutant.awaits) {
      it.skip(`${title} (awaits ${mutant.awaits})`, () => undefined);
      continue;
    }
    const budget = mutant.budgetCases ?? RUNS;
    // About 250 cases/s on one loaded core, with room for a busy machine.
    it(title, { timeout: 60_000 + budget * 40 }, async ({ annotate }) => {
      const found = await detectMutant(mutant, { seed: SEED, runs: budget, shrink: false });
      await annotate(`seed ${SEED}: ${found.invariants.length ? `caught after ${found.cases} cases as ${found.invariants.join(', ')}` : `survived ${found.cases} cases`}`);
      expect(found.invariants, `mutant ${mutant.name} survived ${found.cases} cases of seed ${SEED}`).not.toEqual([]);
      expect(found.killed, `mutant ${mutant.name} was caught as ${found.invariants.join(', ')}, expected one of ${mutant.expect.join(', ')}`).toBe(true);
      expect(found.cases).toBeLessThanOrEqual(budget);
    });
  }
});
