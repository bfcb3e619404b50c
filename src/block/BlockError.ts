/*
 * A failed block-layer request. QEMU's block functions return a negative errno; colosim throws a
 * BlockError carrying the errno name, and guest-facing results report that name ("EIO").
 */
import type { Errno } from '../sim/errno.js';
import { OutcomeError } from '../util/OutcomeError.js';

export class BlockError extends OutcomeError {
  constructor(
    readonly errno: Errno,
    message: string = errno,
  ) {
    super(message);
  }
}

export function isBlockError(error: unknown): error is BlockError {
  return error instanceof BlockError;
}
