/*
 * The differential property on real QEMU: generated scenarios (src/check/differential.ts: one small
 * disk, no faults, control steps and aligned/unaligned guest I/O on both VMs and on the disks) give
 * the same results on the engine and on QEMU 7.2, up to documented divergences. The seed is fixed,
 * so every run checks the same scenarios, and printed; COLOSIM_DIFF_SEED=<seed> and
 * COLOSIM_DIFF_RUNS=<n> try others. A difference is shrunk to a minimal scenario file in a temporary
 * folder (replay: colosim diff FILE), kept when the test fails and removed when it passes.
 * Without QEMU the suite is skipped with a notice (CI=true makes it run and fail instead).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDifferential } from '../src/check/differential.js';
import { QemuSession } from '../src/qemu/QemuBackend.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../src/qemu/qemuTestSupport.js';

const RUNS = Math.max(50, Number(process.env.COLOSIM_DIFF_RUNS ?? 100));
/** The seed every run uses unless COLOSIM_DIFF_SEED names another. */
const DEFAULT_SEED = 20261203;
const SEED = process.env.COLOSIM_DIFF_SEED === undefined ? DEFAULT_SEED : Number(process.env.COLOSIM_DIFF_SEED);

describe.runIf(RUN_QEMU_TESTS)(`engine and QEMU on generated scenarios${QEMU_SUITE_NOTE}`, () => {
  let session: QemuSession;
  let reportDir: string;
  let keepReport = false;
  beforeAll(() => {
    session = new QemuSession();
    reportDir = mkdtempSync(join(tmpdir(), 'colosim-differential-'));
    console.log(`qemu differential: seed ${SEED}, ${RUNS} generated scenarios (COLOSIM_DIFF_SEED=${SEED} COLOSIM_DIFF_RUNS=${RUNS} repeats this run)`);
  });
  afterAll(async () => {
    await session?.close();
    if (reportDir !== undefined && !keepReport) rmSync(reportDir, { recursive: true, force: true });
  });

  it(`${RUNS} generated scenarios give the same results on both backends (seed ${SEED})`, async () => {
    const result = await checkDifferential({ session, runs: RUNS, seed: SEED, reportDir });
    // QEMU failing (not starting twice, hanging, crashing unpredicted) is no verdict: say so first.
    expect(result.qemuFailure?.message, `seed ${SEED}: QEMU failed`).toBeUndefined();
    const failure = result.failure;
    keepReport = failure !== undefined;
    const message = failure
      ? `seed ${SEED}: engine and QEMU differ; minimal scenario ${failure.file} (colosim diff ${failure.file}): ${JSON.stringify(failure.differences)}`
      : '';
    expect(failure, message).toBeUndefined();
    expect(result.scenarios).toBe(RUNS);
    expect(result.compared).toBeGreaterThan(RUNS * 3);
  }, 240_000);
});
