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

/** The NBD export through which scenario I/O of `side` reaches `target` on disk `index`. */
export function exportName(side: 'primary' | 'secondary', target: IoTarget, index: number): string {
  const sfx = diskSuffix(index);
  if (side === 'primary') return target === 'vm' ? `primary-vm${sfx}` : target === 'replication' ? `replication-primary${sfx}` : `primary-disk${sfx}`;
  return target === 'disk' ? `secondary-disk${sfx}` : `secondary-vm${sfx}`;
}
