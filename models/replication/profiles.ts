/*
 * The behaviours the models describe: QEMU 7.2 (reference §2), the 2016 v24 patch (§2.9), and QEMU
 * 10.0.2, whose replication node follows 7.2's chart and differs only in the failover commit's
 * start-up window (a data rule, RULE_VERSIONS below). The models keep their own reading of each
 * rule, importing only types from the engine's side: the names are the engine's
 * (src/replication/Profile.ts), so a renamed rule fails to compile here, while the values are the
 * models' own, so a wrong value on either side shows up as a disagreement in the cross-check.
 */
import type { ProfileRules } from '../../src/replication/Profile.js';
import type { Profile } from '../../src/scenario/Scenario.js';

/** The profiles whose node charts differ, each enumerated by the path generators and the outcome table. */
export type ModelProfile = 'qemu-7.2' | 'v24';
export const MODEL_PROFILES: readonly ModelProfile[] = ['qemu-7.2', 'v24'];

/** The QEMU each profile stands for, as a version range (the v24 patch was never in a release). */
export const PROFILE_QEMU: Readonly<Record<Profile, string>> = {
  'qemu-7.2': '7.2.22',
  'qemu-10.0.2': '10.0.2',
  v24: 'none (the 2016 v24 patch)',
};

/**
 * Which QEMU versions each rule's value belongs to: every rule of Profile.ts, with the versions its
 * true and its false value hold for ("v24": the patch only, never a release). Where the change is
 * known, the range and the commit; otherwise the versions colosim checked it on. The data model
 * (models/data/ReplicationData.ts) follows the true side of commitRecordsWritesDuringStartup under
 * every profile: a write lost in the start-up window is a violation, whichever profile ran.
 */
export const RULE_VERSIONS: Readonly<Record<Exclude<keyof ProfileRules, 'name'>, { readonly true: string; readonly false: string }>> = {
  ignoresRequestsAfterPromotion: { true: '7.2.22, 10.0.2 (08ddb4eb6d)', false: 'v24' },
  getErrorOnlyWhileRunning: { true: 'v24', false: '7.2.22, 10.0.2' },
  primaryAcceptsTopId: { true: 'v24', false: '7.2.22, 10.0.2' },
  readWaitsForCow: { true: 'v24', false: '7.2.22, 10.0.2' },
  checkpointUsesBorrowedSecondaryDisk: { true: 'v24', false: '7.2.22, 10.0.2' },
  checksEjectedDisks: { true: '7.2.22, 10.0.2 (d470ad42ac)', false: 'v24' },
  v24MakeEmptyMessages: { true: 'v24', false: '7.2.22, 10.0.2' },
  closeCancelsCommit: { true: '7.2.22, 10.0.2 (50ab0e0908)', false: 'v24' },
  commitRecordsWritesDuringStartup: { true: '<8.2, >=10.0.13 (949a156773, GitLab #3273)', false: '>=8.2 <10.0.13 (058cfca564)' },
  // Not a boolean: "true" reads as the copy-before-write filter node, "false" as the before-write notifier.
  cowMechanism: { true: '7.2.22, 10.0.2 (filter)', false: 'v24 (notifier)' },
};

/** The rules of Profile.ts the replication node chart follows, each a guard of the same name. */
export type ChartRules = Pick<
  ProfileRules,
  | 'ignoresRequestsAfterPromotion'
  | 'getErrorOnlyWhileRunning'
  | 'primaryAcceptsTopId'
  | 'checkpointUsesBorrowedSecondaryDisk'
  | 'checksEjectedDisks'
  | 'closeCancelsCommit'
>;

const QEMU_7_2_CHART: ChartRules = {
  ignoresRequestsAfterPromotion: true,
  getErrorOnlyWhileRunning: false,
  primaryAcceptsTopId: false,
  checkpointUsesBorrowedSecondaryDisk: false,
  checksEjectedDisks: true,
  closeCancelsCommit: true,
};

export const CHART_RULES: Readonly<Record<Profile, ChartRules>> = {
  'qemu-7.2': QEMU_7_2_CHART,
  'qemu-10.0.2': QEMU_7_2_CHART,
  v24: {
    ignoresRequestsAfterPromotion: false,
    getErrorOnlyWhileRunning: true,
    primaryAcceptsTopId: true,
    checkpointUsesBorrowedSecondaryDisk: true,
    checksEjectedDisks: false,
    closeCancelsCommit: false,
  },
};
