/*
 * Failover on a secondary whose active disk a failed make_empty ejected: QEMU cannot list its nodes
 * then, which the wait for the commit must not take for the failover's answer (found by
 * `colosim diff --generate 1000 --seed 1 --faults` on 7.2.22, 10.0.2 and 10.0.13, shrunk to this).
 */
import { describe, expect, it } from 'vitest';
import { diffResults } from '../check/diffResults.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import { QemuSession, runScenarioOnQemu } from './QemuBackend.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

const EJECTED_THEN_FAILOVER = parseScenario({
  colosim: 1,
  name: 'failover-after-ejected-active',
  disk: { size: 262144, pattern: 0 },
  engine: { faults: [{ kind: 'io-error', op: 'make-empty', times: 1, node: 'active-disk', afterOps: 0, errno: 'EIO' }] },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'stop', side: 'secondary', failover: false },
    { do: 'failover', lost: 'primary' },
  ],
});

describe.runIf(RUN_QEMU_TESTS)(`failover with an ejected active disk${QEMU_SUITE_NOTE}`, () => {
  it('is ok, as the engine says: QEMU discards the failover error and no commit runs', { timeout: 60_000 }, async () => {
    const session = new QemuSession();
    try {
      const qemu = await runScenarioOnQemu(EJECTED_THEN_FAILOVER, { session });
      expect(qemu.steps.map(({ index, do: what, ok, error }) => ({ index, do: what, ok, error }))).toEqual([
        { index: 0, do: 'start', ok: false, error: 'Failed to empty active-disk.qcow2: Input/output error' },
        { index: 1, do: 'stop', ok: false, error: 'Backup job was cancelled unexpectedly' },
        { index: 2, do: 'failover', ok: true, error: undefined },
      ]);
      const { document: engine } = await runScenarioOnEngine(EJECTED_THEN_FAILOVER);
      expect(diffResults(engine, qemu)).toEqual({ differences: [], compared: 3, skipped: 0, setCompared: 0 });
    } finally {
      await session.close();
    }
  });
});
