/*
 * False violations the checker once reported on clean code stay fixed: each file under
 * scenarios/regressions/ runs on the engine under the checker (held to QEMU 7.2, as campaigns are)
 * with no violation, and with every disk-step's data checked.
 */
import { describe, expect, it } from 'vitest';
import type { InvariantName } from '../src/check/Invariant.js';
import { checkScenario } from '../src/check/checkScenario.js';
import { loadScenarioFolder } from './scenarioFiles.js';

const files = loadScenarioFolder('regressions');

/** Each file, and the invariant that cried wolf on it. */
const CRIED_WOLF: Record<string, InvariantName> = {
  'regressions/cow-before-failed-forward-primary-crash-a': 'failover-failed-routing',
  'regressions/cow-before-failed-forward-primary-crash-b': 'failover-failed-routing',
  'regressions/forwarded-write-zeroes-without-guest-zeros': 'secondary-tracks-primary',
  'regressions/primary-write-swallowed-after-stop': 'primary-swallows-errors',
  'regressions/same-range-primary-writes-land-out-of-vote-order': 'conformance',
  'regressions/undefined-padding-in-a-checkpoint-race': 'failover-preserves-view',
};

describe('checker regressions', () => {
  it('keeps every counterexample of a false positive', () => {
    expect(files.map((f) => f.scenario.name)).toEqual(Object.keys(CRIED_WOLF));
  });

  for (const { path, scenario } of files) {
    it(`${scenario.name}: no violation, every disk-step checked`, async () => {
      const checked = await checkScenario(scenario, {}, { spec: 'qemu-7.2' });
      expect(checked.violations, path).toEqual([]);
      // The invariant that cried wolf was checked, and passed.
      expect(checked.checks.get(CRIED_WOLF[scenario.name]!) ?? 0).toBeGreaterThan(0);
      const steps = scenario.steps.length * scenario.disks;
      expect([checked.dataCheck.diskSteps, checked.dataCheck.checked]).toEqual([steps, steps]);
    });
  }
});
