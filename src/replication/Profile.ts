/*
 * The behaviours colosim can run: QEMU 7.2 (what Debian bookworm ships), QEMU 10.0.2 (bookworm-backports)
 * and the 2016 v24 patch (the seed). Each observable difference (reference §2.9, and the failover
 * commit's start-up window of QEMU 8.2 to 10.0.12) is one named rule here; engine code asks the rule,
 * never the profile name, so a reader sees exactly where they differ. Which QEMU versions each
 * rule's values belong to is in models/replication/profiles.ts (RULE_VERSIONS).
 */

export type ProfileName = 'qemu-7.2' | 'qemu-10.0.2' | 'v24';

export interface ProfileRules {
  readonly name: ProfileName;
  /** 7.2: start/stop/checkpoint in DONE or FAILOVER are ignored (08ddb4eb6d); v24: they fail. */
  readonly ignoresRequestsAfterPromotion: boolean;
  /** v24: get_error fails unless RUNNING; 7.2: only in NONE. */
  readonly getErrorOnlyWhileRunning: boolean;
  /** v24 accepted top-id on a primary silently; 7.2 rejects it at open. */
  readonly primaryAcceptsTopId: boolean;
  /** v24: copy-before-write through a before-write notifier; 7.2: a copy-before-write filter node. */
  readonly cowMechanism: 'notifier' | 'filter';
  /** v24: secondary reads wait for overlapping in-flight COW; 7.2: COW writes to hidden serialise instead. */
  readonly readWaitsForCow: boolean;
  /**
   * v24's checkpoint dereferenced its borrowed pointer to the secondary disk unchecked: NULL before
   * start and after a successful failover, so a checkpoint then crashed the process.
   */
  readonly checkpointUsesBorrowedSecondaryDisk: boolean;
  /**
   * 7.2 checks that active and hidden still have a driver before emptying them (d470ad42ac); v24
   * called the driver of an ejected (corrupt) image through a NULL pointer.
   */
  readonly checksEjectedDisks: boolean;
  /** v24 made active/hidden empty with its own messages; 7.2 uses bdrv_make_empty's generic ones. */
  readonly v24MakeEmptyMessages: boolean;
  /** 7.2: close during FAILOVER cancels the commit (50ab0e0908); v24 left it running on a closed node. */
  readonly closeCancelsCommit: boolean;
  /**
   * Whether the failover commit records guest writes to the active disk from the moment it is
   * created. 7.2 (and v24) keep the mirror's dirty bitmap on the source, enabled at creation. From
   * 8.2 (058cfca564) the bitmap is disabled and the mirror_top filter marks writes only once the job
   * has finished its start-up scan (mirror_dirty_init): a write to a cluster the scan has already
   * passed unallocated is neither scanned nor recorded, so the pivot loses it (GitLab #3273, fixed
   * by 949a156773; Debian's 10.0.13 carries the fix).
   */
  readonly commitRecordsWritesDuringStartup: boolean;
}

export const QEMU_7_2: ProfileRules = {
  name: 'qemu-7.2',
  ignoresRequestsAfterPromotion: true,
  getErrorOnlyWhileRunning: false,
  primaryAcceptsTopId: false,
  cowMechanism: 'filter',
  readWaitsForCow: false,
  checkpointUsesBorrowedSecondaryDisk: false,
  checksEjectedDisks: true,
  v24MakeEmptyMessages: false,
  closeCancelsCommit: true,
  commitRecordsWritesDuringStartup: true,
};

/** QEMU 10.0.2: 7.2's rules except the commit's start-up window (the other 10.0 differences are the QEMU backend's business). */
export const QEMU_10_0_2: ProfileRules = {
  ...QEMU_7_2,
  name: 'qemu-10.0.2',
  commitRecordsWritesDuringStartup: false,
};

export const V24: ProfileRules = {
  name: 'v24',
  ignoresRequestsAfterPromotion: false,
  getErrorOnlyWhileRunning: true,
  primaryAcceptsTopId: true,
  cowMechanism: 'notifier',
  readWaitsForCow: true,
  checkpointUsesBorrowedSecondaryDisk: true,
  checksEjectedDisks: false,
  v24MakeEmptyMessages: true,
  closeCancelsCommit: false,
  commitRecordsWritesDuringStartup: true,
};

const RULES: Readonly<Record<ProfileName, ProfileRules>> = { 'qemu-7.2': QEMU_7_2, 'qemu-10.0.2': QEMU_10_0_2, v24: V24 };

export function profileRules(name: ProfileName): ProfileRules {
  return RULES[name];
}
