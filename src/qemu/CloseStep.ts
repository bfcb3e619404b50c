/*
 * The close step: delete a side's replication node(s) the way QEMU allows, i.e. blockdev-del
 * (what HMP drive_del does for a node without a BlockBackend). The secondary node first loses its
 * SVM export (which holds a BlockBackend on it); the primary node first leaves its quorum
 * (x-blockdev-change child=children.1). QEMU refuses to delete a secondary node whose backup job
 * runs (stage RUNNING): that close is not expressible, so the step is reported as skipped and the
 * export is put back. Without `disk`, every disk of the side is closed, in order.
 */
import type { CloseStep } from '../scenario/Scenario.js';
import { deleteExport } from './Failover.js';
import type { QemuPair } from './QemuPair.js';
import { type Outcome, qmpCall, sideLost, skipped } from './SideCalls.js';
import { exportArgs } from './Topology.js';

export async function closeStep(pair: QemuPair, step: CloseStep): Promise<Outcome> {
  if (pair.lost.has(step.side)) return sideLost(step.side);
  const disks = step.disk === undefined ? pair.disks.map((_, i) => i) : [step.disk];
  for (const disk of disks) {
    const outcome = step.side === 'secondary' ? await closeSecondary(pair, disk) : await closePrimary(pair, disk);
    if (!outcome.ok) return outcome;
  }
  return { ok: true };
}

async function closeSecondary(pair: QemuPair, disk: number): Promise<Outcome> {
  const names = pair.disks[disk]!.names;
  if (pair.closed.secondary.has(disk)) return skipped(`disk ${disk}'s secondary replication node is already closed`);
  await pair.dropConnection('secondary', disk);
  const removed = await deleteExport(pair, 'secondary', names.svmExport);
  if (!removed.ok) return removed;
  const deleted = await qmpCall(pair, 'secondary', 'blockdev-del', { 'node-name': names.secondaryReplication });
  if ('value' in deleted) {
    pair.closed.secondary.add(disk);
    return { ok: true };
  }
  await qmpCall(pair, 'secondary', 'block-export-add', exportArgs(names.svmExport, names.secondaryReplication));
  return skipped(`QEMU refuses to delete disk ${disk}'s secondary replication node: ${deleted.failed.error ?? ''}`);
}

async function closePrimary(pair: QemuPair, disk: number): Promise<Outcome> {
  const names = pair.disks[disk]!.names;
  if (pair.closed.primary.has(disk)) return skipped(`disk ${disk}'s primary replication node is already closed`);
  if (!pair.lost.has('secondary')) {
    const detached = await qmpCall(pair, 'primary', 'x-blockdev-change', { parent: names.quorum, child: 'children.1' });
    if ('failed' in detached) return skipped(`QEMU refuses to take disk ${disk}'s replication node out of its quorum: ${detached.failed.error ?? ''}`);
  }
  const deleted = await qmpCall(pair, 'primary', 'blockdev-del', { 'node-name': names.primaryReplication });
  if ('failed' in deleted) return skipped(`QEMU refuses to delete disk ${disk}'s primary replication node: ${deleted.failed.error ?? ''}`);
  pair.closed.primary.add(disk);
  return { ok: true };
}
