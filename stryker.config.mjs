/*
 * `npm run mutate`: StrykerJS over the engine's replication, jobs, colo and block layers (2,687
 * mutants: block 1,185, replication 538, colo 499, jobs 465). Every mutant runs
 * properties/mutation/stryker-command.sh: the unit tests of those folders, then a 300-case fuzz
 * campaign (the invariants); a non-zero exit kills it. The command runner has no coverage
 * analysis, so each mutant costs a whole command (about 5 s of CPU for a survivor, less for a
 * kill): a full run takes hours, so it is not part of `npm test` or CI. Run it folder by folder,
 * each with its own incremental file, so a later run re-tests only mutants in changed code:
 *   MUTATE_DIR=jobs npm run mutate
 * Report the score with timeouts counted as survivors (Stryker's own score counts them as killed).
 */
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = process.env.MUTATE_DIR;
const all = ['replication', 'jobs', 'colo', 'block'];
const dirs = dir === undefined ? all : [dir];
const tag = dir ?? 'all';
// The project's node_modules, for the scripts to link into a sandbox that got none.
const nodeModules = realpathSync('node_modules');

export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: { command: `sh properties/mutation/stryker-command.sh ${nodeModules}` },
  // The instrumented sources are compiled once, so the campaign does not load them through tsx
  // for every mutant; the build is made from the mutated sandbox, so it is never stale.
  buildCommand: `sh properties/mutation/stryker-build.sh ${nodeModules}`,
  coverageAnalysis: 'off',
  checkers: [],
  // Stryker rewrites tsconfig.json's extends/references through TypeScript's JS API, which
  // TypeScript 7 (tsgo) no longer has; this tsconfig needs no rewriting, so point it at no file.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  mutate: [...dirs.map((d) => `src/${d}/**/*.ts`), '!src/**/*.test.ts', '!src/block/testing/**'],
  concurrency: 2,
  // A mutant that loops is cut off after twice the unmutated run plus this; a survivor takes ~5 s.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `properties/mutation/stryker-incremental-${tag}.json`,
  // Outside the repository: vitest would otherwise find the sandbox's copies of the test files.
  tempDirName: join(tmpdir(), `colosim-stryker-${tag}`),
  // Not the checkout's dist/: the sandbox builds its own from the instrumented sources.
  ignorePatterns: ['dist', 'dist.new'],
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/mutation-${tag}.json` },
};
