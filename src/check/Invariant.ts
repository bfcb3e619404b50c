/*
 * The named properties colosim checks. A safety invariant says something bad never happens in any
 * state reached; a liveness invariant says something good eventually happens once faults stop.
 * Every violation names one of these, so counts and counterexamples speak the same language.
 */

export type InvariantKind = 'safety' | 'liveness';

export const INVARIANTS = {
  'cow-isolation': { kind: 'safety', says: 'Between checkpoints the secondary VM never sees the primary\'s new writes: copy-before-write keeps the old content in hidden.' },
  'cow-first-copy-wins': { kind: 'safety', says: 'A cluster is copied into hidden at most once per epoch; later primary writes never overwrite the copy.' },
  'secondary-tracks-primary': { kind: 'safety', says: 'Every sector-aligned primary write that succeeded locally while replication runs reaches the secondary disk, or its failure is reported by get_error.' },
  'checkpoint-sync': { kind: 'safety', says: 'After a successful checkpoint active and hidden are empty and the secondary VM sees the secondary disk, which equals the primary disk.' },
  'failover-preserves-view': { kind: 'safety', says: 'A successful failover leaves the secondary VM\'s view exactly as it was (last checkpoint plus its own writes), now held by the secondary disk.' },
  'failover-failed-routing': { kind: 'safety', says: 'After a failed commit the view is unchanged, reads keep working, and new writes go to active where it shadows the secondary disk and to the secondary disk elsewhere.' },
  'primary-swallows-errors': { kind: 'safety', says: 'A primary write never fails because of the secondary while RUNNING; a swallowed failure makes get_error report "I/O error occurred" until the primary stops.' },
  'no-io-before-start': { kind: 'safety', says: 'Before start every replication node fails reads and writes with EIO, and a primary node never serves reads.' },
  'stage-monotonic': { kind: 'safety', says: 'Stages only move NONE -> RUNNING -> (DONE | FAILOVER -> (DONE | FAILOVER_FAILED)).' },
  'ignore-after-promotion': { kind: 'safety', says: 'In DONE and FAILOVER, start, stop and checkpoint succeed without effect (QEMU 7.2), and never crash.' },
  'framework-order': { kind: 'safety', says: 'The *_all operations visit nodes newest first and stop at the first error.' },
  'no-lost-acknowledged-write': { kind: 'safety', says: 'A write the secondary VM saw succeed stays readable until the next checkpoint, through failover.' },
  'crash-explained': { kind: 'safety', says: 'A process ends only when a crash fault fires there, an operation answers the crash the chart gives, or a rule of QEMU (block-copy\'s conflict assertion, v24\'s commit callback on a closed node) aborts it; a crash fault that fires ends its process.' },
  'conformance': { kind: 'safety', says: 'Every operation\'s outcome (success, QEMU\'s exact message, errno) is the one the replication statechart gives.' },
  'liveness': { kind: 'liveness', says: 'Once faults stop, a checkpoint or failover completes within the bound of simulated time, without deadlock.' },
  'determinism': { kind: 'safety', says: 'The same case run twice gives the same trace hash and the same results.' },
  'engine-error': { kind: 'safety', says: 'The engine never throws outside its modelled outcomes (QEMU\'s errors, errnos, crashes, lost sides, liveness stops).' },
} as const satisfies Record<string, { kind: InvariantKind; says: string }>;

export type InvariantName = keyof typeof INVARIANTS;

export const INVARIANT_NAMES = Object.keys(INVARIANTS) as InvariantName[];

/** A check that failed: which invariant, at which step, and what was seen. */
export interface Violation {
  readonly invariant: InvariantName;
  readonly kind: InvariantKind;
  /** Index of the top-level step (the liveness phase uses the number of steps). */
  readonly step: number;
  readonly message: string;
}

export function violation(invariant: InvariantName, step: number, message: string): Violation {
  return { invariant, kind: INVARIANTS[invariant].kind, step, message };
}
