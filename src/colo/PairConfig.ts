/* What a COLO pair is built from: the disks, the profile's rules and the timing of the simulation. */
import type { ProfileRules } from '../replication/Profile.js';
import type { ChainVariant, IoTarget, TimingSpec } from '../scenario/Scenario.js';

export interface PairConfig {
  /** Replicated disks per side. */
  readonly disks: number;
  readonly sizeBytes: number;
  /** The byte both sides' disks hold before replication starts. */
  readonly pattern: number;
  readonly rules: ProfileRules;
  readonly timing: TimingSpec;
  /** How the secondary's chain is built (a variant breaks one of start's requirements). */
  readonly chain: ChainVariant;
}

/** Node-name suffix of disk `index`: "" for the first disk, ".1", ".2" ... for the others. */
export function diskSuffix(index: number): string {
  return index === 0 ? '' : `.${index}`;
}

/**
 * The export of disk 0 through which scenario I/O of a side reaches each target. The secondary's
 * replication node is its VM's disk: its replication target is the secondary-vm export.
 */
const EXPORTS: Readonly<Record<'primary' | 'secondary', Readonly<Record<IoTarget, string>>>> = {
  primary: { vm: 'primary-vm', replication: 'replication-primary', disk: 'primary-disk' },
  secondary: { vm: 'secondary-vm', replication: 'secondary-vm', disk: 'secondary-disk' },
};

/** The NBD export through which scenario I/O of `side` reaches `target` on disk `index`. */
export function exportName(side: 'primary' | 'secondary', target: IoTarget, index: number): string {
  return `${EXPORTS[side][target]}${diskSuffix(index)}`;
}
