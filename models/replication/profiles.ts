/*
 * The two behaviours the models describe: QEMU 7.2 (reference §2) and the 2016 v24 patch (§2.9).
 * The scenario format names the same two; the models keep their own list, and their own reading of
 * each rule, importing only types from the engine's side: the names are the engine's
 * (src/replication/Profile.ts), so a renamed rule fails to compile here, while the values are the
 * models' own, so a wrong value on either side shows up as a disagreement in the cross-check.
 */
import type { ProfileRules } from '../../src/replication/Profile.js';
import type { Profile } from '../../src/scenario/Scenario.js';

export const MODEL_PROFILES: readonly Profile[] = ['qemu-7.2', 'v24'];

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

export const CHART_RULES: Readonly<Record<Profile, ChartRules>> = {
  'qemu-7.2': {
    ignoresRequestsAfterPromotion: true,
    getErrorOnlyWhileRunning: false,
    primaryAcceptsTopId: false,
    checkpointUsesBorrowedSecondaryDisk: false,
    checksEjectedDisks: true,
    closeCancelsCommit: true,
  },
  v24: {
    ignoresRequestsAfterPromotion: false,
    getErrorOnlyWhileRunning: true,
    primaryAcceptsTopId: true,
    checkpointUsesBorrowedSecondaryDisk: true,
    checksEjectedDisks: false,
    closeCancelsCommit: false,
  },
};
