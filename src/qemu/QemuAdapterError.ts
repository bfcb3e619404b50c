/*
 * colosim's own errors in the QEMU adapter: each carries a stable `code` that scripts and tests
 * match on. Errors that QEMU itself reports over QMP are not these: they are QmpError, which keeps
 * QMP's `class` and `desc` unchanged.
 */

export type QemuAdapterErrorCode =
  /** qemu-system-x86_64 / qemu-img / qemu-io is not on PATH. */
  | 'QEMU_MISSING'
  /** QEMU exited before its QMP socket appeared, or a helper tool failed. */
  | 'QEMU_START_FAILED'
  /** QEMU stopped answering (a QMP wait timed out) and was killed. */
  | 'QEMU_HUNG'
  /** A QEMU process died on its own at a step where the engine predicts no crash (src/check/differential.ts). */
  | 'QEMU_CRASHED'
  /** A QMP wait (command answer, event, greeting) took longer than its timeout. */
  | 'QMP_TIMEOUT'
  /** The QMP socket closed or the QEMU process exited while a call was pending. */
  | 'QMP_CLOSED'
  /** The peer spoke something that is not QMP. */
  | 'QMP_PROTOCOL'
  /** The NBD server broke the protocol or refused the export during the handshake. */
  | 'NBD_PROTOCOL'
  /** The NBD connection closed while requests were pending, or was used after closing. */
  | 'NBD_CLOSED'
  /** An NBD request got no reply within its timeout. */
  | 'NBD_TIMEOUT'
  /** The scenario needs something the QEMU topology cannot give (a bug in the adapter). */
  | 'QEMU_TOPOLOGY';

export class QemuAdapterError extends Error {
  /** The scenario step QEMU failed at; undefined for start-up and set-up. */
  readonly step: string | undefined;

  constructor(
    readonly code: QemuAdapterErrorCode,
    message: string,
    options?: { cause?: unknown; step?: string },
  ) {
    super(message, options);
    this.name = 'QemuAdapterError';
    this.step = options?.step;
  }
}
