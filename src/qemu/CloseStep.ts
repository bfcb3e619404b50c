/*
 * The close step: delete a side's replication node(s) with blockdev-del (what HMP drive_del does for
 * a node without a BlockBackend), every disk in disk order when the step names none, stopping at the
 * first error. Secondary: its secondary-vm export (a BlockBackend on it) goes first; when QEMU then
 * refuses the delete (in RUNNING: "Node 'replication-secondary' is busy: Block device is in use by
 * internal backup job") the step fails with QEMU's message and the export is put back. Primary: the
 * node leaves its quorum (x-blockdev-change child=children.1), its read-only export goes, then
 * blockdev-del. Errors are QEMU's own, verbatim.
 */
import type { CloseStep, Side } from '../scenario/Scenario.js';
import { deleteExport } from './Failover.js';
import type { QemuPair } from './QemuPair.js';
import type { Outcome } from '../scenario/outcome.js';
import { control, qmpCall, unavailable } from './SideCalls.js';
import { exportArgs } from './Topology.js';

export async function closeStep(pair: QemuPair, step: CloseStep): Promise<Outcome> {
  const gone = await unavailable(pair, step.side);
  if (gone !== undefined) return gone;
  const disks = step.disk === undefined ? pair.disks.map((_, i) => i) : [step.disk];
  for (const disk of disks) {
    const outcome = step.side === 'secondary' ? await closeSecondary(pair, disk) : await closePrimary(pair, disk);
    if (!outcome.ok) return outcome;
  }
  return { ok: true };
}

async function closeSecondary(pair: QemuPair, disk: number): Promise<Outcome> {
  const names = pair.disks[disk]!.names;
  return deleteExportedNode(pair, 'secondary', names.svmExport, names.secondaryReplication, true);
}

async function closePrimary(pair: QemuPair, disk: number): Promise<Outcome> {
  const names = pair.disks[disk]!.names;
  if (pair.inQuorum.has(disk)) {
    const detached = await control(pair, 'primary', 'x-blockdev-change', { parent: names.quorum, child: 'children.1' });
    if (!detached.ok) return detached;
    pair.inQuorum.delete(disk);
  }
  return deleteExportedNode(pair, 'primary', names.primaryReplicationExport, names.primaryReplication, false);
}

/** Remove the node's export (if it has one), then blockdev-del the node; a refused delete puts the export back. */
async function deleteExportedNode(pair: QemuPair, side: Side, exportName: string, node: string, writable: boolean): Promise<Outcome> {
  const exported = pair.exports[side].has(exportName);
  if (exported) {
    const removed = await deleteExport(pair, side, exportName);
    if (!removed.ok) return removed;
  }
  const deleted = await control(pair, side, 'blockdev-del', { 'node-name': node });
  if (deleted.ok || !exported || deleted.code !== undefined) return deleted;
  return restoreExport(pair, side, exportName, node, deleted, writable);
}

/**
 * Put an export back after a refused delete; the step answers QEMU's refusal either way. QEMU may
 * refuse the export too (a node whose active disk a failed make_empty ejected has no length: "Failed
 * to determine the NBD export's length: No medium found"); the export then stays gone.
 */
async function restoreExport(pair: QemuPair, side: Side, name: string, node: string, refusal: Outcome, writable: boolean): Promise<Outcome> {
  const added = await qmpCall(pair, side, 'block-export-add', exportArgs(name, node, writable));
  if ('value' in added) pair.exports[side].add(name);
  else if (added.failed.code !== undefined) return added.failed;
  return refusal;
}
