/*
 * The failover procedures of docs/block-replication.txt done with QMP, and the wait for the
 * secondary's active commit. Primary lost: SIGKILL the primary, delete the secondary disk's NBD
 * export (so no primary write can land any more; nbd-server-stop would also end the SVM's export),
 * then xen-set-replication enable=false failover=true on the secondary, which is what
 * x-colo-lost-heartbeat runs (COLO itself is not enabled with -M none). Secondary lost: SIGKILL the
 * secondary, remove the NBD child from each quorum, stop with failover on the primary. QEMU
 * discards failover errors, so the step is always ok.
 */
import type { Side } from '../scenario/Scenario.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import type { QemuPair } from './QemuPair.js';
import { type Outcome, asRunFailure, qmpCall, sideLost } from './SideCalls.js';

const COMMIT_POLL_MS = 2;

export async function failover(pair: QemuPair, lost: Side): Promise<Outcome> {
  const survivor: Side = lost === 'primary' ? 'secondary' : 'primary';
  if (pair.lost.has(survivor)) return sideLost(survivor);
  await pair.killSide(lost);
  if (lost === 'primary') return primaryLost(pair);
  return secondaryLost(pair);
}

async function primaryLost(pair: QemuPair): Promise<Outcome> {
  for (const disk of pair.disks) {
    await deleteExport(pair, 'secondary', disk.names.secondaryDiskExport);
  }
  await qmpCall(pair, 'secondary', 'xen-set-replication', { enable: false, primary: false, failover: true });
  await waitForCommit(pair);
  return { ok: true };
}

async function secondaryLost(pair: QemuPair): Promise<Outcome> {
  for (let i = 0; i < pair.disks.length; i++) {
    if (pair.closed.primary.has(i)) continue;
    await qmpCall(pair, 'primary', 'x-blockdev-change', { parent: pair.disks[i]!.names.quorum, child: 'children.1' });
  }
  await qmpCall(pair, 'primary', 'xen-set-replication', { enable: false, primary: true, failover: true });
  return { ok: true };
}

/** Delete a block export at once (clients cut off) and wait until QEMU says it is gone. */
export async function deleteExport(pair: QemuPair, side: Side, id: string): Promise<Outcome> {
  const qmp = pair.process(side).qmp;
  const gone = qmp.waitEvent('BLOCK_EXPORT_DELETED', { match: (e) => e.data?.id === id });
  const answer = await qmpCall(pair, side, 'block-export-del', { id, mode: 'hard' });
  if ('failed' in answer) {
    gone.catch(() => undefined);
    return answer.failed;
  }
  try {
    await gone;
  } catch (error) {
    throw await asRunFailure(pair, side, error, `deleting export ${id}`);
  }
  return { ok: true };
}

interface NamedNode {
  readonly 'node-name': string;
  readonly drv: string;
}

/**
 * Wait until the secondary has no active commit left. The commit is an internal job (query-jobs
 * does not list it), but its filter node (driver mirror_top) sits in the graph exactly while it runs;
 * afterwards the active disk node is gone (committed: stage DONE) or still there (FAILOVER_FAILED,
 * or replication never ran). 'none' means the secondary is lost.
 */
export async function waitForCommit(pair: QemuPair, timeoutMs = 60_000): Promise<'committed' | 'not-committed' | 'none'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await qmpCall<NamedNode[]>(pair, 'secondary', 'query-named-block-nodes', { flat: true });
    if ('failed' in answer) return 'none';
    const nodes = answer.value;
    if (!nodes.some((n) => n.drv === 'mirror_top')) {
      const names = new Set(nodes.map((n) => n['node-name']));
      return pair.disks.some((d) => names.has(d.names.active)) ? 'not-committed' : 'committed';
    }
    if (Date.now() > deadline) {
      await pair.secondary.kill();
      throw new QemuAdapterError('QEMU_HUNG', `the secondary's failover commit did not end within ${timeoutMs} ms; QEMU was killed`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, COMMIT_POLL_MS));
  }
}
