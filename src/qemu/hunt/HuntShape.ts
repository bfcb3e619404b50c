/*
 * The shape the hunt runs on real QEMU (issue 12 §4): a large disk, many clusters the primary writes
 * before failover (each leaves a copy-on-write cluster in the hidden disk, which the failover
 * commit's start-up must scan), then distinct secondary writes right after the failover command
 * returns (or before its reply), each of which must be on the secondary disk once the commit is DONE.
 * Pure data: where every write goes and what it holds.
 */

export interface HuntShape {
  readonly diskSizeBytes: number;
  /** Clusters (of CLUSTER_BYTES) the primary writes before failover, every other cluster from 0. */
  readonly primaryClusters: number;
  /** Distinct secondary writes after failover. */
  readonly secondaryWrites: number;
  /** Send the secondary writes as soon as the failover command is sent, without waiting for its reply. */
  readonly beforeReply: boolean;
  /** qcow2 runtime options of the active and hidden disks, as QMP values. */
  readonly qcow2Options: Readonly<Record<string, string | number | boolean>>;
}

/** qcow2's default cluster size: the hidden disk's copy-on-write unit. */
export const CLUSTER_BYTES = 64 * 1024;
export const WRITE_BYTES = 4096;
export const PRIMARY_PATTERN = 0xa5;
export const DEFAULT_QCOW2_OPTIONS = 'l2-cache-entry-size=4096,l2-cache-size=8192';

export const DEFAULT_HUNT_SHAPE: HuntShape = {
  diskSizeBytes: 1024 * 1024 * 1024,
  primaryClusters: 8000,
  secondaryWrites: 16,
  beforeReply: false,
  qcow2Options: parseQcow2Options(DEFAULT_QCOW2_OPTIONS),
};

export interface HuntWrite {
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
}

/** The primary's writes: WRITE_BYTES at the start of clusters 0, 2, 4, ... */
export function primaryWrites(shape: HuntShape): HuntWrite[] {
  return Array.from({ length: shape.primaryClusters }, (_, i) => ({ offset: i * 2 * CLUSTER_BYTES, length: WRITE_BYTES, pattern: PRIMARY_PATTERN }));
}

/**
 * The secondary's writes: one in each of `secondaryWrites` equal slices of the disk, in an odd
 * cluster (which no primary write touches, so the secondary disk holds zeros there until the commit
 * brings the write), each with its own pattern 1, 2, ...
 */
export function secondaryWrites(shape: HuntShape): HuntWrite[] {
  const slice = Math.floor(shape.diskSizeBytes / shape.secondaryWrites / (2 * CLUSTER_BYTES)) * 2 * CLUSTER_BYTES;
  return Array.from({ length: shape.secondaryWrites }, (_, j) => ({ offset: j * slice + CLUSTER_BYTES, length: WRITE_BYTES, pattern: (j % 255) + 1 }));
}

/**
 * "l2-cache-entry-size=4096,l2-cache-size=8192" as QMP values (digits become numbers, on/off and
 * true/false booleans); '' is no option. Throws a one-line Error for a malformed list.
 */
export function parseQcow2Options(text: string): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {};
  if (text.trim() === '') return options;
  for (const item of text.split(',')) {
    const match = /^([a-z0-9-]+)=(.+)$/.exec(item.trim());
    if (match === null) throw new Error(`qcow2 option "${item}" is not NAME=VALUE`);
    const value = match[2]!;
    options[match[1]!] = /^\d+$/.test(value) ? Number(value) : value === 'on' || value === 'true' ? true : value === 'off' || value === 'false' ? false : value;
  }
  return options;
}

/** The options back as NAME=VALUE,... (reports, scenario notes). */
export function formatQcow2Options(options: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${v === true ? 'on' : v === false ? 'off' : v}`)
    .join(',');
}
