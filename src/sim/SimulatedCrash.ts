/*
 * A simulated process died: QEMU would have aborted, failed an assertion or dereferenced a freed
 * or NULL pointer here, or a crash fault fired. It is an outcome of the system under test, reported
 * as "the side crashed", never a JavaScript exception escaping the simulation.
 */

import { OutcomeError } from '../util/OutcomeError.js';

export class SimulatedCrash extends OutcomeError {
  readonly code = 'CRASH';
  constructor(
    /** Which process crashed, e.g. "secondary". */
    readonly side: string,
    /** What QEMU would have done, e.g. "NULL dereference of the secondary disk in secondary_do_checkpoint". */
    readonly reason: string,
    /** True when a crash fault of the plan fired (the side is lost on purpose), false for a bug. */
    readonly injected = false,
  ) {
    super(`the ${side} side crashed: ${reason}`);
  }
}

export function isSimulatedCrash(error: unknown): error is SimulatedCrash {
  return error instanceof SimulatedCrash;
}
