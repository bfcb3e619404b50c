/*
 * The outcome of one event on a model: what the caller of the QEMU operation observes (success, a
 * QMP error with QEMU's exact message, an errno for guest I/O) plus the outcomes that only a model
 * can name (a swallowed primary write error, a split write, a crash of the v24 code). `ok` and
 * `ignored` are the same answer over QMP (`{}`); `ignored` marks the "no effect" rules of §2.4.
 */

export type Outcome =
  /** Nothing has happened yet (the initial snapshot). */
  | { readonly kind: 'pending' }
  /** Success with an effect (or a documented no-op such as a primary checkpoint). */
  | { readonly kind: 'ok' }
  /** Success without any effect: the "silently ignored" rules (7.2, FAILOVER and DONE). */
  | { readonly kind: 'ignored' }
  /** The operation failed with QEMU's exact message. */
  | { readonly kind: 'error'; readonly message: string }
  /** Guest I/O failed with -EIO. */
  | { readonly kind: 'eio' }
  /** Primary write: the lower write failed, the guest sees success, the replication error is set. */
  | { readonly kind: 'swallowed' }
  /** Secondary write in FAILOVER_FAILED: split by allocation between active and secondary disk. */
  | { readonly kind: 'split' }
  /** The code dereferences freed or NULL state (v24 bugs, §9.3): QEMU dies. */
  | { readonly kind: 'crash'; readonly reason: string }
  /** An internal event for a job the node does not have: cannot happen in QEMU. */
  | { readonly kind: 'noSuchJob' }
  /** The node is not open (never opened, closed, or its QEMU crashed). */
  | { readonly kind: 'absent' }
  /** Pair only: the side's QEMU was lost in a failover (the engine's SIDE_LOST). */
  | { readonly kind: 'sideLost' };

export const PENDING: Outcome = { kind: 'pending' };
export const OK: Outcome = { kind: 'ok' };
export const IGNORED: Outcome = { kind: 'ignored' };
export const EIO: Outcome = { kind: 'eio' };
export const SWALLOWED: Outcome = { kind: 'swallowed' };
export const SPLIT: Outcome = { kind: 'split' };
export const NO_SUCH_JOB: Outcome = { kind: 'noSuchJob' };
export const ABSENT: Outcome = { kind: 'absent' };
export const SIDE_LOST: Outcome = { kind: 'sideLost' };

export function errorOutcome(message: string): Outcome {
  return { kind: 'error', message };
}

export function crashOutcome(reason: string): Outcome {
  return { kind: 'crash', reason };
}

/** One short line: `ok`, `ignored`, `error: <message>`, `EIO`, `swallowed`, `split`, `crash: <reason>`. */
export function formatOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'error':
      return `error: ${outcome.message}`;
    case 'crash':
      return `crash: ${outcome.reason}`;
    case 'eio':
      return 'EIO';
    default:
      return outcome.kind;
  }
}
