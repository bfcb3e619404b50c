/*
 * The block graph each side gets for disk i, as QMP arguments, plus the names everything has.
 * Secondary: raw secondary disk (NBD-exported for the primary), replication(mode=secondary,
 * top-id=itself) over active qcow2 → hidden qcow2 → secondary disk, the replication node exported
 * for the SVM's I/O. Primary: quorum(vote-threshold=1, read-pattern=fifo) over the raw primary disk,
 * plus replication(mode=primary) over an NBD client to the secondary, added with x-blockdev-change;
 * the quorum exported for the PVM's I/O. blkdebug nodes are inserted only where faults need them.
 */
import type { BlkdebugRule } from './FaultMapping.js';

export interface DiskNames {
  readonly primaryDisk: string;
  readonly quorum: string;
  readonly primaryReplication: string;
  readonly nbdClient: string;
  readonly secondaryDisk: string;
  readonly active: string;
  readonly hidden: string;
  readonly secondaryReplication: string;
  /** block-export ids and NBD export names. */
  readonly secondaryDiskExport: string;
  readonly svmExport: string;
  readonly pvmExport: string;
}

export function diskNames(i: number): DiskNames {
  return {
    primaryDisk: `primary-disk${i}`,
    quorum: `quorum${i}`,
    primaryReplication: `primary-replication${i}`,
    nbdClient: `nbd-client${i}`,
    secondaryDisk: `secondary-disk${i}`,
    active: `active-disk${i}`,
    hidden: `hidden-disk${i}`,
    secondaryReplication: `secondary-replication${i}`,
    secondaryDiskExport: `secondary-disk${i}`,
    svmExport: `svm${i}`,
    pvmExport: `pvm${i}`,
  };
}

export interface DiskFiles {
  readonly primaryRaw: string;
  readonly secondaryRaw: string;
  readonly activeQcow2: string;
  readonly hiddenQcow2: string;
}

export interface DiskFaultRules {
  readonly primaryDisk: readonly BlkdebugRule[];
  readonly secondaryDisk: readonly BlkdebugRule[];
  readonly active: readonly BlkdebugRule[];
  readonly hidden: readonly BlkdebugRule[];
  readonly link: readonly BlkdebugRule[];
}

type Json = Record<string, unknown>;

function fileNode(filename: string): Json {
  return { driver: 'file', filename };
}

/** `inner` as is, or under a blkdebug node (align=512 so every request it sees covers whole sectors). */
function withBlkdebug(inner: Json, rules: readonly BlkdebugRule[], nodeName?: string): Json {
  const named = (spec: Json): Json => (nodeName === undefined ? spec : { ...spec, 'node-name': nodeName });
  if (rules.length === 0) return named(inner);
  return named({ driver: 'blkdebug', align: 512, 'inject-error': rules, image: inner });
}

/** The secondary disk: raw over the file, blkdebug above the raw when faulted. */
export function secondaryDiskSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules): Json {
  const raw = { driver: 'raw', file: fileNode(files.secondaryRaw) };
  return withBlkdebug(rules.secondaryDisk.length > 0 ? { ...raw, 'node-name': `${names.secondaryDisk}-raw` } : raw, rules.secondaryDisk, names.secondaryDisk);
}

/** replication(secondary) → active qcow2 → hidden qcow2 → the secondary disk node (by name). */
export function secondaryReplicationSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules): Json {
  const hidden = { driver: 'qcow2', 'node-name': names.hidden, file: withBlkdebug(fileNode(files.hiddenQcow2), rules.hidden), backing: names.secondaryDisk };
  const active = { driver: 'qcow2', 'node-name': names.active, file: withBlkdebug(fileNode(files.activeQcow2), rules.active), backing: hidden };
  return { driver: 'replication', 'node-name': names.secondaryReplication, mode: 'secondary', 'top-id': names.secondaryReplication, file: active };
}

export function primaryDiskSpec(names: DiskNames, files: DiskFiles, rules: DiskFaultRules): Json {
  const raw = { driver: 'raw', file: fileNode(files.primaryRaw) };
  return withBlkdebug(rules.primaryDisk.length > 0 ? { ...raw, 'node-name': `${names.primaryDisk}-raw` } : raw, rules.primaryDisk, names.primaryDisk);
}

export function quorumSpec(names: DiskNames): Json {
  return { driver: 'quorum', 'node-name': names.quorum, 'vote-threshold': 1, 'read-pattern': 'fifo', children: [names.primaryDisk] };
}

/** replication(primary) over an NBD client to the secondary's export of its disk (blkdebug between = link faults). */
export function primaryReplicationSpec(names: DiskNames, secondaryNbdSocket: string, rules: DiskFaultRules): Json {
  const nbd = { driver: 'nbd', 'node-name': names.nbdClient, server: { type: 'unix', path: secondaryNbdSocket }, export: names.secondaryDiskExport };
  return { driver: 'replication', 'node-name': names.primaryReplication, mode: 'primary', file: withBlkdebug(nbd, rules.link) };
}

export function nbdServerStartArgs(socketPath: string): Json {
  return { addr: { type: 'unix', data: { path: socketPath } } };
}

export function exportArgs(id: string, nodeName: string): Json {
  return { type: 'nbd', id, 'node-name': nodeName, name: id, writable: true };
}
