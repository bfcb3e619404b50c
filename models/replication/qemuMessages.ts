/*
 * QEMU's exact error strings for the replication driver (reference §2.2, §2.4, §2.6, §2.7 and the
 * 2016 v24 patch), written from the reference text. The differential harness compares them byte for
 * byte, so they live in one place; the two wording differences between the profiles (make_empty
 * failures and ejected disks) are functions of the profile. Limits: only the messages the models emit.
 */
import type { Profile, Side } from '../../src/scenario/Scenario.js';

export const QemuMessage = {
  runningOrDone: 'Block replication is running or done',
  notRunning: 'Block replication is not running',
  ioErrorOccurred: 'I/O error occurred',
  backupJobCancelled: 'Backup job was cancelled unexpectedly',
  primaryRejectsTopId: 'The primary side does not support option top-id',
  missingTopId: 'Missing the option top-id',
  activeWithoutBacking: "Active disk doesn't have backing file",
  hiddenWithoutBacking: "Hidden disk doesn't have backing file",
  secondaryWithoutBlockBackend: "The secondary disk doesn't have block backend",
  diskLengthsDiffer: "Active disk, hidden disk, secondary disk's length are not the same",
  makeEmptyUnsupported: "Active disk or hidden disk doesn't support make_empty",
  invalidTopId: 'No top_bs or it is invalid',
  /* v24 only: its own make_empty messages (7.2 uses the block layer's generic one). */
  cannotEmptyActiveV24: 'Cannot make active disk empty',
  cannotEmptyHiddenV24: 'Cannot make hidden disk empty',
} as const;

/** ReplicationMode's numeric values, as printed by the mode-mismatch message. */
const MODE_NUMBER: Readonly<Record<Side, number>> = { primary: 0, secondary: 1 };

/** `The parameter mode's value is invalid, needs %d, but got %d` (PRIMARY=0, SECONDARY=1). */
export function modeMismatchMessage(needs: Side, got: Side): string {
  return `The parameter mode's value is invalid, needs ${MODE_NUMBER[needs]}, but got ${MODE_NUMBER[got]}`;
}

/** strerror(EIO) as glibc prints it; error_setg_errno appends it after ": ". */
export const STRERROR_EIO = 'Input/output error';

/** Names QEMU prints for the buffer disks: bs->filename in make_empty errors, node-name when ejected. */
export interface BufferDiskNames {
  readonly activeFilename: string;
  readonly hiddenFilename: string;
  readonly activeNodeName: string;
  readonly hiddenNodeName: string;
}

/** The names of the reference's command lines (§11): active.qcow2 / hidden.qcow2. */
export const DEFAULT_BUFFER_DISK_NAMES: BufferDiskNames = {
  activeFilename: 'active.qcow2',
  hiddenFilename: 'hidden.qcow2',
  activeNodeName: 'active',
  hiddenNodeName: 'hidden',
};

export type BufferDisk = 'active' | 'hidden';

/** A failed make_empty: 7.2's bdrv_make_empty says `Failed to empty <filename>: <strerror>`; v24 had its own text. */
export function makeEmptyFailedMessage(profile: Profile, disk: BufferDisk, names: BufferDiskNames): string {
  if (profile === 'v24') return disk === 'active' ? QemuMessage.cannotEmptyActiveV24 : QemuMessage.cannotEmptyHiddenV24;
  const filename = disk === 'active' ? names.activeFilename : names.hiddenFilename;
  return `Failed to empty ${filename}: ${STRERROR_EIO}`;
}

/** 7.2's check for a driverless (ejected) buffer disk: `Active disk %s is ejected` / `Hidden disk %s is ejected`. */
export function diskEjectedMessage(disk: BufferDisk, names: BufferDiskNames): string {
  return disk === 'active' ? `Active disk ${names.activeNodeName} is ejected` : `Hidden disk ${names.hiddenNodeName} is ejected`;
}
