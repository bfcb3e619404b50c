/*
 * A determinism rerun runs without the checker (evaluateCase.ts): what it compares, the step
 * results and the trace hash, must be those of the checked run, for generated cases with faults and
 * concurrent groups alike.
 */
import { describe, expect, it } from 'vitest';
import { caseSeed, generateDrawnCase } from './caseScenario.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { rerunUnchecked, runCase } from './runCase.js';

describe('rerunUnchecked', () => {
  it('gives the checked run its trace hash and step results, case by case', async () => {
    for (let index = 0; index < 12; index++) {
      const { scenario } = generateDrawnCase(DEFAULT_FUZZ_OPTIONS, 1, index, caseSeed(1, index));
      const checked = await runCase(scenario);
      const unchecked = await rerunUnchecked(scenario);
      expect(unchecked.traceHash).toBe(checked.traceHash);
      expect(unchecked.traceHash).toMatch(/^[0-9a-f]{16}$/);
      expect(JSON.stringify(unchecked.document.steps)).toBe(JSON.stringify(checked.document.steps));
      expect(unchecked.document.steps.length).toBe(scenario.steps.length);
    }
  });
});
