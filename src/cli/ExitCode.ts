/* What colosim's exit codes mean; scripts and CI rely on them. */
export const ExitCode = {
  /** Everything ran and held. */
  Ok: 0,
  /** A property was violated, an expectation failed, or backends differ. */
  Violation: 1,
  /** Bad arguments, a malformed scenario file, or a missing dependency (e.g. QEMU). */
  Usage: 2,
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
