/*
 * Base class of errors that are outcomes, not bugs: a failed guest I/O, QEMU's error message, a
 * lost side. A fuzz campaign throws thousands of them a second, so they are built without a stack
 * trace (StacklessError).
 */
import { StacklessError } from './StacklessError.js';

export class OutcomeError extends StacklessError {}
