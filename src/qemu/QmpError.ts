/*
 * An error answer from QEMU's monitor: `{"error": {"class": ..., "desc": ...}}`. The class and the
 * description are kept exactly as QEMU sent them, because the differential harness compares them
 * with the engine's messages byte for byte.
 */

export class QmpError extends Error {
  readonly code = 'QMP_ERROR';

  constructor(
    /** QMP's error class, e.g. "GenericError". */
    readonly errorClass: string,
    /** QMP's human-readable description, unchanged. */
    readonly desc: string,
    /** The command that failed. */
    readonly command: string,
  ) {
    super(desc);
    this.name = 'QmpError';
  }

  /** QMP's `class` under its own name, for callers that mirror the wire format. */
  get class(): string {
    return this.errorClass;
  }
}
