/*
 * `npm run mutate`: StrykerJS over the engine's replication, jobs, colo and block layers (2,687
 * mutants: block 1,185, replication 538, colo 499, jobs 465), with the vitest runner and per-test
 * coverage: a mutant runs only the tests that reach it, among vitest.mutation.config.ts's unit
 * tests of those folders and its one 300-case fuzz campaign on the test's own thread (the
 * invariants, which reach nearly every mutant). Vitest stays loaded between mutants, so a mutant
 * costs its tests and no process start or build. Still long (see properties/mutation/SCORE.md for
 * the measured cost), so not part of `npm test` or CI. One folder a run, results kept:
 *   MUTATE_DIR=jobs npm run mutate
 * Report the score with timeouts counted as survivors: properties/mutation/stryker-score.mjs.
 * The command runner is the fallback: stryker.command.config.mjs.
 */
import { nodeModules, nodeModulesIsLink, strykerConfig } from './properties/mutation/strykerBase.mjs';

export default strykerConfig('vitest', {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  // A worktree's node_modules is a symlink, which Stryker does not link into its sandbox.
  ...(nodeModulesIsLink() ? { buildCommand: `ln -s ${nodeModules()} node_modules` } : {}),
});
