/*
 * Swarm testing (Groce et al.; FoundationDB and TigerBeetle use it): before its steps, each case
 * draws which step kinds and fault kinds it may use at all, and the shape of its disks. A case
 * without reads writes more, a case with only stops and checkpoints tries their orders densely, and
 * a combination that a fixed mix makes rare (a slow commit with status queries racing it) comes up
 * in a few percent of cases instead of never. The draw is part of the case, so it shrinks with it.
 */
import fc from 'fast-check';
import type { FaultMode } from './FuzzOptions.js';

/** Step kinds a case may enable; "concurrent" groups draw their members from the enabled ones. */
export const SWARM_OPS = [
  'write-primary',
  'write-secondary',
  'read-primary',
  'read-secondary',
  'read-secondary-disk',
  'zero-primary',
  'zero-secondary',
  'discard-primary',
  'discard-secondary',
  'flush',
  'checkpoint',
  'checkpoint-side',
  'status',
  'failover',
  'lose-secondary',
  'wait',
  'start',
  'stop',
  'close',
  'concurrent',
] as const;
export type SwarmOp = (typeof SWARM_OPS)[number];

/** The guest I/O kinds: a case enables at least one, so every case has data to check. */
export const SWARM_IO_OPS: readonly SwarmOp[] = ['write-primary', 'write-secondary', 'read-primary', 'read-secondary', 'zero-primary', 'zero-secondary', 'discard-primary', 'discard-secondary', 'flush'];

export const SWARM_FAULTS = ['latency', 'crash', 'io-error', 'make-empty', 'link-drop', 'backup-fail', 'commit-failure'] as const;
export type SwarmFault = (typeof SWARM_FAULTS)[number];
const TOLERATED: readonly SwarmFault[] = ['latency', 'crash'];

export interface Swarm {
  readonly ops: readonly SwarmOp[];
  readonly faults: readonly SwarmFault[];
  /** The failover commit is paced slowly, so steps concurrent with a failover run while it is in flight. */
  readonly slowCommit: boolean;
}

export function swarmArbitrary(mode: FaultMode): fc.Arbitrary<Swarm> {
  const allowed = mode === 'none' ? [] : mode === 'tolerated' ? TOLERATED : SWARM_FAULTS;
  return fc
    .record({
      // Most cases enable everything, as the campaign did before swarms; the rest enable a subset.
      ops: fc.oneof({ weight: 1, arbitrary: fc.constant([...SWARM_OPS]) }, { weight: 3, arbitrary: fc.subarray([...SWARM_OPS], { minLength: 1 }) }),
      faults: allowed.length === 0 ? fc.constant([]) : fc.oneof(fc.constant([...allowed]), fc.subarray([...allowed], { minLength: 1 })),
      slowCommit: fc.boolean(),
    })
    .map(({ ops, faults, slowCommit }) => ({ ops: ops.some((o) => SWARM_IO_OPS.includes(o)) ? ops : ['write-primary', ...ops], faults, slowCommit }));
}

/** The whole swarm enabled: what callers get that do not draw one. */
export const FULL_SWARM: Swarm = { ops: SWARM_OPS, faults: SWARM_FAULTS, slowCommit: false };
