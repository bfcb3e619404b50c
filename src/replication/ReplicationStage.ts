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
