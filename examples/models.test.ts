/*
 * A user's scenario, written in code with its expected results, checked three ways through the
 * public API: the expectations on the engine, the statecharts and data model (checkAgainstModels),
 * and, where QEMU is installed, the same results from real QEMU (runOnQemu).
 */
import { execFileSync } from 'node:child_process';
import { buildScenario, checkAgainstModels, compareExpectations, formatScenario, parseScenarioText, runOnEngine, runOnQemu } from 'colosim';
import { describe, expect, it } from 'vitest';

const scenario = buildScenario({
  name: 'user/failover-keeps-the-write',
  disk: { size: 1048576 },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'write', vm: 'primary', offset: 4096, length: 8192, pattern: 0x5a },
    { do: 'checkpoint', side: 'both' },
    { do: 'status', side: 'secondary', expect: { replicationError: false } },
    { do: 'failover' },
    { do: 'read', vm: 'secondary', offset: 0, length: 16384, expect: { ok: true, runs: [[0, 4096], [0x5a, 8192], [0, 4096]] } },
    { do: 'start', side: 'primary', expect: { ok: false } },
  ],
});

const hasQemu = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v qemu-system-x86_64 && command -v qemu-img'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a user scenario through the API', () => {
  it('writes as a scenario file that parses back to itself', () => {
    expect(parseScenarioText(formatScenario(scenario))).toEqual(scenario);
  });

  it('meets its expectations on the engine', async () => {
    expect(compareExpectations(scenario, await runOnEngine(scenario))).toEqual([]);
  });

  it('conforms to the statecharts and the data model', async () => {
    const checked = await checkAgainstModels(scenario);
    expect(checked.violations).toEqual([]);
    expect(checked.checks.conformance).toBeGreaterThan(0);
    expect(checked.dataCheck.checked).toBe(checked.dataCheck.diskSteps);
    expect(Object.keys(checked.coverage.transitions).length).toBeGreaterThan(3);
  });

  it.runIf(hasQemu)('gives the same step results on QEMU', { timeout: 120_000 }, async () => {
    const outcome = (steps: readonly { ok: boolean; runs?: unknown }[]) => steps.map((s) => [s.ok, s.runs]);
    const [engine, qemu] = [await runOnEngine(scenario), await runOnQemu(scenario)];
    expect(qemu.backend).toBe('qemu');
    expect(compareExpectations(scenario, qemu)).toEqual([]);
    expect(outcome(qemu.steps)).toEqual(outcome(engine.steps));
  });
});
