/*
 * The two behaviours colosim can run: QEMU 7.2 (what Debian ships) and the 2016 v24 patch (the seed).
 * Each difference of reference §2.9 that is observable is one named rule here; engine code asks the
 * rule, never the profile name, so a reader sees exactly where the two differ.
 */

export type ProfileName = 'qemu-7.2' | 'v24';

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
};

export function profileRules(name: ProfileName): ProfileRules {
  return name === 'v24' ? V24 : QEMU_7_2;
}
