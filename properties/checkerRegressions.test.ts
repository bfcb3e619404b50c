/*
 * False violations the checker once reported on clean code stay fixed: each file under
 * scenarios/regressions/ runs on the engine under the checker (held to QEMU 7.2, as campaigns are)
 * with no violation, and with every disk-step's data checked.
 */
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../src/check/checkScenario.js';
import { loadScenarioFolder } from './scenarioFiles.js';

const files = loadScenarioFolder('regressions');

describe('checker regressions', () => {
  it('keeps both counterexamples of the cow-before-failed-forward false positive', () => {
    expect(files.map((f) => f.scenario.name)).toEqual(['regressions/cow-before-failed-forward-primary-crash-a', 'regressions/cow-before-failed-forward-primary-crash-b']);
  });

  for (const { path, scenario } of files) {
    it(`${scenario.name}: no violation, every disk-step checked`, async () => {
      const checked = await checkScenario(scenario, {}, { spec: 'qemu-7.2' });
      expect(checked.violations, path).toEqual([]);
      // The invariant that cried wolf was checked, and passed.
      expect(checked.checks.get('failover-failed-routing') ?? 0).toBeGreaterThan(0);
      const steps = scenario.steps.length * scenario.disks;
      expect([checked.dataCheck.diskSteps, checked.dataCheck.checked]).toEqual([steps, steps]);
    });
  }
});
