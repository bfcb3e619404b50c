import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockError } from '../block/BlockError.js';
import type { BlockNode } from '../block/BlockNode.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import type { Errno } from '../sim/errno.js';
import type { Fault } from '../sim/FaultPlan.js';
import { DeadlockError } from '../sim/Scheduler.js';
import { SimEnv } from '../sim/SimEnv.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { BACKUP_MIN_CLUSTER_SIZE, BackupJob } from './BackupJob.js';
import { filled, run } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

type Mechanism = 'filter' | 'notifier';

/**
 * Replication's backup layout: secondary disk (raw, 0x11) under the BlockBackend colo1 (the NBD
 * export), hidden (target) backed by it, active on top; the job copies secondary -> hidden.
 */
interface ChainOptions {
  faults?: readonly Fault[];
  hiddenClusterSize?: number;
  /** Disk size (16 clusters by default). */
  size?: number;
  /** The secondary disk's fill (0x11 by default; 0 makes it a sparse file whose unwritten chunks are holes). */
  fill?: number;
  name?: string;
  crashPoint?: (point: string) => void;
}

function backupChain(mechanism: Mechanism, options: ChainOptions = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const size = options.size ?? SIZE;
  const secondary = new RawNode(env, 'secondary', size, { fill: options.fill ?? 0x11 });
  const hidden = new OverlayNode(env, 'hidden', size, { clusterSize: options.hiddenClusterSize });
  hidden.attach('backing', secondary);
  const active = new OverlayNode(env, 'active', size);
  active.attach('backing', hidden);
  const colo = new BlockBackend('colo1', secondary);
  const completions: (Errno | null)[] = [];
  const job = new BackupJob(env, {
    name: options.name ?? 'backup',
    source: secondary,
    target: hidden,
    mechanism,
    owner: 'replication-secondary',
    onComplete: (ret) => completions.push(ret),
    ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}),
  });
  return { env, secondary, hidden, active, colo, job, completions };
}

/** Nodes are compared by name: a failed comparison of node objects would print the whole simulation. */
const nameOf = (node: BlockNode | null) => node?.name ?? null;
const peekRuns = (node: BlockNode, offset: number, bytes: number) => encodeRuns(node.peek(offset, bytes));
const cowEvents = (env: SimEnv) => env.trace.events().filter((e) => e.kind === 'cow').map((e) => [e.fields.cluster, e.fields.epoch, e.tick]);

describe('BackupJob: cluster size', () => {
  it('is at least 64 KiB, or the target cluster size when larger', () => {
    expect(BACKUP_MIN_CLUSTER_SIZE).toBe(65536);
    expect(backupChain('filter', { hiddenClusterSize: 4096 }).job.clusterSize).toBe(65536);
    const big = backupChain('filter', { hiddenClusterSize: 4 * CS });
    expect([big.job.clusterSize, big.job.bitmap.clusters]).toEqual([4 * CS, 4]);
  });
});

for (const mechanism of ['filter', 'notifier'] as const) {
  describe(`BackupJob (${mechanism === 'filter' ? '7.2 copy-before-write filter' : 'v24 before-write notifier'})`, () => {
    it('hooks itself on start: every cluster armed', () => {
      const c = backupChain(mechanism);
      c.job.start();
      expect([c.job.status, c.job.bitmap.armedCount(), c.job.copiedClusters]).toEqual(['running', 16, 0]);
      if (mechanism === 'filter') {
        expect([c.colo.node.driver, c.colo.node.name, nameOf(c.hidden.backing), nameOf(c.colo.node.file)]).toEqual(['copy-before-write', 'cbw', 'cbw', 'secondary']);
        expect(c.secondary.beforeWrite).toEqual([]);
      } else {
        expect([c.colo.node.name, nameOf(c.hidden.backing), c.secondary.beforeWrite.length]).toEqual(['secondary', 'secondary', 1]);
      }
    });

    it('copies the whole cluster, as it was, into hidden on the first write of the epoch', async () => {
      const c = backupChain(mechanism);
      await run(c.env, () => c.secondary.write(CS, filled(4096, 0x22)));
      c.job.start();
      await run(c.env, () => c.colo.write(CS + 8192, filled(512, 0x33)));
      expect([c.job.copiedClusters, c.hidden.allocatedClusters, c.job.bitmap.isArmed(1), c.job.bitmap.armedCount()]).toEqual([1, 1, false, 15]);
      expect(await run(c.env, () => c.hidden.blockStatus(CS, CS))).toEqual({ kind: 'data', bytes: CS });
      expect(peekRuns(c.hidden, CS, CS)).toEqual([
        [0x22, 4096],
        [0x11, CS - 4096],
      ]);
      // The write itself reached the secondary disk after the copy.
      expect(peekRuns(c.secondary, CS, CS)).toEqual([
        [0x22, 4096],
        [0x11, 4096],
        [0x33, 512],
        [0x11, CS - 8704],
      ]);
      // A reader of active still sees the old data (hidden shadows the secondary disk).
      expect(encodeRuns(await run(c.env, () => c.active.read(CS, CS)))).toEqual([
        [0x22, 4096],
        [0x11, CS - 4096],
      ]);
    });

    it('copies every cluster a write touches, and only those', async () => {
      const c = backupChain(mechanism);
      c.job.start();
      await run(c.env, () => c.colo.write(3 * CS - 512, filled(CS + 1024, 0x33)));
      expect(cowEvents(c.env).map(([cluster]) => cluster)).toEqual([2, 3, 4]);
      expect([c.job.copiedClusters, c.hidden.allocatedClusters]).toEqual([3, 3]);
      expect(peekRuns(c.hidden, 2 * CS, 3 * CS)).toEqual([[0x11, 3 * CS]]);
    });

    it('does not copy a cluster twice in one epoch: first copy wins', async () => {
      const c = backupChain(mechanism);
      c.job.start();
      await run(c.env, () => c.colo.write(CS, filled(512, 0x33)));
      await run(c.env, () => c.colo.write(CS + 512, filled(CS - 512, 0x44)));
      expect([c.job.copiedClusters, cowEvents(c.env).length]).toEqual([1, 1]);
      expect(peekRuns(c.hidden, CS, CS)).toEqual([[0x11, CS]]);
    });

    it('doCheckpoint re-arms every cluster: the next write copies the current content', async () => {
      const c = backupChain(mechanism);
      c.job.start();
      await run(c.env, () => c.colo.write(CS, filled(512, 0x33)));
      c.job.doCheckpoint();
      expect(c.job.bitmap.armedCount()).toBe(16);
      await run(c.env, () => c.colo.write(CS + 512, filled(512, 0x44)));
      expect(c.job.copiedClusters).toBe(2);
      // The copy of epoch 1 took the secondary disk as it was after epoch 0's write.
      expect(peekRuns(c.hidden, CS, 1024)).toEqual([
        [0x33, 512],
        [0x11, 512],
      ]);
      expect(cowEvents(c.env).map(([cluster, epoch]) => [cluster, epoch])).toEqual([
        [1, 0],
        [1, 1],
      ]);
    });

    it('writes an all-zero cluster as a zero cluster in the target', async () => {
      const c = backupChain(mechanism);
      await run(c.env, () => c.secondary.writeZeroes(3 * CS, CS));
      c.job.start();
      await run(c.env, () => c.colo.write(3 * CS, filled(512, 0x33)));
      expect(await run(c.env, () => c.hidden.blockStatus(3 * CS, CS))).toEqual({ kind: 'zero', bytes: CS });
      expect([c.hidden.allocatedClusters, c.hidden.allocatedBytes]).toEqual([1, 0]);
      expect(encodeRuns(await run(c.env, () => c.active.read(3 * CS, CS)))).toEqual([[0, CS]]);
    });

    it('a failed copy fails the triggering write, which never reaches the disk, and re-arms the cluster', async () => {
      const c = backupChain(mechanism, { faults: [{ kind: 'io-error', node: 'hidden', op: 'write', errno: 'ENOSPC', times: 1 }] });
      c.job.start();
      const error = await run(c.env, () => c.colo.write(CS, filled(512, 0x33)).then(() => null, (e: unknown) => e));
      expect(error).toBeInstanceOf(BlockError);
      expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['ENOSPC', 'injected ENOSPC on hidden write']);
      expect([c.job.bitmap.isArmed(1), c.job.copiedClusters, c.hidden.allocatedClusters, c.job.status]).toEqual([true, 0, 0, 'running']);
      expect(peekRuns(c.secondary, CS, 512)).toEqual([[0x11, 512]]);
      // The retry copies and lands.
      await run(c.env, () => c.colo.write(CS, filled(512, 0x33)));
      expect([c.job.bitmap.isArmed(1), c.job.copiedClusters]).toEqual([false, 1]);
      expect(peekRuns(c.hidden, CS, CS)).toEqual([[0x11, CS]]);
      expect(peekRuns(c.secondary, CS, 512)).toEqual([[0x33, 512]]);
      expect(c.completions).toEqual([]);
    });

    it('cancel drains the write in flight, unhooks, then reports ECANCELED once; later writes are not copied', async () => {
      const c = backupChain(mechanism);
      c.secondary.latencyTicks = 10;
      c.job.start();
      const order: string[] = [];
      const job = c.job;
      c.env.sched.spawn('write', async () => {
        await c.colo.write(0, filled(512, 0x33));
        order.push(`write done @${c.env.now()}`);
      });
      c.env.sched.spawn('cancel', async () => {
        await c.env.sched.sleep('let the write start', 1);
        await job.cancel();
        order.push(`cancel done @${c.env.now()} ${c.completions.join(',')}`);
        // A second cancel does nothing.
        await job.cancel();
      });
      await c.env.sched.run();
      // The write read the source (10 ticks) and wrote it (10 ticks) before the cancel could finish.
      expect(order).toEqual(['write done @20', 'cancel done @20 ECANCELED']);
      expect([job.status, c.completions]).toEqual(['cancelled', ['ECANCELED']]);
      expect([c.colo.node.name, nameOf(c.hidden.backing), c.secondary.beforeWrite.length]).toEqual(['secondary', 'secondary', 0]);
      expect(c.env.trace.events().filter((e) => e.kind === 'job').map((e) => e.fields.event)).toEqual(['start', 'cancelled']);
      await run(c.env, () => c.colo.write(2 * CS, filled(512, 0x44)));
      expect([job.copiedClusters, c.hidden.allocatedClusters]).toEqual([1, 1]);
      expect(peekRuns(c.hidden, 2 * CS, 512)).toEqual([[0x44, 512]]);
    });

    it('a job-fail fault ends the job before the copy: unhooked, then onComplete(EIO) at once; the write goes through uncopied', async () => {
      const c = backupChain(mechanism, { faults: [{ kind: 'job-fail', job: 'backup', node: 'replication-secondary', afterOps: 1 }] });
      // What the owner finds when it learns the job ended (QEMU's job_clean runs before the callback):
      // the source's parents use the source itself again, so a failover commit never targets the filter.
      const seenAtCompletion: unknown[] = [];
      const job = new BackupJob(c.env, {
        name: 'backup',
        source: c.secondary,
        target: c.hidden,
        mechanism,
        owner: 'replication-secondary',
        onComplete: (ret) => {
          c.completions.push(ret);
          seenAtCompletion.push(c.colo.node === c.secondary, c.hidden.backing === c.secondary, c.secondary.beforeWrite.length);
        },
      });
      c.job = job;
      c.job.start();
      await run(c.env, () => c.colo.write(0, filled(512, 0x33)));
      await run(c.env, () => c.colo.write(CS, filled(512, 0x44)));
      expect([c.job.status, c.completions, c.job.copiedClusters]).toEqual(['failed', ['EIO'], 1]);
      expect(seenAtCompletion).toEqual([true, true, 0]);
      expect(peekRuns(c.secondary, CS, 512)).toEqual([[0x44, 512]]);
      expect([c.colo.node.name, c.secondary.beforeWrite.length]).toEqual(['secondary', 0]);
      await run(c.env, () => c.colo.write(2 * CS, filled(512, 0x55)));
      expect([c.job.copiedClusters, c.hidden.allocatedClusters, c.completions.length]).toEqual([1, 1, 1]);
    });

    it('the job-fail fault names its owner: another node\'s fault leaves this job alone', async () => {
      const c = backupChain(mechanism, { faults: [{ kind: 'job-fail', job: 'backup', node: 'replication-secondary.1' }] });
      c.job.start();
      await run(c.env, () => c.colo.write(0, filled(512, 0x33)));
      expect([c.job.status, c.job.copiedClusters]).toEqual(['running', 1]);
    });
  });
}

describe('BackupJob: a reader of hidden never sees the secondary disk change under it', () => {
  /**
   * The reader of hidden starts first and its read of the (unallocated, so backing) secondary disk
   * takes 100 ticks; the primary's write to the same cluster arrives at tick 5. Without
   * serialisation the copy and the write would both be done by tick 5, and the reader would then
   * read the new data from the secondary disk (the fleecing race of f8d59dfb40).
   */
  async function race(mechanism: Mechanism, guardRead: boolean) {
    const c = backupChain(mechanism, { faults: [{ kind: 'latency', node: 'secondary', op: 'read', ticks: 100, untilTick: 1 }] });
    c.job.start();
    const read = () => c.hidden.read(CS, 512);
    const reader = c.env.sched.spawn('reader', () => (guardRead ? c.job.guardRead(CS, 512, read) : read()));
    const writer = c.env.sched.spawn('writer', async () => {
      await c.env.sched.sleep('primary write arrives', 5);
      await c.colo.write(CS, filled(512, 0x33));
      return c.env.now();
    });
    await c.env.sched.run();
    return { seen: encodeRuns(reader.result()), writeDoneAt: writer.result(), cows: cowEvents(c.env) };
  }

  it('7.2: the copy writes hidden as a serialising request, so it waits for the reader', async () => {
    expect(await race('filter', false)).toEqual({ seen: [[0x11, 512]], writeDoneAt: 100, cows: [[1, 0, 100]] });
  });

  it('v24: guardRead keeps the copy off the reader\'s cluster until it is done', async () => {
    expect(await race('notifier', true)).toEqual({ seen: [[0x11, 512]], writeDoneAt: 100, cows: [[1, 0, 100]] });
  });

  it('v24 without guardRead: the race is real (the reader gets the new data)', async () => {
    expect(await race('notifier', false)).toEqual({ seen: [[0x33, 512]], writeDoneAt: 5, cows: [[1, 0, 5]] });
  });
});

describe('BackupJob (v24): guardRead waits for an in-flight copy of its cluster', () => {
  it('a read of a cluster being copied starts when the copy ends; a read elsewhere does not wait', async () => {
    const c = backupChain('notifier');
    c.hidden.latencyTicks = 100;
    c.job.start();
    const startedAt: Record<string, number> = {};
    c.env.sched.spawn('write', () => c.colo.write(CS, filled(512, 0x33)));
    const guarded = (label: string, offset: number) =>
      c.env.sched.spawn(label, () =>
        c.job.guardRead(offset, 512, async () => {
          startedAt[label] = c.env.now();
          return c.active.read(offset, 512);
        }),
      );
    const same = guarded('same cluster', CS + 4096);
    const other = guarded('other cluster', 5 * CS);
    await c.env.sched.run();
    expect(startedAt).toEqual({ 'same cluster': 100, 'other cluster': 0 });
    expect(cowEvents(c.env)).toEqual([[1, 0, 100]]);
    // The guarded read saw hidden's copy (all 0x11), not the primary's write.
    expect(encodeRuns(same.result())).toEqual([[0x11, 512]]);
    expect(encodeRuns(other.result())).toEqual([[0x11, 512]]);
  });
});

describe('BackupJob (7.2): writers to a cluster being copied wait for that copy', () => {
  it('a second write to the cluster waits, then does not copy again', async () => {
    const c = backupChain('filter');
    c.hidden.latencyTicks = 50;
    c.job.start();
    const done: string[] = [];
    c.env.sched.spawn('first', async () => {
      await c.colo.write(CS, filled(512, 0x33));
      done.push(`first@${c.env.now()}`);
    });
    c.env.sched.spawn('second', async () => {
      await c.colo.write(CS + 1024, filled(512, 0x44));
      done.push(`second@${c.env.now()}`);
    });
    await c.env.sched.run();
    expect(done).toEqual(['first@50', 'second@50']);
    expect([c.job.copiedClusters, ...peekRuns(c.hidden, CS, CS)]).toEqual([1, [0x11, CS]]);
  });
});

describe('BackupJob: a copy names the write that caused it', () => {
  for (const mechanism of ['filter', 'notifier'] as const) {
    it(`${mechanism}: the cow event and the copy's own I/O carry the request id of the write`, async () => {
      const c = backupChain(mechanism);
      c.job.start();
      await run(c.env, () => c.colo.write(CS + 512, filled(512, 0x22), 5));
      await run(c.env, () => c.colo.write(3 * CS, filled(CS, 0x23), 6));
      await run(c.env, () => c.colo.write(CS, filled(512, 0x24), 7));
      // The third write finds cluster 1 copied already: no copy, so no cow event names it.
      expect(c.env.trace.eventsOf('cow').map((e) => [e.fields.cluster, e.fields.req])).toEqual([
        [1, 5],
        [3, 6],
      ]);
      const io = (req: number) => c.env.trace.eventsOf('io').filter((e) => e.fields.req === req).map((e) => `${e.fields.op}:${e.fields.node}`);
      expect(io(5)).toEqual(['read:secondary', 'write:hidden', 'write:secondary']);
      expect(io(7)).toEqual(['write:secondary']);
    });
  }
});

describe('BackupJob: holes in the source', () => {
  /**
   * A sparse secondary disk (fill 0): cluster 3 is never written (a hole), cluster 4 is written
   * (data, right after the hole), cluster 6 holds 4 KiB of data then a hole. Writes with request
   * ids 1 (cluster 3) and 2 (cluster 6); the I/O each copy made, by request.
   */
  async function copyHoles(mechanism: Mechanism) {
    const c = backupChain(mechanism, { fill: 0 });
    await run(c.env, () => c.secondary.write(4 * CS, filled(CS, 0x44)));
    await run(c.env, () => c.secondary.write(6 * CS, filled(4096, 0x66)));
    c.job.start();
    await run(c.env, () => c.colo.write(3 * CS, filled(512, 0x33), 1));
    await run(c.env, () => c.colo.write(6 * CS + 8192, filled(512, 0x67), 2));
    const io = (req: number) => c.env.trace.eventsOf('io').filter((e) => e.fields.req === req).map((e) => `${e.fields.op}:${e.fields.node}`);
    return { c, hole: io(1), partial: io(2) };
  }

  it('7.2: a cluster that is a hole as a whole is written as zeroes without a read; a partly written one is read', async () => {
    const { c, hole, partial } = await copyHoles('filter');
    expect(hole).toEqual(['write-zeroes:hidden', 'write:secondary']);
    expect(partial).toEqual(['read:secondary', 'write:hidden', 'write:secondary']);
    expect(await run(c.env, () => c.hidden.blockStatus(3 * CS, CS))).toEqual({ kind: 'zero', bytes: CS });
    expect(peekRuns(c.hidden, 6 * CS, CS)).toEqual([
      [0x66, 4096],
      [0, CS - 4096],
    ]);
    expect(c.job.copiedClusters).toBe(2);
  });

  it('7.2: a read fault on the source does not fire for a hole, which needs no read', async () => {
    const c = backupChain('filter', { fill: 0, faults: [{ kind: 'io-error', node: 'secondary', op: 'read', errno: 'EIO' }] });
    c.job.start();
    await run(c.env, () => c.colo.write(3 * CS, filled(512, 0x33)));
    expect([c.job.copiedClusters, c.job.bitmap.isArmed(3)]).toEqual([1, false]);
    expect(peekRuns(c.secondary, 3 * CS, 512)).toEqual([[0x33, 512]]);
  });

  it('v24: the notifier reads every cluster it copies, holes too (all zeros, so written as zeroes)', async () => {
    const { c, hole, partial } = await copyHoles('notifier');
    expect(hole).toEqual(['read:secondary', 'write-zeroes:hidden', 'write:secondary']);
    expect(partial).toEqual(['read:secondary', 'write:hidden', 'write:secondary']);
    expect(await run(c.env, () => c.hidden.blockStatus(3 * CS, CS))).toEqual({ kind: 'zero', bytes: CS });
  });

  it('v24: so a read fault on the source fails the write to a hole', async () => {
    const c = backupChain('notifier', { fill: 0, faults: [{ kind: 'io-error', node: 'secondary', op: 'read', errno: 'EIO' }] });
    c.job.start();
    const error = await run(c.env, () => c.colo.write(3 * CS, filled(512, 0x33)).then(() => null, (e: unknown) => e));
    expect((error as BlockError).message).toBe('injected EIO on secondary read');
    expect([c.job.copiedClusters, c.job.bitmap.isArmed(3)]).toEqual([0, true]);
  });
});

describe('BackupJob: a disk that is not a cluster multiple', () => {
  for (const mechanism of ['filter', 'notifier'] as const) {
    it(`${mechanism}: the last, partial cluster is copied up to the end of the disk`, async () => {
      const c = backupChain(mechanism, { size: 4 * CS + 4096 });
      c.job.start();
      expect(c.job.bitmap.clusters).toBe(5);
      await run(c.env, () => c.colo.write(4 * CS + 1024, filled(512, 0x33)));
      expect(c.env.trace.eventsOf('cow').map((e) => [e.fields.cluster, e.fields.offset, e.fields.bytes])).toEqual([[4, 4 * CS, 4096]]);
      expect(peekRuns(c.hidden, 4 * CS, 4096)).toEqual([[0x11, 4096]]);
      expect(peekRuns(c.secondary, 4 * CS, 4096)).toEqual([
        [0x11, 1024],
        [0x33, 512],
        [0x11, 2560],
      ]);
    });
  }
});

describe('BackupJob: the job trace and the filter it inserts', () => {
  for (const mechanism of ['filter', 'notifier'] as const) {
    it(`${mechanism}: start, every checkpoint, then the cancel are traced as job events of the owner`, async () => {
      const c = backupChain(mechanism);
      c.job.start();
      c.job.doCheckpoint();
      c.job.doCheckpoint();
      await run(c.env, () => c.job.cancel());
      expect(c.env.trace.eventsOf('job').map((e) => [e.fields.job, e.fields.owner, e.fields.event])).toEqual([
        ['backup', 'replication-secondary', 'start'],
        ['backup', 'replication-secondary', 'checkpoint'],
        ['backup', 'replication-secondary', 'checkpoint'],
        ['backup', 'replication-secondary', 'cancelled'],
      ]);
    });
  }

  it('the filter is named cbw plus the job name from its first dot', () => {
    const named = (name: string) => {
      const c = backupChain('filter', { name });
      c.job.start();
      return c.colo.node.name;
    };
    expect([named('backup'), named('backup.1'), named('backup.2.x'), named('.3')]).toEqual(['cbw', 'cbw.1', 'cbw.2.x', 'cbw.3']);
  });

  it('7.2: cancel takes the filter out whole: hidden is no longer its target child', async () => {
    const c = backupChain('filter');
    c.job.start();
    const parentsOfHidden = () => [...c.hidden.parents].map((edge) => `${edge.parent.name}:${edge.role}`);
    expect(parentsOfHidden()).toEqual(['active:backing', 'cbw:target']);
    await run(c.env, () => c.job.cancel());
    expect(parentsOfHidden()).toEqual(['active:backing']);
    expect([...c.secondary.parents].map((edge) => `${edge.parent.name}:${edge.role}`)).toEqual(['hidden:backing', 'colo1:root']);
  });

  for (const mechanism of ['filter', 'notifier'] as const) {
    it(`${mechanism}: cancel removes only its own hook; another before-write hook of the source stays`, async () => {
      const c = backupChain(mechanism);
      const other = async () => undefined;
      c.secondary.beforeWrite.push(other);
      c.job.start();
      await run(c.env, () => c.job.cancel());
      expect(c.secondary.beforeWrite).toEqual([other]);
    });
  }
});

describe('BackupJob (v24): in-flight ranges cover exactly the clusters of a request', () => {
  it('a copy of a cluster above a guarded read goes on at once', async () => {
    const c = backupChain('notifier');
    c.job.start();
    const reader = c.env.sched.spawn('reader', () =>
      c.job.guardRead(0, 512, async () => {
        await c.env.sched.sleep('slow read', 100);
        return c.env.now();
      }),
    );
    const writer = c.env.sched.spawn('writer', async () => {
      await c.env.sched.sleep('primary write arrives', 5);
      await c.colo.write(5 * CS, filled(512, 0x33));
      return c.env.now();
    });
    await c.env.sched.run();
    expect([reader.result(), writer.result(), cowEvents(c.env)]).toEqual([100, 5, [[5, 0, 5]]]);
  });

  it('a guarded read of a cluster below a copy in flight starts at once', async () => {
    const c = backupChain('notifier');
    c.hidden.latencyTicks = 100;
    c.job.start();
    c.env.sched.spawn('write', () => c.colo.write(2 * CS, filled(512, 0x33)));
    const reader = c.env.sched.spawn('reader', async () => {
      await c.env.sched.sleep('read arrives', 5);
      return c.job.guardRead(0, 512, async () => c.env.now());
    });
    await c.env.sched.run();
    expect([reader.result(), cowEvents(c.env)]).toEqual([5, [[2, 0, 100]]]);
  });
});

describe('BackupJob: a deadlock report names what each request of the job waits for', () => {
  const deadlockOf = async (env: SimEnv) => {
    const error = await env.sched.run().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    return (error as DeadlockError).waiting;
  };

  it('v24: a copy waiting for a guarded read of its cluster, and a read waiting behind it', async () => {
    const c = backupChain('notifier');
    c.job.start();
    // A read path that writes the very cluster it guards can never finish.
    c.env.sched.spawn('reader', () => c.job.guardRead(CS + 64, 512, () => c.colo.write(CS, filled(512, 0x33))));
    c.env.sched.spawn('second reader', async () => {
      await c.env.sched.yield('after the first');
      return c.job.guardRead(CS + 4096, 512, () => c.active.read(CS + 4096, 512));
    });
    expect(await deadlockOf(c.env)).toEqual(['cow[1,2) waits for backup:cow[65536,131072)', 'read[69632,+512] waits for backup:cow[65536,131072)']);
  });

  it('7.2: a write waiting for a copy that cannot finish, and a cancel draining behind it', async () => {
    const c = backupChain('filter');
    const stuck = new WaitQueue(c.env.sched, 'a hidden disk that never answers');
    c.hidden.beforeWrite.push(() => stuck.wait('hidden write'));
    c.job.start();
    c.env.sched.spawn('first', () => c.colo.write(CS, filled(512, 0x33)));
    c.env.sched.spawn('second', async () => {
      await c.env.sched.yield('after the first');
      await c.colo.write(CS + 512, filled(512, 0x44));
    });
    c.env.sched.spawn('cancel', async () => {
      await c.env.sched.yield('after the writes');
      await c.env.sched.yield('after the writes');
      await c.job.cancel();
    });
    expect(await deadlockOf(c.env)).toEqual([
      'write waits for copy of cluster 1 by backup waits for backup:copy#1',
      'backup teardown waits for colo1 to go idle',
      // The copy reads the secondary disk first, so it reaches hidden last.
      'hidden write waits for a hidden disk that never answers',
    ]);
  });
});

describe('BackupJob: the crash point before each copy', () => {
  for (const mechanism of ['filter', 'notifier'] as const) {
    it(`${mechanism}: a write passes secondary:before-cow once per cluster it copies, and a crash there fails the write uncopied`, async () => {
      const points: string[] = [];
      const c = backupChain(mechanism, {
        crashPoint: (point) => {
          points.push(point);
          if (points.length === 3) throw new Error(`crashed at ${point}`);
        },
      });
      c.job.start();
      await run(c.env, () => c.colo.write(CS - 512, filled(1024, 0x33)));
      expect(points).toEqual(['secondary:before-cow', 'secondary:before-cow']);
      await expect(run(c.env, () => c.colo.write(4 * CS, filled(512, 0x44)))).rejects.toThrow(new Error('crashed at secondary:before-cow'));
      expect([c.job.copiedClusters, c.job.bitmap.isArmed(4), ...peekRuns(c.secondary, 4 * CS, 512)]).toEqual([2, true, [0x11, 512]]);
    });
  }
});

