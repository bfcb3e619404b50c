/*
 * Shared by the QEMU tests: whether they run. Without QEMU they are skipped with a visible notice,
 * except in CI (CI=true), where they run anyway and fail with QEMU_MISSING, so a CI machine that
 * lost its QEMU cannot pass silently.
 */
import { existsSync } from 'node:fs';
import { qemuAvailable } from './QemuTools.js';

export const QEMU_INSTALLED = qemuAvailable();
export const RUN_QEMU_TESTS = QEMU_INSTALLED || process.env.CI === 'true';

if (!RUN_QEMU_TESTS) {
  console.warn('colosim: QEMU tests SKIPPED: qemu-system-x86_64/qemu-img/qemu-io not found; install qemu-system-x86 and qemu-utils to run them');
}

/** The suffix QEMU suites put in their names so a skip shows in the report. */
export const QEMU_SUITE_NOTE = RUN_QEMU_TESTS ? '' : ' (SKIPPED: QEMU is not installed)';

/** Where QEMU 10.0.2 (scripts/install-qemu.sh 10.0) is; COLOSIM_QEMU_10_0_DIR overrides the default prefix. */
export const QEMU_10_0_DIR = process.env.COLOSIM_QEMU_10_0_DIR ?? '/opt/qemu-10.0';
/** Tests on 10.0.2 run when it is installed, and always in CI (where .ci/run installs it). */
export const RUN_QEMU_10_TESTS = (RUN_QEMU_TESTS && existsSync(`${QEMU_10_0_DIR}/bin/qemu-system-x86_64`)) || process.env.CI === 'true';
export const QEMU_10_SUITE_NOTE = RUN_QEMU_10_TESTS ? '' : ` (SKIPPED: QEMU 10.0.2 is not installed in ${QEMU_10_0_DIR}: bash scripts/install-qemu.sh 10.0)`;
