/*
 * What both StrykerJS configurations share (stryker.config.mjs, the vitest runner, and
 * stryker.command.config.mjs, the command runner): the mutated folders, one folder a run with
 * MUTATE_DIR, each with its own incremental file properties/mutation/stryker-incremental-<dir>.json
 * (a runner's own, `<dir>.command.json` for the command runner, since the two record different tests),
 * the sandbox outside the repository, and the reports. Score a folder with
 * `node properties/mutation/stryker-score.mjs properties/mutation/stryker-incremental-<dir>.json`.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FOLDERS = ['replication', 'jobs', 'colo', 'block'];

/** The settings for one runner; `runner` names its incremental file and its sandbox. */
export function strykerConfig(runner, own) {
  const dir = process.env.MUTATE_DIR;
  if (dir !== undefined && !FOLDERS.includes(dir)) throw new Error(`MUTATE_DIR must be one of ${FOLDERS.join(', ')}, not ${dir}`);
  const dirs = dir === undefined ? FOLDERS : [dir];
  const tag = dir ?? 'all';
  const suffix = runner === 'vitest' ? '' : `.${runner}`;
  return {
    packageManager: 'npm',
    checkers: [],
    // Stryker rewrites tsconfig.json's extends/references through TypeScript's JS API, which
    // TypeScript 7 (tsgo) no longer has; this tsconfig needs no rewriting, so point it at no file.
    tsconfigFile: 'no-tsconfig-rewrite.json',
    mutate: [...dirs.map((d) => `src/${d}/**/*.ts`), '!src/**/*.test.ts', '!src/block/testing/**'],
    // Two cores are shared with other work; raise with --concurrency on an idle machine.
    concurrency: 1,
    timeoutMS: 20_000,
    timeoutFactor: 2,
    incremental: true,
    incrementalFile: `properties/mutation/stryker-incremental-${tag}${suffix}.json`,
    // Outside the repository: vitest would otherwise find the sandbox's copies of the test files.
    tempDirName: join(tmpdir(), `colosim-stryker-${runner}-${tag}`),
    // Not the checkout's dist/: a build there could be older than the mutated sources.
    ignorePatterns: ['dist', 'dist.new', 'reports'],
    cleanTempDir: true,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/mutation-${tag}${suffix}.json` },
    ...own,
  };
}

/** The project's node_modules, for a sandbox that got none (Stryker links only a real directory, not a worktree's symlink). */
export function nodeModules() {
  return realpathSync('node_modules');
}

/** Whether node_modules is a symlink, as in a worktree: then Stryker's sandbox gets no node_modules of its own. */
export function nodeModulesIsLink() {
  return lstatSync('node_modules', { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}
