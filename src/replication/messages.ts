/*
 * QEMU's exact error messages for block replication, as QMP returns them (reference §2, checked on
 * Debian's QEMU 7.2.22). Tests and the differential harness compare these byte for byte, so they
 * are written once, here, and nowhere else in the engine.
 */
import { type Errno, STRERROR } from '../sim/errno.js';

export const MSG = {
  fileMissing: 'A block device must be specified for "file"',
  modeMissing: 'Missing the option mode',
  primaryTopId: 'The primary side does not support option top-id',
  topIdMissing: 'Missing the option top-id',
  badMode: "The option mode's value should be primary or secondary",
  runningOrDone: 'Block replication is running or done',
  notRunning: 'Block replication is not running',
  ioError: 'I/O error occurred',
  backupCancelled: 'Backup job was cancelled unexpectedly',
  activeNoBacking: "Active disk doesn't have backing file",
  hiddenNoBacking: "Hidden disk doesn't have backing file",
  secondaryNoBackend: "The secondary disk doesn't have block backend",
  lengthsDiffer: "Active disk, hidden disk, secondary disk's length are not the same",
  noMakeEmpty: "Active disk or hidden disk doesn't support make_empty",
  topInvalid: 'No top_bs or it is invalid',
  failoverOnlyForStop: "Parameter 'failover' is only for stopping replication",
  coloNotEnabled: "The feature 'colo' is not enabled",
  /** 2016 (v24) make_empty messages. */
  v24ActiveNotEmptied: 'Cannot make active disk empty',
  v24HiddenNotEmptied: 'Cannot make hidden disk empty',
} as const;

/** PRIMARY is 0 and SECONDARY is 1 in QEMU's ReplicationMode enum, which the message prints. */
export function modeMismatch(needs: 0 | 1, got: 0 | 1): string {
  return `The parameter mode's value is invalid, needs ${needs}, but got ${got}`;
}

/** bdrv_make_empty's failure, as error_setg_errno formats it. */
export function failedToEmpty(filename: string, errno: Errno): string {
  return `Failed to empty ${filename}: ${STRERROR[errno]}`;
}

/** blockdev-del of a node carrying an op blocker (the replication node while its backup job runs). */
export function nodeBusy(nodeName: string, reason: string): string {
  return `Node '${nodeName}' is busy: ${reason}`;
}

/** blockdev-del of a node that no longer exists. */
export function nodeNotFound(nodeName: string): string {
  return `Failed to find node with node-name='${nodeName}'`;
}

/** The op blocker replication puts on its top node while the backup job runs. */
export const BACKUP_BLOCKER_REASON = 'Block device is in use by internal backup job';

export function activeEjected(nodeName: string): string {
  return `Active disk ${nodeName} is ejected`;
}

export function hiddenEjected(nodeName: string): string {
  return `Hidden disk ${nodeName} is ejected`;
}
