/*
 * Base class of errors that are outcomes, not bugs: a failed guest I/O, QEMU's error message, a
 * lost side. A fuzz campaign throws thousands of them a second, and capturing a stack trace for
 * each cost more than the simulation step itself, so they are built without one.
 */

export class OutcomeError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
