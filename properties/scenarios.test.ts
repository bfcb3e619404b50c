/*
 * The scenario library on the engine: every step of every file carries its expected result, and the
 * engine must return exactly that (messages, errnos, bytes). Each file also runs twice with the same
 * seed and must give the same trace hash.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioStep } from '../src/scenario/Scenario.js';
import { compareExpectations } from '../src/scenario/expectations.js';
import { runScenarioOnEngine } from '../src/scenario/runScenarioOnEngine.js';
import { loadScenarioFolder } from './scenarioFiles.js';

function expectsEveryStep(steps: readonly ScenarioStep[]): boolean {
  return steps.every((s) => s.expect !== undefined && (s.do !== 'concurrent' || expectsEveryStep(s.steps as ScenarioStep[])));
}

for (const folder of ['peer', 'gaps']) {
  describe(`scenario library: ${folder}`, () => {
    const files = loadScenarioFolder(folder);

    it('is not empty', () => {
      expect(files.length).toBeGreaterThanOrEqual(folder === 'peer' ? 13 : 20);
    });

    for (const { path, scenario } of files) {
      it(scenario.name, async () => {
        expect(expectsEveryStep(scenario.steps), `${path}: every step states its expected result`).toBe(true);
        const first = await runScenarioOnEngine(scenario);
        expect(first.document.aborted).toBeUndefined();
        expect(compareExpectations(scenario, first.document)).toEqual([]);
        const second = await runScenarioOnEngine(scenario);
        expect(second.document.traceHash).toBe(first.document.traceHash);
      });
    }
  });
}
