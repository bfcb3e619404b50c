/*
 * Shared by the QEMU tests: whether they run. Without QEMU they are skipped with a visible notice,
 * except in CI (CI=true), where they run anyway and fail with QEMU_MISSING, so a CI machine that
 * lost its QEMU cannot pass silently.
 */
import { qemuAvailable } from './QemuTools.js';

export const QEMU_INSTALLED = qemuAvailable();
export const RUN_QEMU_TESTS = QEMU_INSTALLED || process.env.CI === 'true';

if (!RUN_QEMU_TESTS) {
  console.warn('colosim: QEMU tests SKIPPED: qemu-system-x86_64/qemu-img/qemu-io not found; install qemu-system-x86 and qemu-utils to run them');
}

/** The suffix QEMU suites put in their names so a skip shows in the report. */
export const QEMU_SUITE_NOTE = RUN_QEMU_TESTS ? '' : ' (SKIPPED: QEMU is not installed)';
