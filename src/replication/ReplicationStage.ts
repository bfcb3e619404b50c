/*
 * The replication node's modes and stages (QEMU's ReplicationMode and ReplicationStage). Stages only
 * move forward: NONE -> RUNNING -> (DONE | FAILOVER -> (DONE | FAILOVER_FAILED)).
 */

export type ReplicationMode = 'primary' | 'secondary';

/** QEMU's enum values, which error messages print. */
export const MODE_NUMBER: Readonly<Record<ReplicationMode, 0 | 1>> = { primary: 0, secondary: 1 };

export type ReplicationStage = 'NONE' | 'RUNNING' | 'FAILOVER' | 'FAILOVER_FAILED' | 'DONE';

export const STAGES: readonly ReplicationStage[] = ['NONE', 'RUNNING', 'FAILOVER', 'FAILOVER_FAILED', 'DONE'];

/**
 * A promoted node (DONE, or FAILOVER on its way there): the first test of replication_start, _stop
 * and _do_checkpoint. Where the profile says so (7.2), the request is ignored there; elsewhere a
 * checkpoint runs, and a secondary's needs its backup job, which only RUNNING has.
 */
export function isPromoted(stage: ReplicationStage): boolean {
  return stage === 'DONE' || stage === 'FAILOVER';
}

/**
 * replication_get_io_status: -1 (EIO), 0 (pass through to file), 1 (secondary in FAILOVER_FAILED:
 * split writes by allocation above the secondary disk).
 */
export function ioStatus(stage: ReplicationStage, mode: ReplicationMode): -1 | 0 | 1 {
  switch (stage) {
    case 'NONE':
      return -1;
    case 'RUNNING':
      return 0;
    case 'FAILOVER':
    case 'DONE':
      return mode === 'primary' ? -1 : 0;
    case 'FAILOVER_FAILED':
      return mode === 'primary' ? -1 : 1;
  }
}
