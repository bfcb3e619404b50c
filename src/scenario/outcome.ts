/*
 * How an operation's end becomes a step result: QEMU's message for a command error, the errno for
 * failed guest I/O, colosim's own coded errors for a lost or crashed side. Anything else is a bug
 * in colosim and is rethrown.
 */
import { isBlockError } from '../block/BlockError.js';
import { isQemuError } from '../replication/QemuError.js';
import { isSimulatedCrash } from '../sim/SimulatedCrash.js';
import { OutcomeError } from '../util/OutcomeError.js';
import type { StepResult } from './StepResult.js';

export type Outcome = Omit<StepResult, 'index' | 'do'>;

/** A step addressed to a side whose process is gone. */
export class SideLostError extends OutcomeError {
  readonly code = 'SIDE_LOST';
  constructor(readonly side: string) {
    super(sideLostMessage(side));
  }
}

/** I/O aimed at an export the side does not have (e.g. a chain variant without a secondary disk export). */
export class NoExportError extends OutcomeError {
  readonly code = 'NO_EXPORT';
  constructor(readonly exportName: string) {
    super(`colosim: no NBD export named ${exportName}`);
  }
}

export function sideLostMessage(side: string): string {
  return `colosim: the ${side} side is lost`;
}

export function outcomeOf(error: unknown): Outcome {
  if (isQemuError(error)) return { ok: false, error: error.message };
  if (isBlockError(error)) return { ok: false, errno: error.errno };
  if (error instanceof SideLostError || error instanceof NoExportError) return { ok: false, error: error.message, code: error.code };
  if (isSimulatedCrash(error)) {
    // A planned crash fault loses the side; any other crash is what QEMU itself would have done.
    return error.injected
      ? { ok: false, error: sideLostMessage(error.side), code: 'SIDE_LOST' }
      : { ok: false, error: `colosim: ${error.message}`, code: 'CRASH' };
  }
  throw error;
}
