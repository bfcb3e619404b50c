/*
 * An error QEMU reports through Error **errp (QMP class GenericError), carrying QEMU's exact text.
 * Replication operations throw it; the pair returns its message as the step's error.
 */

import { OutcomeError } from '../util/OutcomeError.js';

export class QemuError extends OutcomeError {
  readonly qmpClass = 'GenericError';
}

export function isQemuError(error: unknown): error is QemuError {
  return error instanceof QemuError;
}
