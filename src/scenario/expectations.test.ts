import { describe, expect, it } from 'vitest';
import { compareExpectations, hasExpectations } from './expectations.js';
import { parseScenario } from './parseScenario.js';
import type { ResultDocument, StepResult } from './StepResult.js';

const scenario = parseScenario({
  colosim: 1,
  name: 'expectations',
  steps: [
    { do: 'start', side: 'both' },
    { do: 'read', vm: 'primary', offset: 0, length: 1024, expect: { runs: [[0, 1024]] } },
    { do: 'stop', side: 'primary', expect: { ok: false, error: 'Block replication is not running' } },
    {
      do: 'concurrent',
      steps: [
        { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1, expect: { ok: true } },
        { do: 'read', vm: 'secondary', offset: 0, length: 512, expect: { errno: 'EIO' } },
      ],
    },
  ],
});

const doc = (steps: StepResult[]): ResultDocument => ({ scenario: 'expectations', backend: 'engine', steps });
const matching: StepResult[] = [
  { index: 0, do: 'start', ok: true },
  { index: 1, do: 'read', ok: true, runs: [[0, 1024]] },
  { index: 2, do: 'stop', ok: false, error: 'Block replication is not running' },
  {
    index: 3,
    do: 'concurrent',
    ok: false,
    steps: [
      { index: 0, do: 'write', ok: true },
      { index: 1, do: 'read', ok: false, errno: 'EIO' },
    ],
  },
];

describe('compareExpectations', () => {
  it('finds nothing when every stated field matches, ignoring fields not stated', () => {
    expect(compareExpectations(scenario, doc(matching))).toEqual([]);
  });

  it('reports each mismatching field with its step path, including sub-steps', () => {
    const results = structuredClone(matching);
    results[1]!.runs = [
      [0, 512],
      [1, 512],
    ];
    results[2]!.error = 'Block replication is running';
    results[3]!.steps![1] = { index: 1, do: 'read', ok: true, runs: [[0, 512]] };
    expect(compareExpectations(scenario, doc(results))).toEqual([
      { step: '1', field: 'runs', expected: [[0, 1024]], actual: [[0, 512], [1, 512]] },
      { step: '2', field: 'error', expected: 'Block replication is not running', actual: 'Block replication is running' },
      { step: '3.1', field: 'errno', expected: 'EIO', actual: undefined },
    ]);
  });

  it('reports steps that never ran, and skips steps the backend could not run', () => {
    expect(compareExpectations(scenario, doc(matching.slice(0, 2)))).toEqual([
      { step: '2', field: '(step)', expected: { ok: false, error: 'Block replication is not running' }, actual: 'not run' },
      { step: '3.0', field: '(step)', expected: { ok: true }, actual: 'not run' },
      { step: '3.1', field: '(step)', expected: { errno: 'EIO' }, actual: 'not run' },
    ]);
    const skipped = structuredClone(matching);
    skipped[2] = { index: 2, do: 'stop', ok: false, code: 'SKIPPED', skipped: 'QEMU cannot express it' };
    expect(compareExpectations(scenario, doc(skipped))).toEqual([]);
  });
});

describe('hasExpectations', () => {
  it('sees expectations at the top level and inside concurrent steps', () => {
    expect(hasExpectations(scenario)).toBe(true);
    expect(hasExpectations(parseScenario({ colosim: 1, name: 'x', steps: [{ do: 'start', side: 'both' }] }))).toBe(false);
    expect(
      hasExpectations(
        parseScenario({ colosim: 1, name: 'x', steps: [{ do: 'concurrent', steps: [{ do: 'checkpoint', side: 'both', expect: { ok: true } }] }] }),
      ),
    ).toBe(true);
  });
});
