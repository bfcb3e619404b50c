/*
 * The differential property on real QEMU: generated scenarios (src/check/differential.ts: one small
 * disk, no faults, control steps and aligned/unaligned guest I/O on both VMs and on the disks) give
 * the same results on the engine and on QEMU 7.2, up to documented divergences. A difference is
 * shrunk to a minimal scenario file under reports/differential/ (replay: colosim diff FILE); the
 * seed is printed so the run can be repeated (COLOSIM_DIFF_SEED=<seed>, COLOSIM_DIFF_RUNS=<n>).
 * Without QEMU the suite is skipped with a notice (CI=true makes it run and fail instead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDifferential } from '../src/check/differential.js';
import { QemuSession } from '../src/qemu/QemuBackend.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../src/qemu/qemuTestSupport.js';

const RUNS = Math.max(50, Number(process.env.COLOSIM_DIFF_RUNS ?? 100));
const SEED = process.env.COLOSIM_DIFF_SEED === undefined ? Date.now() % 0x7fffffff : Number(process.env.COLOSIM_DIFF_SEED);

describe.runIf(RUN_QEMU_TESTS)(`engine and QEMU on generated scenarios${QEMU_SUITE_NOTE}`, () => {
  let session: QemuSession;
  beforeAll(() => {
    session = new QemuSession();
  });
  afterAll(async () => {
    await session?.close();
  });

  it(`${RUNS} generated scenarios give the same results on both backends (seed ${SEED})`, async () => {
    const result = await checkDifferential({ session, runs: RUNS, seed: SEED });
    // QEMU failing (not starting twice, hanging, crashing unpredicted) is no verdict: say so first.
    expect(result.qemuFailure?.message, `seed ${SEED}: QEMU failed`).toBeUndefined();
    const failure = result.failure;
    const message = failure
      ? `seed ${SEED}: engine and QEMU differ; minimal scenario ${failure.file} (colosim diff ${failure.file}): ${JSON.stringify(failure.differences)}`
      : '';
    expect(failure, message).toBeUndefined();
    expect(result.scenarios).toBe(RUNS);
    expect(result.compared).toBeGreaterThan(RUNS * 3);
  }, 240_000);
});
