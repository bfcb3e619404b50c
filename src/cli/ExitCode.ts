/*
 * What colosim's exit codes mean; scripts and CI rely on them. A failure of the tool itself (QEMU
 * that cannot start or dies, an output folder that cannot be written) is never 0 and never 1: the
 * verdict was not reached, so it gets a code of its own.
 */
export const ExitCode = {
  /** Everything ran and held. */
  Ok: 0,
  /** A property was violated, an expectation failed, or backends differ. */
  Violation: 1,
  /** Bad arguments or a malformed scenario file. */
  Usage: 2,
  /** The real engine failed: QEMU missing, failing to start, crashing or hanging. */
  Qemu: 3,
  /** The results could not be written (disk full, folder not writable). */
  Output: 4,
  /** A bug in colosim itself: one line, COLOSIM_DEBUG=1 adds the stack (please file it). */
  Internal: 70,
  /** Interrupted by SIGINT or SIGTERM; what was done so far is written. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that should end the CLI with a message and a given exit code, not a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Usage,
  ) {
    super(message);
  }
}
