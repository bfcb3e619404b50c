/*
 * A user's own properties against colosim's public API, with @fast-check/vitest: generated cases
 * hold under the campaign's checker, any generated step after a COLO start conforms to the charts,
 * and a byte written through the primary reaches the secondary's disk exactly.
 */
import { fc, test } from '@fast-check/vitest';
import { type Scenario, assertCase, buildScenario, caseArbitrary, checkCase, faultsArbitrary, runOnEngine, stepArbitrary } from 'colosim';
import { describe, expect } from 'vitest';

describe('a user suite on colosim', () => {
  test.prop([caseArbitrary({ steps: 6, faults: 'tolerated' })], { numRuns: 20, seed: 7 })('generated cases hold on QEMU 7.2 rules', async (scenario) => {
    expect(await assertCase(scenario)).toBe(true);
  });

  test.prop([fc.array(stepArbitrary({ diskBytes: 131072 }), { maxLength: 5 }), faultsArbitrary({ mode: 'tolerated' })], { numRuns: 15, seed: 11 })(
    'steps after a COLO start, under tolerated faults, conform to the charts',
    async (steps, faults) => {
      const scenario: Scenario = buildScenario({
        name: 'user-steps',
        disk: { size: 131072 },
        engine: { faults },
        steps: [{ do: 'start', side: 'both' }, ...steps, { do: 'heal' }, { do: 'checkpoint', side: 'both' }, { do: 'failover' }],
      });
      const verdict = await checkCase(scenario);
      expect(verdict.violations).toEqual([]);
      expect(verdict.checks.conformance).toBeGreaterThan(0);
    },
  );

  test.prop([fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2047 }), fc.integer({ min: 1, max: 16 })], { numRuns: 25, seed: 3 })(
    'a primary write is read back from the secondary disk byte for byte',
    async (pattern, sector, sectors) => {
      const offset = sector * 512;
      const length = Math.min(sectors * 512, 1048576 - offset);
      const scenario = buildScenario({
        name: 'user-write-reaches-secondary',
        steps: [
          { do: 'start', side: 'both' },
          { do: 'write', vm: 'primary', offset, length, pattern },
          { do: 'read', vm: 'secondary', node: 'disk', offset, length },
        ],
      });
      const document = await runOnEngine(scenario);
      expect(document.steps.map((s) => s.ok)).toEqual([true, true, true]);
      expect(document.steps[2]!.runs).toEqual([[pattern, length]]);
    },
  );
});
