/*
 * The failover procedures of docs/block-replication.txt done with QMP, and the wait for the
 * secondary's active commit. Primary lost: SIGKILL the primary, delete the colo1 export(s) of the
 * secondary disk (so no primary write can land any more; nbd-server-stop would also end the SVM's
 * export and the secondary-disk export, which survive failover as in the engine), then
 * xen-set-replication enable=false failover=true on the secondary, which is what
 * x-colo-lost-heartbeat runs (COLO itself is not enabled with -M none). Secondary lost: SIGKILL the
 * secondary, remove the NBD child from each quorum, stop with failover on the primary. QEMU
 * discards failover errors, so the step is ok unless the survivor is gone or crashes.
 */
import type { Side } from '../scenario/Scenario.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import type { QemuPair } from './QemuPair.js';
import type { Outcome } from '../scenario/outcome.js';
import { failureOf, qmpCall, unavailable } from './SideCalls.js';

const COMMIT_POLL_MS = 2;

/** `issued` is called once the secondary's commit runs (steps issued after it see FAILOVER). */
export async function failover(pair: QemuPair, lost: Side, issued: () => void = () => undefined): Promise<Outcome> {
  const survivor: Side = lost === 'primary' ? 'secondary' : 'primary';
  const gone = await unavailable(pair, survivor);
  if (gone !== undefined) return gone;
  await pair.killSide(lost);
  return lost === 'primary' ? primaryLost(pair, issued) : secondaryLost(pair);
}

async function primaryLost(pair: QemuPair, issued: () => void): Promise<Outcome> {
  for (const disk of pair.disks) {
    if (!pair.exports.secondary.has(disk.names.coloExport)) continue;
    const deleted = await deleteExport(pair, 'secondary', disk.names.coloExport);
    if (!deleted.ok) return deleted;
  }
  const stopped = await qmpCall(pair, 'secondary', 'xen-set-replication', { enable: false, primary: false, failover: true });
  if ('failed' in stopped) return stopped.failed;
  issued();
  const ended = await waitForCommit(pair);
  return typeof ended === 'string' ? { ok: true } : ended;
}

async function secondaryLost(pair: QemuPair): Promise<Outcome> {
  for (const [i, disk] of pair.disks.entries()) {
    if (!pair.inQuorum.has(i)) continue;
    const detached = await qmpCall(pair, 'primary', 'x-blockdev-change', { parent: disk.names.quorum, child: 'children.1' });
    if ('failed' in detached) return detached.failed;
    pair.inQuorum.delete(i);
  }
  const stopped = await qmpCall(pair, 'primary', 'xen-set-replication', { enable: false, primary: true, failover: true });
  return 'failed' in stopped ? stopped.failed : { ok: true };
}

/** Delete a block export at once (clients cut off) and wait until QEMU says it is gone. */
export async function deleteExport(pair: QemuPair, side: Side, id: string): Promise<Outcome> {
  await pair.dropConnection(side, id);
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
    return failureOf(pair, side, error, `deleting export ${id}`);
  }
  pair.exports[side].delete(id);
  return { ok: true };
}

/**
 * query-named-block-nodes fails as a whole while the graph holds an overlay a failed make_empty
 * ejected (`Block device active-disk is ejected`, bdrv_block_device_info on a node without a
 * driver). No commit runs then: failover over an ejected active or hidden disk crashes QEMU
 * (OBSERVATIONS.md §10), and otherwise replication was not running (stopped, or never started), so
 * the failover QEMU discards the error of (found by `diff --generate 1000 --seed 1 --faults`).
 */
function ejectedNodeIn(outcome: Outcome): boolean {
  return !outcome.ok && outcome.code === undefined && /^Block device \S+ is ejected$/.test(outcome.error ?? '');
}

interface NamedNode {
  readonly 'node-name': string;
  readonly drv: string;
}

/**
 * Wait until the secondary has no active commit left. The commit is an internal job (query-jobs
 * does not list it), but its filter node (driver mirror_top) sits in the graph exactly while it runs;
 * afterwards the active disk node is gone (committed: stage DONE) or still there (FAILOVER_FAILED,
 * or replication never ran; also when an ejected overlay stops QEMU listing the nodes). A secondary
 * that is lost or crashes answers with its Outcome.
 */
export async function waitForCommit(pair: QemuPair, timeoutMs = 60_000): Promise<'committed' | 'not-committed' | Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await qmpCall<NamedNode[]>(pair, 'secondary', 'query-named-block-nodes', { flat: true });
    if ('failed' in answer && ejectedNodeIn(answer.failed)) return 'not-committed';
    if ('failed' in answer) return answer.failed;
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
