/*
 * An Error built without a stack trace, for errors thrown as signals thousands of times a second
 * (an outcome of guest I/O, a checker's refused peek), where capturing the stack cost more than
 * the work around the throw. Only the message is read from them.
 */

export class StacklessError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
