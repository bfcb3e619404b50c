// Vitest settings for `npm run mutate` (stryker.config.mjs, StrykerJS's vitest runner): the unit
// tests of the four mutated folders and one short fuzz campaign on the test's own thread
// (properties/mutation/campaign.mutation.test.ts), so the invariants see every instrumented module.
// Without the examples project, which imports the compiled package and so no mutant.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'mutation',
    include: ['src/{replication,jobs,colo,block}/**/*.test.ts', 'properties/mutation/campaign.mutation.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
