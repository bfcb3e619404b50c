import { describe, expect, it } from 'vitest';
import { parseScenario } from './parseScenario.js';
import { showValue, stepAt } from './stepAt.js';

const scenario = parseScenario({
  colosim: 1,
  name: 'positions',
  disk: { size: 262144, pattern: 90 },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'concurrent', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 }, { do: 'read', vm: 'secondary', offset: 512, length: 512 }] },
  ],
});

describe('stepAt', () => {
  it('finds a top-level step and a part of a concurrent group by position', () => {
    expect(stepAt(scenario, '0')).toEqual({ do: 'start', side: 'both' });
    expect(stepAt(scenario, '1.1')).toEqual({ do: 'read', vm: 'secondary', offset: 512, length: 512 });
  });
  it('is undefined for a position outside the scenario or not a number', () => {
    expect(stepAt(scenario, '2')).toBeUndefined();
    expect(stepAt(scenario, '1.2')).toBeUndefined();
    expect(stepAt(scenario, 'end')).toBeUndefined();
  });
  it('gives a sub-position of a plain step the step itself', () => {
    expect(stepAt(scenario, '0.3')).toEqual({ do: 'start', side: 'both' });
  });
});

describe('showValue', () => {
  it('prints JSON, or a dash where a side has no value', () => {
    expect(showValue(undefined)).toBe('-');
    expect(showValue('EIO')).toBe('"EIO"');
    expect(showValue({ ok: true })).toBe('{"ok":true}');
  });
});
