/*
 * The invariants' share of `npm run mutate` (vitest.mutation.config.ts): a short fuzz campaign,
 * on this thread through the library's runCampaign, must end without a violation. Under StrykerJS
 * the engine modules are the instrumented ones, so a mutant the invariants see fails this test.
 * The first violation throws from onCase, so a killed mutant costs no shrinking and writes no
 * counterexample. COLOSIM_STRYKER_RUNS sets the cases (300 by default), as for the command runner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCampaign } from '../../src/api/campaign.js';
import type { CampaignSummary } from '../../src/fuzz/CampaignSummary.js';

const RUNS = Number(process.env.COLOSIM_STRYKER_RUNS ?? 300);
const outDir = mkdtempSync(join(tmpdir(), 'colosim-mutation-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The invariants violated so far, with their counts, as `name×count`. */
function violated(summary: CampaignSummary): string[] {
  return Object.entries(summary.invariants)
    .filter(([, count]) => count.violations > 0)
    .map(([name, count]) => `${name}×${count.violations}`);
}

it(`a ${RUNS}-case fuzz campaign of seed 1 violates no invariant`, async () => {
  const summary = await runCampaign({
    seed: 1,
    runs: RUNS,
    outDir,
    onCase: (running) => {
      const names = violated(running);
      if (names.length > 0) throw new Error(`case ${running.cases - 1} violates ${names.join(', ')}`);
    },
  });
  expect(violated(summary)).toEqual([]);
  expect(summary.cases).toBe(RUNS);
});
