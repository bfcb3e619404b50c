/*
 * `npm run mutate`: StrykerJS over the engine's replication, jobs, colo and block layers. Every
 * mutant runs properties/mutation/stryker-command.sh: a 300-case fuzz campaign (the invariants),
 * then the unit tests of those folders; a non-zero exit kills it. Without coverage analysis each
 * mutant costs a whole command (about 10 s of CPU), so a full run takes hours: it is not part of
 * `npm test` or CI. Scope a run with `npm run mutate -- --mutate 'src/replication/**\/*.ts'`.
 * Report the score with timeouts counted as survivors (Stryker's own score counts them as killed).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: { command: 'sh properties/mutation/stryker-command.sh' },
  coverageAnalysis: 'off',
  checkers: [],
  // Stryker rewrites tsconfig.json's extends/references through TypeScript's JS API, which
  // TypeScript 7 (tsgo) no longer has; this tsconfig needs no rewriting, so point it at no file.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  mutate: ['src/replication/**/*.ts', 'src/jobs/**/*.ts', 'src/colo/**/*.ts', 'src/block/**/*.ts', '!src/**/*.test.ts', '!src/block/testing/**'],
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  // Outside the repository: vitest would otherwise find the sandbox's copies of the test files.
  tempDirName: join(tmpdir(), 'colosim-stryker'),
  // Not dist/: a compiled build copied into the sandbox could look newer than the mutated sources,
  // and the colosim bin would then run the unmutated build (src/cli/compiledBuild.js).
  ignorePatterns: ['dist'],
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
};
