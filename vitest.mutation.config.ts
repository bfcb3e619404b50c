// Vitest settings for `npm run mutate` (stryker.config.mjs, StrykerJS's vitest runner): the unit
// tests of the four mutated folders and one short fuzz campaign on the test's own thread
// (properties/mutation/campaign.mutation.test.ts), so the invariants see every instrumented module.
// Without the examples project, which imports the compiled package and so no mutant. The campaign
// file runs last: Stryker stops a mutant at its first failing test, and a unit test that kills it
// costs milliseconds where the campaign costs seconds.
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

const CAMPAIGN = 'properties/mutation/campaign.mutation.test.ts';

// SectorStore's loop tests run first: a mutant that makes one of the store's loops spin forever
// would hang the first other test that reads or writes a disk, where Stryker can only time it out;
// that file's tests fail at once instead (src/block/SectorStoreLoops.test.ts).
const FIRST = 'src/block/SectorStoreLoops.test.ts';

class CampaignLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isCampaign = (f: TestSpecification) => f.moduleId.endsWith(CAMPAIGN);
    const isFirst = (f: TestSpecification) => f.moduleId.endsWith(FIRST);
    return [...sorted.filter(isFirst), ...sorted.filter((f) => !isCampaign(f) && !isFirst(f)), ...sorted.filter(isCampaign)];
  }
}

export default defineConfig({
  test: {
    name: 'mutation',
    include: ['src/{replication,jobs,colo,block}/**/*.test.ts', CAMPAIGN],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { sequencer: CampaignLast },
  },
});
