/*
 * The block graph each side gets for disk i, as QMP arguments, plus the names everything has (the
 * engine's names, so messages that print node or file names compare byte for byte). Secondary: raw
 * secondary disk, NBD-exported twice (colo1 for the primary's link, secondary-disk for scenario I/O);
 * replication(mode=secondary, top-id=itself) over active qcow2 → hidden qcow2 → secondary disk,
 * exported as secondary-vm. Primary: quorum(vote-threshold=1, read-pattern=fifo) over the raw primary
 * disk, plus replication(mode=primary) over an NBD client ("link") added with x-blockdev-change; the
 * quorum exported as primary-vm, the disk and the replication node read-only (the quorum unshares
 * write). A chain variant breaks one requirement of replication's start (reference §2.6).
 * blkdebug nodes are inserted only where faults need them.
 */
import { diskSuffix, exportName } from '../colo/PairConfig.js';
import type { ChainVariant } from '../scenario/Scenario.js';
import { type BlkdebugEntry, isSetState } from './FaultMapping.js';

export interface DiskNames {
  readonly primaryDisk: string;
  readonly quorum: string;
  readonly primaryReplication: string;
  /** The NBD client node under the primary replication node. */
  readonly link: string;
  readonly secondaryDisk: string;
  readonly active: string;
  readonly hidden: string;
  readonly secondaryReplication: string;
  /** block-export ids and NBD export names (the same string). */
  readonly coloExport: string;
  readonly secondaryDiskExport: string;
  readonly svmExport: string;
  readonly pvmExport: string;
  readonly primaryReplicationExport: string;
  readonly primaryDiskExport: string;
}

export function diskNames(i: number): DiskNames {
  const sfx = diskSuffix(i);
  return {
    primaryDisk: `primary-disk${sfx}`,
    quorum: `quorum${sfx}`,
    primaryReplication: `replication-primary${sfx}`,
    link: `link${sfx}`,
    secondaryDisk: `secondary-disk${sfx}`,
    active: `active-disk${sfx}`,
    hidden: `hidden-disk${sfx}`,
    secondaryReplication: `replication-secondary${sfx}`,
    coloExport: `colo1${sfx}`,
    secondaryDiskExport: exportName('secondary', 'disk', i),
    svmExport: exportName('secondary', 'vm', i),
    pvmExport: exportName('primary', 'vm', i),
    primaryReplicationExport: exportName('primary', 'replication', i),
    primaryDiskExport: exportName('primary', 'disk', i),
  };
}

export interface DiskFiles {
  readonly primaryRaw: string;
  readonly secondaryRaw: string;
  readonly active: string;
  /** The active image's format: qcow2, or qed in the chain variant without make_empty. */
  readonly activeFormat: 'qcow2' | 'qed';
  readonly hiddenQcow2: string;
}

export interface DiskFaultRules {
  readonly primaryDisk: readonly BlkdebugEntry[];
  readonly secondaryDisk: readonly BlkdebugEntry[];
  readonly active: readonly BlkdebugEntry[];
  readonly hidden: readonly BlkdebugEntry[];
  readonly link: readonly BlkdebugEntry[];
}

export const NO_FAULT_RULES: DiskFaultRules = { primaryDisk: [], secondaryDisk: [], active: [], hidden: [], link: [] };

type Json = Record<string, unknown>;

function fileNode(filename: string): Json {
  return { driver: 'file', filename };
}

/** `inner` as is, or under a blkdebug node (align=512 so every request it sees covers whole sectors). */
function withBlkdebug(inner: Json, rules: readonly BlkdebugEntry[], nodeName?: string): Json {
  const named = (spec: Json): Json => (nodeName === undefined ? spec : { ...spec, 'node-name': nodeName });
  if (rules.length === 0) return named(inner);
  return named({ driver: 'blkdebug', align: 512, ...blkdebugRules(rules), image: inner });
}

function blkdebugRules(rules: readonly BlkdebugEntry[]): Json {
  const setState = rules.filter(isSetState);
  const inject = rules.filter((r) => !isSetState(r));
  return setState.length === 0 ? { 'inject-error': inject } : { 'inject-error': inject, 'set-state': setState };
}

/**
 * The secondary disk: raw over the file, blkdebug above the raw when faulted, and a throttle filter
 * on top when `throttleGroup` is given (writes to it, the failover commit's included, are paced).
 */
export function secondaryDiskSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules, throttleGroup?: string): Json {
  const raw = { driver: 'raw', file: fileNode(files.secondaryRaw) };
  const faulted = rules.secondaryDisk.length > 0;
  const base = withBlkdebug(faulted ? { ...raw, 'node-name': `${names.secondaryDisk}-raw` } : raw, rules.secondaryDisk);
  if (throttleGroup === undefined) return { ...base, 'node-name': names.secondaryDisk };
  return { driver: 'throttle', 'node-name': names.secondaryDisk, 'throttle-group': throttleGroup, file: { ...base, 'node-name': `${names.secondaryDisk}-paced` } };
}

/** A throttle group that lets `bytesPerSecond` be written (for throttle filters to join). */
export function throttleGroupArgs(id: string, bytesPerSecond: number): Json {
  return { 'qom-type': 'throttle-group', id, limits: { 'bps-write': bytesPerSecond } };
}

/**
 * The hidden disk on its own (blockdev-add), for the variant whose active disk has no backing file:
 * the hidden disk then still exists, as in the engine, but nothing above refers to it.
 */
export function standaloneHiddenSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules): Json {
  return hiddenSpec(names, files, rules, 'standard');
}

function hiddenSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules, chain: ChainVariant): Json {
  const backing = chain === 'hidden-without-backing' ? null : names.secondaryDisk;
  // blkdebug sits below the qcow2 (it has no backing file of its own), so it sees qcow2's own requests.
  return { driver: 'qcow2', 'node-name': names.hidden, file: withBlkdebug(fileNode(files.hiddenQcow2), rules.hidden), backing };
}

/** replication(secondary) → active → hidden → the secondary disk node (by name), as `chain` builds it. */
export function secondaryReplicationSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules, chain: ChainVariant = 'standard'): Json {
  const backing = chain === 'active-without-backing' ? null : hiddenSpec(names, files, rules, chain);
  const active = { driver: files.activeFormat, 'node-name': names.active, file: withBlkdebug(fileNode(files.active), rules.active), backing };
  const topId = chain === 'top-id-unknown' ? 'no-such-node' : names.secondaryReplication;
  return { driver: 'replication', 'node-name': names.secondaryReplication, mode: 'secondary', 'top-id': topId, file: active };
}

export function primaryDiskSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules): Json {
  const raw = { driver: 'raw', file: fileNode(files.primaryRaw) };
  return withBlkdebug(rules.primaryDisk.length > 0 ? { ...raw, 'node-name': `${names.primaryDisk}-raw` } : raw, rules.primaryDisk, names.primaryDisk);
}

export function quorumSpec(names: DiskNames): Json {
  return { driver: 'quorum', 'node-name': names.quorum, 'vote-threshold': 1, 'read-pattern': 'fifo', children: [names.primaryDisk] };
}

/**
 * replication(primary) over the link: an NBD client to the secondary's colo1 export (blkdebug above
 * it carries link faults). When the secondary disk has no export at all (chain variant
 * "secondary-without-backend"), QEMU's NBD client cannot even open; the link is then a node that
 * fails every request with EIO (blkdebug over null-co), which is what the engine's link does when
 * the export is missing.
 */
export function primaryReplicationSpec(names: DiskNames, secondaryNbdSocket: string, rules: DiskFaultRules, chain: ChainVariant, sizeBytes: number): Json {
  const link =
    chain === 'secondary-without-backend'
      ? { driver: 'blkdebug', 'node-name': names.link, ...blkdebugRules([{ event: 'none', errno: 5 }, ...rules.link]), image: { driver: 'null-co', size: sizeBytes } }
      : withBlkdebug({ driver: 'nbd', 'node-name': names.link, server: { type: 'unix', path: secondaryNbdSocket }, export: names.coloExport }, rules.link);
  return { driver: 'replication', 'node-name': names.primaryReplication, mode: 'primary', file: link };
}

export function nbdServerStartArgs(socketPath: string): Json {
  return { addr: { type: 'unix', data: { path: socketPath } } };
}

export function exportArgs(id: string, nodeName: string, writable = true): Json {
  return { type: 'nbd', id, 'node-name': nodeName, name: id, writable };
}
