/*
 * StrykerJS over src/block/SectorStore.ts alone, with the vitest runner setup of stryker.config.mjs
 * (vitest.mutation.config.ts, per-test coverage), its own incremental file, sandbox and report (so a
 * run of the block folder elsewhere does not share them), and a short absolute timeout: a mutant
 * that makes one of the store's loops endless then costs seconds, not a minute.
 *   npx stryker run stryker-sectorstore.config.mjs
 *   node properties/mutation/stryker-score.mjs properties/mutation/stryker-incremental-block-sectorstore.json
 * An incremental run reuses a survivor's result even when a new test covers it: add --force.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeModules, nodeModulesIsLink, strykerConfig } from './properties/mutation/strykerBase.mjs';

process.env.MUTATE_DIR = 'block';

export default strykerConfig('vitest', {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  ...(nodeModulesIsLink() ? { buildCommand: `ln -s ${nodeModules()} node_modules` } : {}),
  mutate: ['src/block/SectorStore.ts'],
  timeoutMS: 4000,
  incrementalFile: 'properties/mutation/stryker-incremental-block-sectorstore.json',
  tempDirName: join(tmpdir(), 'colosim-stryker-vitest-block-sectorstore'),
  jsonReporter: { fileName: 'reports/mutation/mutation-block-sectorstore.json' },
});
