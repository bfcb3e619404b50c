/*
 * The events of a COLO pair: the scenario file's steps (start, stop, checkpoint, status, write,
 * read, failover), a COLO checkpoint of both sides, the NBD link going down and up, and the end of
 * the secondary's failover commit. Each names a side (or VM) the way the scenario format does.
 */
import type { Side } from '../../src/scenario/Scenario.js';

export type PairEvent =
  /** xen-set-replication enable=true on one side; `mode` when it differs from the side's role. */
  | { readonly type: 'START'; readonly side: Side; readonly mode?: Side }
  | { readonly type: 'STOP'; readonly side: Side; readonly failover: boolean }
  | { readonly type: 'CHECKPOINT'; readonly side: Side }
  /** xen-colo-do-checkpoint on both sides (the primary's is a no-op). */
  | { readonly type: 'COLO_CHECKPOINT' }
  /** query-xen-replication-status. */
  | { readonly type: 'STATUS'; readonly side: Side }
  | { readonly type: 'WRITE'; readonly vm: Side }
  | { readonly type: 'READ'; readonly vm: Side }
  /** The primary's NBD connection to the secondary's export breaks / comes back. */
  | { readonly type: 'LINK_DOWN' }
  | { readonly type: 'LINK_UP' }
  /** One side's QEMU is lost; the other stops replication with failover=true (errors discarded). */
  | { readonly type: 'FAILOVER'; readonly lost: Side }
  /** The secondary's active commit finishes. */
  | { readonly type: 'COMMIT_OK' }
  | { readonly type: 'COMMIT_FAILED' };

export type PairEventType = PairEvent['type'];
