/*
 * The scenario library on real QEMU: every file of properties/scenarios/{peer,gaps} runs on QEMU 7.2
 * and on the engine, and the two result documents must be identical (diffResults), except where a
 * documented divergence (src/qemu/divergences.ts) lists exactly the differences that file shows, so
 * a divergence that disappears or changes fails here too. Divergences found by the generator carry
 * their own reproducer scenario and are checked the same way. Steps QEMU skips must say why.
 * Without QEMU the suite is skipped with a notice (CI=true makes it run and fail instead).
 */
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffResults } from '../src/check/diffResults.js';
import { QemuSession, runScenarioOnQemu } from '../src/qemu/QemuBackend.js';
import { DIVERGENCES, type Divergence, matchesDivergence } from '../src/qemu/divergences.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../src/qemu/qemuTestSupport.js';
import type { Scenario } from '../src/scenario/Scenario.js';
import type { StepResult } from '../src/scenario/StepResult.js';
import { parseScenario } from '../src/scenario/parseScenario.js';
import { runScenarioOnEngine } from '../src/scenario/runScenarioOnEngine.js';
import { loadScenarioFolder } from './scenarioFiles.js';

function skippedWithoutReason(steps: readonly StepResult[]): StepResult[] {
  return steps.flatMap((s) => [
    ...(s.skipped !== undefined && (s.skipped.trim() === '' || s.code !== 'SKIPPED' || s.ok) ? [s] : []),
    ...skippedWithoutReason(s.steps ?? []),
  ]);
}

describe.runIf(RUN_QEMU_TESTS)(`scenario library on QEMU${QEMU_SUITE_NOTE}`, () => {
  let session: QemuSession;
  beforeAll(() => {
    session = new QemuSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  async function expectSameAsEngine(scenario: Scenario, divergence: Divergence | undefined): Promise<void> {
    const { document: engine } = await runScenarioOnEngine(scenario);
    const qemu = await runScenarioOnQemu(scenario, { session });
    expect(qemu.steps).toHaveLength(scenario.steps.length);
    expect(skippedWithoutReason(qemu.steps), 'a skipped step says why').toEqual([]);
    const { differences } = diffResults(engine, qemu);
    if (divergence === undefined) expect(differences).toEqual([]);
    else expect(matchesDivergence(divergence, differences), `divergence ${divergence.id}`).toEqual([]);
  }

  for (const folder of ['peer', 'gaps']) {
    for (const { path, scenario } of loadScenarioFolder(folder)) {
      const file = `${folder}/${basename(path)}`;
      it(`${file} gives the engine's results`, async () => {
        await expectSameAsEngine(scenario, DIVERGENCES.find((d) => d.scenario === file));
      });
    }
  }

  for (const divergence of DIVERGENCES.filter((d) => d.reproducer !== undefined)) {
    it(`divergence ${divergence.id} still shows on its reproducer`, async () => {
      await expectSameAsEngine(parseScenario(divergence.reproducer), divergence);
    });
  }

  it('every divergence of a library file names a file that exists', () => {
    const names = new Set(['peer', 'gaps'].flatMap((f) => loadScenarioFolder(f).map(({ path }) => `${f}/${basename(path)}`)));
    for (const d of DIVERGENCES.filter((x) => x.reproducer === undefined)) expect(names.has(d.scenario), d.scenario).toBe(true);
  });
});
