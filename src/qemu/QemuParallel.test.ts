/*
 * Concurrent sub-steps on NBD connections of their own (parallelConnections, issue 12 §3): two
 * overlapping secondary writes of one concurrent step both succeed, and the bytes they leave are one
 * of the two orders QEMU may have applied them in (the set admitted, not one value); the run records
 * the QEMU version it ran on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.js';
import { QemuSession, runScenarioOnQemu } from './QemuBackend.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

describe.runIf(RUN_QEMU_TESTS)(`parallel NBD connections${QEMU_SUITE_NOTE}`, () => {
  const session = RUN_QEMU_TESTS ? new QemuSession() : undefined;
  afterAll(() => session?.close());

  it('runs overlapping concurrent writes on separate connections; the result is one of the two orders', { timeout: 60_000 }, async () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'parallel-overlap',
      disk: { size: 1048576, pattern: 0 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'concurrent', steps: [
          { do: 'write', vm: 'secondary', offset: 0, length: 8192, pattern: 1 },
          { do: 'write', vm: 'secondary', offset: 4096, length: 8192, pattern: 2 },
        ] },
        { do: 'read', vm: 'secondary', offset: 0, length: 12288 },
      ],
    });
    const doc = await runScenarioOnQemu(scenario, { session, parallelConnections: true });
    expect(doc.qemuVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.steps[1]!.steps!.map((s) => s.ok)).toEqual([true, true]);
    const admitted = [
      JSON.stringify([[1, 4096], [2, 8192]]),
      JSON.stringify([[1, 8192], [2, 4096]]),
    ];
    expect(admitted).toContain(JSON.stringify(doc.steps[2]!.runs));
  });
});
