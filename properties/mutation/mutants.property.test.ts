/*
 * Mutation testing of the checker: each engine mutant of mutants.ts is run through a small fuzz
 * campaign, which must report one of the invariants the mutant breaks. A mutant that survives means
 * the checker (or the generator) cannot see that bug: the test fails and names it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../../src/fuzz/FuzzOptions.js';
import { MUTANTS } from './mutants.js';

const RUNS = Number(process.env.COLOSIM_MUTANT_RUNS ?? 300);
let undo: (() => void) | null = null;
/** Counterexamples go to a temporary folder, removed at the end (never into the repository's reports/). */
const OUT_DIR = mkdtempSync(join(tmpdir(), 'colosim-mutants-'));
afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

afterEach(() => {
  undo?.();
  undo = null;
});

describe('mutants of the engine are killed by a small campaign', () => {
  for (const mutant of MUTANTS) {
    it(`${mutant.name}: ${mutant.breaks}`, { timeout: 120_000 }, async () => {
      undo = mutant.apply();
      const summary = await runCampaign({
        seed: 20261126,
        runs: RUNS,
        fuzz: { ...DEFAULT_FUZZ_OPTIONS, faults: 'all' },
        outDir: OUT_DIR,
        command: `mutant ${mutant.name}`,
        determinismEvery: 1000,
      });
      const violated = Object.entries(summary.invariants)
        .filter(([, c]) => c.violations > 0)
        .map(([name]) => name);
      expect(violated, `mutant ${mutant.name} survived ${summary.cases} cases`).not.toEqual([]);
      expect(mutant.expect.some((name) => violated.includes(name)), `mutant ${mutant.name} was caught as ${violated.join(', ')}, expected one of ${mutant.expect.join(', ')}`).toBe(true);
    });
  }
});
