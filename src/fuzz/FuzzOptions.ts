/*
 * What a fuzz campaign generates: how many steps a case has at most, which faults it may draw, the
 * profile under test, and the disks. The defaults are what `colosim fuzz` runs.
 */
import type { Profile } from '../scenario/Scenario.js';

/** none: no faults; tolerated: faults the invariants must survive; all: also faults that must be reported. */
export type FaultMode = 'none' | 'tolerated' | 'all';
export const FAULT_MODES: readonly FaultMode[] = ['none', 'tolerated', 'all'];

export interface FuzzOptions {
  /** Steps per case, at most (the generator draws from 1 to this). */
  readonly steps: number;
  readonly faults: FaultMode;
  readonly profile: Profile;
  /** Virtual size of the disks, at most: a case's swarm draws this or a smaller one, down to one sector. */
  readonly diskBytes: number;
  /** Replicated disks per side, at most (a case draws 1 to this). */
  readonly maxDisks: number;
}

export const DEFAULT_FUZZ_OPTIONS: FuzzOptions = {
  steps: 50,
  faults: 'all',
  profile: 'qemu-7.2',
  diskBytes: 256 * 1024,
  maxDisks: 4,
};
