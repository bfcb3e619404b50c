/* What a COLO pair is built from: the disks, the profile's rules and the timing of the simulation. */
import type { ProfileRules } from '../replication/Profile.js';
import type { TimingSpec } from '../scenario/Scenario.js';

export interface PairConfig {
  /** Replicated disks per side. */
  readonly disks: number;
  readonly sizeBytes: number;
  /** The byte both sides' disks hold before replication starts. */
  readonly pattern: number;
  readonly rules: ProfileRules;
  readonly timing: TimingSpec;
}

/** Node-name suffix of disk `index`: "" for the first disk, ".1", ".2" ... for the others. */
export function diskSuffix(index: number): string {
  return index === 0 ? '' : `.${index}`;
}
