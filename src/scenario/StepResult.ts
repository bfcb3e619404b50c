/*
 * The result document every backend prints for a scenario: one entry a step, in the step's order.
 * Control steps carry QEMU's exact error message; guest I/O carries an errno name; reads carry
 * their data as run-length encoding; status carries query-xen-replication-status's answer.
 */

export type Backend = 'engine' | 'qemu';

/** Run-length encoding of bytes: [[byte, count], ...], adjacent runs never share a byte. */
export type Runs = [number, number][];

export interface StepResult {
  index: number;
  do: string;
  ok: boolean;
  /** A failed control step: QEMU's message (or colosim's own, with a code). */
  error?: string;
  /** colosim's own stable error code, when the error is not QEMU's (e.g. SIDE_LOST). */
  code?: string;
  /** A failed guest I/O: the errno name, e.g. "EIO". */
  errno?: string;
  /** A successful read. */
  runs?: Runs;
  /** A status step. */
  replicationError?: boolean;
  desc?: string;
  /** A concurrent step: the results of its sub-steps. */
  steps?: StepResult[];
  /**
   * Why this backend could not run the step (e.g. QEMU cannot express it); such a step is not
   * compared. A skipped step has `ok: false` and `code: "SKIPPED"`.
   */
  skipped?: string;
}

/** A scenario-level part a backend could not express (e.g. an engine-only fault), with its path in the file. */
export interface SkippedItem {
  /** Where in the scenario, e.g. "engine.faults[1]" or "chain". */
  where: string;
  reason: string;
}

export interface ResultDocument {
  scenario: string;
  backend: Backend;
  steps: StepResult[];
  /** The QEMU build that ran it, from query-version ("10.0.2"); QEMU backend only. */
  qemuVersion?: string;
  /** The engine's trace hash (same seed, same hash); absent for QEMU. */
  traceHash?: string;
  /**
   * The run stopped early: a deadlock, a simulation bound, a schedule that drifted from its
   * recording, or ENGINE_BUG (an exception nothing models, with its stack).
   */
  aborted?: { step: number; code: string; message: string; stack?: string };
  /** Scenario-level parts this backend did not reproduce; absent when it reproduced everything. */
  skipped?: SkippedItem[];
}
