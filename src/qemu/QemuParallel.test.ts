/*
 * Concurrent sub-steps on NBD connections of their own (parallelConnections, issue 12 §3): two
 * overlapping secondary writes of one concurrent step both succeed, and the bytes they leave are one
 * of the two orders QEMU may have applied them in (the set admitted, not one value); the run records
 * the QEMU version it ran on. A primary request in flight when a concurrent failover kills the
 * primary answers ok (it finished first) or SIDE_LOST (lost with the side), never a QEMU failure.
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

  it('answers a primary discard in flight when a concurrent failover kills the primary with ok or SIDE_LOST', { timeout: 60_000 }, async () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'discard-under-failover',
      disk: { size: 262144, pattern: 159 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'concurrent', steps: [{ do: 'discard', vm: 'primary', offset: 168448, length: 89088 }, { do: 'failover', lost: 'primary' }] },
        { do: 'read', vm: 'primary', offset: 0, length: 512 },
      ],
    });
    const doc = await runScenarioOnQemu(scenario, { session });
    const discard = doc.steps[1]!.steps![0]!;
    expect([JSON.stringify({ index: 0, do: 'discard', ok: true }), JSON.stringify({ index: 0, do: 'discard', ok: false, error: 'colosim: the primary side is lost', code: 'SIDE_LOST' })]).toContain(JSON.stringify(discard));
    expect(doc.steps[1]!.steps![1]).toEqual({ index: 1, do: 'failover', ok: true });
    expect(doc.steps[2]).toEqual({ index: 2, do: 'read', ok: false, error: 'colosim: the primary side is lost', code: 'SIDE_LOST' });
  });
});
