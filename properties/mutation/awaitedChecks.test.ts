/*
 * The five mutants that once awaited a check or a generator shape, each on the shortest scenario
 * that shows it: on the clean engine the scenario holds (and the check ran), on the mutated one
 * the checker names exactly what went wrong. The campaign finds them too (mutants.property.test.ts);
 * this pins which check sees each, and with which words.
 */
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../src/check/checkScenario.js';
import { parseScenario } from '../../src/scenario/parseScenario.js';
import { MUTANTS } from './mutants.js';

type Json = Record<string, unknown>;

const scenario = (name: string, steps: Json[], extra: Json = {}) => parseScenario({ colosim: 1, name, disk: { size: 131072, pattern: 7 }, steps, ...extra });

const CASES = [
  {
    mutant: 'quorum-needs-every-child',
    scenario: scenario('write-before-start', [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 }]),
    violation: 'conformance at step 0: primary VM write (step 0): the quorum\'s children answered ok, EIO, so vote-threshold 1 answers ok; the VM got EIO',
  },
  {
    mutant: 'quorum-error-of-first-child',
    scenario: scenario('both-children-fail', [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 }], {
      engine: { faults: [{ kind: 'io-error', node: 'primary-disk', op: 'write', errno: 'ENOSPC' }] },
    }),
    violation: 'conformance at step 0: primary VM write (step 0): the quorum\'s children answered ENOSPC, EIO, so vote-threshold 1 answers EIO; the VM got ENOSPC',
  },
  {
    mutant: 'commit-does-not-pivot',
    scenario: scenario('read-after-failover', [{ do: 'start', side: 'both' }, { do: 'failover' }, { do: 'read', vm: 'secondary', offset: 0, length: 512 }]),
    violation: 'failover-preserves-view at step 2: secondary VM read [0,+512] on disk 0 after the failover completed failed with EINVAL, though no fault struck it',
  },
  {
    mutant: 'close-leaves-commit',
    scenario: scenario(
      'close-during-commit',
      [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'secondary', offset: 0, length: 131072, pattern: 2 },
        { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'close', side: 'secondary' }] },
      ],
      { engine: { timing: { commitChunkBytes: 65536, commitPaceTicks: 1000000 } } },
    ),
    violation: 'conformance at step 2: commit copied [0,+65536] after replication-secondary was closed: close must cancel the node\'s jobs and wait for them',
  },
  {
    mutant: 'write-zeroes-skips-cow',
    scenario: scenario('zeroes-through-the-filter', [
      { do: 'start', side: 'both' },
      { do: 'write-zeroes', vm: 'secondary', node: 'disk', offset: 0, length: 512 },
      { do: 'read', vm: 'secondary', offset: 0, length: 512 },
    ]),
    violation: 'cow-isolation at step 1: the secondary VM\'s view: byte at 0 is 0x00, the data model allows 0x07',
  },
];

describe('the checks that once were missing see their mutant', () => {
  for (const c of CASES) {
    it(`${c.mutant}: clean, the scenario holds; mutated, the first violation is the expected one`, async () => {
      const clean = await checkScenario(c.scenario, {}, { spec: 'qemu-7.2' });
      expect(clean.violations).toEqual([]);
      const invariant = c.violation.slice(0, c.violation.indexOf(' '));
      expect(clean.checks.get(invariant as never) ?? 0).toBeGreaterThan(0);
      const undo = MUTANTS.find((m) => m.name === c.mutant)!.apply();
      try {
        const mutated = await checkScenario(c.scenario, {}, { spec: 'qemu-7.2' });
        const first = mutated.violations[0];
        expect(first && `${first.invariant} at step ${first.step}: ${first.message}`).toBe(c.violation);
      } finally {
        undo();
      }
    });
  }
});
