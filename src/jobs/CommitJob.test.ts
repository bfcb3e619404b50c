import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockNode, type BlockStatus } from '../block/BlockNode.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import type { Errno } from '../sim/errno.js';
import type { Fault } from '../sim/FaultPlan.js';
import { DeadlockError, SimBoundError } from '../sim/Scheduler.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { SimEnv } from '../sim/SimEnv.js';
import { PassFilter } from '../block/testing/PassFilter.js';
import { COMMIT_GRANULARITY, CommitJob } from './CommitJob.js';
import { filled } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

/**
 * secondary (raw, 0x11) <- hidden <- active, with a filter "replication" on active and a
 * BlockBackend "vm" on the filter. Content before the commit:
 *   cluster 0: active data 0xa0        cluster 2: hidden data 0xb0
 *   cluster 3: hidden zero cluster     cluster 5: active zero cluster over hidden data 0xb5
 */
interface ChainOptions {
  faults?: readonly Fault[];
  chunkBytes?: number;
  paceTicks?: number;
  scanTicksPerCluster?: number;
  recordsWritesDuringStartup?: boolean;
  crashPoint?: (point: string) => void;
  onAborted?: () => void;
}

async function commitChain(options: ChainOptions = {}) {
  // A commit of this chain takes a few dozen scheduler steps: a job that never stops copying fails
  // the run at this bound instead of spinning.
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [], maxSteps: 20_000 });
  const secondary = new RawNode(env, 'secondary', SIZE, { fill: 0x11 });
  const hidden = new OverlayNode(env, 'hidden', SIZE);
  hidden.attach('backing', secondary);
  const active = new OverlayNode(env, 'active', SIZE);
  active.attach('backing', hidden);
  const filter = new PassFilter(env, 'replication', active, { driver: 'test-filter' });
  const vm = new BlockBackend('vm', filter);
  const setup = env.sched.spawn('setup', async () => {
    await active.write(0, filled(CS, 0xa0));
    await hidden.write(2 * CS, filled(CS, 0xb0));
    await hidden.writeZeroes(3 * CS, CS);
    await hidden.write(5 * CS, filled(CS, 0xb5));
    await active.writeZeroes(5 * CS, CS);
  });
  await env.sched.run();
  setup.result();
  const completions: (Errno | null)[] = [];
  const job = new CommitJob(env, {
    name: 'commit',
    owner: 'replication',
    top: active,
    base: secondary,
    chunkBytes: options.chunkBytes ?? CS,
    paceTicks: options.paceTicks ?? 0,
    scanTicksPerCluster: options.scanTicksPerCluster,
    recordsWritesDuringStartup: options.recordsWritesDuringStartup,
    onComplete: (ret) => completions.push(ret),
    ...(options.crashPoint ? { crashPoint: options.crashPoint } : {}),
    ...(options.onAborted ? { onAborted: options.onAborted } : {}),
  });
  return { env, secondary, hidden, active, filter, vm, job, completions };
}

/** Nodes are compared by name: a failed comparison of node objects would print the whole simulation. */
const nameOf = (node: BlockNode | null) => node?.name ?? null;
const peekRuns = (node: BlockNode, offset: number, bytes: number) => encodeRuns(node.peek(offset, bytes));
const copies = (env: SimEnv) => env.trace.events().filter((e) => e.kind === 'commit-copy').map((e) => [e.fields.offset, e.fields.bytes, e.tick]);

/** The view before the commit, which the secondary disk must hold after a successful one. */
const VIEW = [
  [0xa0, CS],
  [0x11, CS],
  [0xb0, CS],
  [0, CS],
  [0x11, CS],
  [0, CS],
  [0x11, 10 * CS],
];

describe('CommitJob: a successful commit', () => {
  it('copies everything allocated in active and hidden, zero clusters included, into the base', async () => {
    const c = await commitChain();
    expect(encodeRuns(await runRead(c.env, () => c.vm.read(0, SIZE)))).toEqual(VIEW);
    c.job.start();
    await c.env.sched.run();
    expect([c.job.status, c.completions, c.job.bytesCopied]).toEqual(['completed', [null], 4 * CS]);
    expect(peekRuns(c.secondary, 0, SIZE)).toEqual(VIEW);
    expect(copies(c.env).map(([offset, bytes]) => [offset, bytes])).toEqual([
      [0, CS],
      [2 * CS, CS],
      [3 * CS, CS],
      [5 * CS, CS],
    ]);
  });

  it('pivots: parents of the top use the base; active and hidden are closed and let go of their backing', async () => {
    const c = await commitChain();
    c.job.start();
    await c.env.sched.run();
    expect([nameOf(c.filter.file), c.vm.node.name]).toEqual(['secondary', 'replication']);
    expect([c.active.open, c.hidden.open, nameOf(c.active.backing), nameOf(c.hidden.backing)]).toEqual([false, false, null, null]);
    expect([...c.secondary.parents].map((edge) => `${edge.parent.name}:${edge.role}`)).toEqual(['replication:file']);
    expect(c.active.afterWrite).toEqual([]);
    // Reads through the filter now come from the secondary disk.
    expect(encodeRuns(await runRead(c.env, () => c.vm.read(0, SIZE)))).toEqual(VIEW);
  });

  it('paces each chunk by paceTicks on the simulated clock, merging adjacent dirty clusters up to chunkBytes', async () => {
    const c = await commitChain({ chunkBytes: 2 * CS, paceTicks: 7 });
    const start = c.env.now();
    c.job.start();
    await c.env.sched.run();
    // Chunks: [0, CS), [2CS, 4CS) (two adjacent clusters), [5CS, 6CS): three chunks, 7 ticks after each.
    expect(copies(c.env)).toEqual([
      [0, CS, start],
      [2 * CS, 2 * CS, start + 7],
      [5 * CS, CS, start + 14],
    ]);
    expect(c.env.now() - start).toBe(21);
    const end = c.env.trace.eventsOf('job').find((e) => e.fields.event === 'completed');
    expect([end?.tick, end?.fields.copied]).toEqual([start + 21, 4 * CS]);
    expect(peekRuns(c.secondary, 0, SIZE)).toEqual(VIEW);
  });

  it('a chunk size below the granularity still copies one cluster per chunk', async () => {
    const c = await commitChain({ chunkBytes: 512 });
    c.job.start();
    await c.env.sched.run();
    expect(COMMIT_GRANULARITY).toBe(CS);
    expect(copies(c.env).map(([, bytes]) => bytes)).toEqual([CS, CS, CS, CS]);
  });

  it('tracks writes to the top during the job and copies them too, even to clusters already copied', async () => {
    const c = await commitChain({ paceTicks: 10 });
    c.job.start();
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 5);
      await c.vm.write(8 * CS, filled(512, 0xc8));
      // Cluster 0 was copied at tick 0: the job must copy it again.
      await c.vm.write(0, filled(512, 0xc0));
    });
    await c.env.sched.run();
    expect(c.job.status).toBe('completed');
    expect(copies(c.env).map(([offset, , tick]) => [offset, tick])).toEqual([
      [0, 0],
      // At tick 10 the lowest dirty cluster is 0 again.
      [0, 10],
      [2 * CS, 20],
      [3 * CS, 30],
      [5 * CS, 40],
      [8 * CS, 50],
    ]);
    expect(peekRuns(c.secondary, 0, CS)).toEqual([
      [0xc0, 512],
      [0xa0, CS - 512],
    ]);
    expect(peekRuns(c.secondary, 8 * CS, CS)).toEqual([
      [0xc8, 512],
      [0x11, CS - 512],
    ]);
  });

  it('names, on each copy, the guest requests whose writes dirtied its chunk', async () => {
    const c = await commitChain({ paceTicks: 10 });
    c.job.start();
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 5);
      await c.vm.write(8 * CS, filled(512, 0xc8), 21);
      await c.vm.write(0, filled(512, 0xc0), 22);
      await c.vm.write(512, filled(512, 0xc1), 23);
      await c.vm.write(8 * CS + 512, filled(512, 0xc9));
    });
    await c.env.sched.run();
    expect(c.env.trace.eventsOf('commit-copy').map((e) => [e.fields.offset, e.fields.reqs])).toEqual([
      [0, undefined],
      [0, '22,23'],
      [2 * CS, undefined],
      [3 * CS, undefined],
      [5 * CS, undefined],
      // The write without an id dirtied cluster 8 too, and is not named.
      [8 * CS, '21'],
    ]);
  });
});

describe('CommitJob: the start-up scan', () => {
  /**
   * The scan takes 100 ticks per allocated cluster (clusters 0, 2, 3, 5: done at tick 400); at tick
   * 150 it is on cluster 2, past unallocated cluster 1. A guest write to cluster 1 then, and one to
   * cluster 8, which the scan has not reached.
   */
  async function writeDuringScan(recordsWritesDuringStartup: boolean) {
    const c = await commitChain({ scanTicksPerCluster: 100, recordsWritesDuringStartup });
    c.job.start();
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 150);
      await c.vm.write(CS, filled(512, 0xc1));
      await c.vm.write(8 * CS, filled(512, 0xc8));
    });
    await c.env.sched.run();
    return c;
  }

  it('takes simulated time per allocated cluster before the first copy', async () => {
    const c = await commitChain({ scanTicksPerCluster: 100 });
    c.job.start();
    await c.env.sched.run();
    expect(copies(c.env).map(([offset, , tick]) => [offset, tick])).toEqual([
      [0, 400],
      [2 * CS, 400],
      [3 * CS, 400],
      [5 * CS, 400],
    ]);
  });

  it('QEMU 7.2: a write during the scan to a cluster the scan passed is recorded and copied', async () => {
    const c = await writeDuringScan(true);
    expect(c.job.status).toBe('completed');
    expect(peekRuns(c.secondary, CS, CS)).toEqual([
      [0xc1, 512],
      [0x11, CS - 512],
    ]);
    expect(peekRuns(c.secondary, 8 * CS, 512)).toEqual([[0xc8, 512]]);
  });

  it('QEMU 8.2-10.0.12: that write is neither scanned nor recorded, so the pivot loses it; one the scan reaches later survives', async () => {
    const c = await writeDuringScan(false);
    expect(c.job.status).toBe('completed');
    // After the pivot the VM reads the secondary disk: cluster 1 as it was before the write.
    expect(peekRuns(c.secondary, CS, CS)).toEqual([[0x11, CS]]);
    expect(encodeRuns(await runRead(c.env, () => c.vm.read(CS, 512)))).toEqual([[0x11, 512]]);
    expect(peekRuns(c.secondary, 8 * CS, 512)).toEqual([[0xc8, 512]]);
  });
});

describe('CommitJob: failure and cancel leave the partial copy and no pivot', () => {
  async function expectNoPivot(c: Awaited<ReturnType<typeof commitChain>>) {
    expect(nameOf(c.filter.file)).toBe('active');
    expect([c.active.open, c.hidden.open, nameOf(c.active.backing), nameOf(c.hidden.backing)]).toEqual([true, true, 'hidden', 'secondary']);
    expect(c.active.afterWrite).toEqual([]);
    // The view is unchanged.
    expect(encodeRuns(await runRead(c.env, () => c.vm.read(0, SIZE)))).toEqual(VIEW);
  }

  it('an I/O error writing the base fails the job with that errno after the chunks before it', async () => {
    const c = await commitChain({ faults: [{ kind: 'io-error', node: 'secondary', op: 'write', errno: 'ENOSPC', afterOps: 1 }] });
    c.job.start();
    await c.env.sched.run();
    expect([c.job.status, c.completions, c.job.bytesCopied]).toEqual(['failed', ['ENOSPC'], CS]);
    // Chunk 0 landed; chunk 2 failed; nothing after it was tried.
    expect(peekRuns(c.secondary, 0, SIZE)).toEqual([
      [0xa0, CS],
      [0x11, 15 * CS],
    ]);
    const end = c.env.trace.eventsOf('job').find((e) => e.fields.event === 'failed');
    expect([end?.fields.errno, end?.fields.copied]).toEqual(['ENOSPC', CS]);
    await expectNoPivot(c);
  });

  it('an I/O error on a zero write of the base fails it too', async () => {
    const c = await commitChain({ faults: [{ kind: 'io-error', node: 'secondary', op: 'write-zeroes', errno: 'EIO' }] });
    c.job.start();
    await c.env.sched.run();
    // Cluster 3 alone is all zeros (cluster 2 is not adjacent in a 64 KiB chunk).
    expect([c.job.status, c.completions, c.job.bytesCopied]).toEqual(['failed', ['EIO'], 2 * CS]);
    await expectNoPivot(c);
  });

  it('a job-fail commit fault fails the job with EIO before the chunk after afterOps', async () => {
    const c = await commitChain({ faults: [{ kind: 'job-fail', job: 'commit', node: 'replication', afterOps: 2 }] });
    c.job.start();
    await c.env.sched.run();
    expect([c.job.status, c.completions, c.job.bytesCopied]).toEqual(['failed', ['EIO'], 2 * CS]);
    expect(peekRuns(c.secondary, 0, 4 * CS)).toEqual([
      [0xa0, CS],
      [0x11, CS],
      [0xb0, CS],
      [0x11, CS],
    ]);
    await expectNoPivot(c);
  });

  it('cancel stops before the next chunk with ECANCELED', async () => {
    const c = await commitChain({ paceTicks: 10 });
    c.job.start();
    c.env.sched.spawn('close', async () => {
      await c.env.sched.sleep('close', 15);
      c.job.cancel();
    });
    await c.env.sched.run();
    expect([c.job.status, c.completions, c.job.bytesCopied, c.job.finished]).toEqual(['cancelled', ['ECANCELED'], 2 * CS, true]);
    await expectNoPivot(c);
  });
});

describe('CommitJob: the process dying under the job', () => {
  it('a crash at a copy (not a block error) aborts: no completion, onAborted once, writes no longer recorded, the error rethrown', async () => {
    const crash = new Error('crashed at secondary:during-commit');
    const points: string[] = [];
    let aborted = 0;
    const c = await commitChain({
      crashPoint: (point) => {
        points.push(point);
        if (points.length === 2) throw crash;
      },
      onAborted: () => aborted++,
    });
    c.job.start();
    expect(c.active.afterWrite).toHaveLength(1);
    await c.env.sched.run();
    expect([c.job.status, c.completions, aborted, c.job.bytesCopied]).toEqual(['failed', [], 1, CS]);
    expect(points).toEqual(['secondary:during-commit', 'secondary:during-commit']);
    expect(c.active.afterWrite).toEqual([]);
    expect(c.env.trace.eventsOf('job').map((e) => [e.fields.event, e.fields.copied])).toEqual([
      ['start', 0],
      ['aborted', CS],
    ]);
    const failed = c.env.sched.takeFailedTasks();
    expect(failed.map((t) => t.label)).toEqual(['commit']);
    expect(() => failed[0]?.result()).toThrow(crash);
  });

  it('without an onAborted callback the crash is still what the job task ends with', async () => {
    const crash = new Error('crashed at secondary:during-commit');
    const c = await commitChain({
      crashPoint: () => {
        throw crash;
      },
    });
    c.job.start();
    await c.env.sched.run();
    expect([c.job.status, c.completions, c.job.bytesCopied]).toEqual(['failed', [], 0]);
    const failed = c.env.sched.takeFailedTasks();
    expect(failed.map((t) => t.label)).toEqual(['commit']);
    expect(() => failed[0]?.result()).toThrow(crash);
  });
});

describe('CommitJob: recording guest writes', () => {
  it('by default records writes from the start, as QEMU 7.2: a write during the scan to a cluster it passed is copied', async () => {
    const c = await commitChain({ scanTicksPerCluster: 100 });
    c.job.start();
    expect(c.active.afterWrite).toHaveLength(1);
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 150);
      await c.vm.write(CS, filled(512, 0xc1));
    });
    await c.env.sched.run();
    expect(c.job.status).toBe('completed');
    expect(peekRuns(c.secondary, CS, 512)).toEqual([[0xc1, 512]]);
    expect(c.active.afterWrite).toEqual([]);
  });

  it('QEMU 8.2-10.0.12: writes after the scan are recorded and copied, each once', async () => {
    const c = await commitChain({ paceTicks: 10, recordsWritesDuringStartup: false });
    c.job.start();
    expect(c.active.afterWrite).toEqual([]);
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 5);
      await c.vm.write(CS, filled(512, 0xc1), 31);
    });
    await c.env.sched.run();
    expect(c.job.status).toBe('completed');
    expect(c.env.trace.eventsOf('commit-copy').map((e) => [e.fields.offset, e.tick, e.fields.reqs])).toEqual([
      [0, 0, undefined],
      [CS, 10, '31'],
      [2 * CS, 20, undefined],
      [3 * CS, 30, undefined],
      [5 * CS, 40, undefined],
    ]);
    expect(peekRuns(c.secondary, CS, 512)).toEqual([[0xc1, 512]]);
    expect(c.active.afterWrite).toEqual([]);
  });

  it('names a request once per chunk, even when it dirtied two of its clusters or wrote one twice', async () => {
    const c = await commitChain({ chunkBytes: 2 * CS, paceTicks: 10 });
    c.job.start();
    c.env.sched.spawn('guest', async () => {
      await c.env.sched.sleep('guest write', 5);
      await c.vm.write(9 * CS - 512, filled(1024, 0xc8), 41);
      await c.vm.write(11 * CS, filled(512, 0xca), 42);
      await c.vm.write(11 * CS + 4096, filled(512, 0xcb), 42);
    });
    await c.env.sched.run();
    expect(c.env.trace.eventsOf('commit-copy').map((e) => [e.fields.offset, e.fields.bytes, e.fields.reqs])).toEqual([
      [0, CS, undefined],
      [2 * CS, 2 * CS, undefined],
      [5 * CS, CS, undefined],
      [8 * CS, 2 * CS, '41'],
      [11 * CS, CS, '42'],
    ]);
  });

  it('takes away only its own hook, also when the process dies under it', async () => {
    const other = () => undefined;
    const c = await commitChain({
      crashPoint: () => {
        throw new Error('crashed at secondary:during-commit');
      },
    });
    c.active.afterWrite.push(other);
    c.job.start();
    await c.env.sched.run();
    expect(c.env.sched.takeFailedTasks().map((t) => t.label)).toEqual(['commit']);
    expect(c.active.afterWrite).toEqual([other]);
  });
});

describe('CommitJob: time and bounds', () => {
  it('the scan takes its time per cluster of an allocated run, a three-cluster run three times as long', async () => {
    const c = await commitChain({ scanTicksPerCluster: 100 });
    const more = c.env.sched.spawn('more data', () => c.active.write(8 * CS, filled(3 * CS, 0xd8)));
    await c.env.sched.run();
    more.result();
    c.job.start();
    await c.env.sched.run();
    // Clusters 0, 2, 3, 5 take 100 ticks each, the run 8-10 takes 300.
    expect(copies(c.env).map(([offset, , tick]) => [offset, tick])).toEqual([
      [0, 700],
      [2 * CS, 700],
      [3 * CS, 700],
      [5 * CS, 700],
      [8 * CS, 700],
      [9 * CS, 700],
      [10 * CS, 700],
    ]);
  });

  it('a run with a deadline names the timer the job waits on: its scan, then its pacing', async () => {
    const scanning = await commitChain({ scanTicksPerCluster: 100 });
    scanning.job.start();
    await expect(scanning.env.sched.run({ deadlineTick: 50 })).rejects.toThrow(new SimBoundError('work still pending at tick 0 needs time past the deadline 50 (next timer: commit:scan at 100)'));
    const pacing = await commitChain({ paceTicks: 70 });
    pacing.job.start();
    await expect(pacing.env.sched.run({ deadlineTick: 50 })).rejects.toThrow(new SimBoundError('work still pending at tick 0 needs time past the deadline 50 (next timer: commit:pace at 70)'));
  });

  it('a block status that makes no progress fails the scan instead of spinning', async () => {
    // Each status lookup takes a step: were the scan to go on, the run would end at this bound.
    const env = new SimEnv({ traceLevel: 'full', maxSteps: 1000 });
    const base = new RawNode(env, 'secondary', SIZE, { fill: 0x11 });
    const top = new StuckOverlay(env, 'active', SIZE);
    top.attach('backing', base);
    let aborted = 0;
    const job = new CommitJob(env, { name: 'commit', owner: 'replication', top, base, chunkBytes: CS, paceTicks: 0, onComplete: () => undefined, onAborted: () => aborted++ });
    job.start();
    await env.sched.run();
    const failed = env.sched.takeFailedTasks();
    expect(() => failed[0]?.result()).toThrow(new Error('commit: the start-up scan made no progress at offset 0'));
    expect([job.status, aborted, job.bytesCopied]).toEqual(['failed', 1, 0]);
  });
});

/** An overlay whose block status reports an unallocated run of no bytes (a broken driver), a step later. */
class StuckOverlay extends OverlayNode {
  protected override async doBlockStatus(): Promise<BlockStatus> {
    await this.env.sched.yield('block status');
    return { kind: 'unallocated', bytes: 0 };
  }
}

async function runRead(env: SimEnv, fn: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const task = env.sched.spawn('read', fn);
  await env.sched.run();
  return task.result();
}

describe('CommitJob: a deadlock report names the completion drain', () => {
  it('a guest write that never finishes holds the completion, which waits for the backend to go idle', async () => {
    const c = await commitChain();
    const stuck = new WaitQueue(c.env.sched, 'an active disk that never answers');
    c.active.beforeWrite.push(() => stuck.wait('active write'));
    c.env.sched.spawn('guest', () => c.vm.write(8 * CS, filled(512, 0xc8)));
    c.job.start();
    const error = await c.env.sched.run().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waiting).toEqual(['active write waits for an active disk that never answers', 'commit completion waits for vm to go idle']);
    // Everything allocated was copied before the drain; the graph is not rewired.
    expect([c.job.status, c.job.bytesCopied, nameOf(c.filter.file)]).toEqual(['running', 4 * CS, 'active']);
  });
});
