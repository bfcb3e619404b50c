import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockError } from './BlockError.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const KiB = 1024;
const MiB = 1 << 20;
const CS = 64 * KiB;

/** raw (fill 0xaa) <- hidden <- active, all 1 MiB, 64 KiB clusters unless told otherwise. */
function chain(options: { clusterSize?: number; faults?: readonly Fault[]; sizeBytes?: number; rawSizeBytes?: number } = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const size = options.sizeBytes ?? MiB;
  const raw = new RawNode(env, 'raw', options.rawSizeBytes ?? size, { fill: 0xaa });
  const hidden = new OverlayNode(env, 'hidden', size, { clusterSize: options.clusterSize });
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', size, { clusterSize: options.clusterSize });
  active.attach('backing', hidden);
  return { env, raw, hidden, active };
}

describe('OverlayNode: reads and writes through a chain', () => {
  it('reads each byte from the topmost layer that holds it', async () => {
    const { env, raw, hidden, active } = chain();
    await run(env, () => raw.write(0, filled(3 * CS, 1)));
    await run(env, () => hidden.write(CS, filled(CS, 2)));
    await run(env, () => active.write(CS + 4096, filled(4096, 3)));
    expect(encodeRuns(await run(env, () => active.read(0, 4 * CS)))).toEqual([
      [1, CS],
      [2, 4096],
      [3, 4096],
      [2, CS - 8192],
      [1, CS],
      [0xaa, CS],
    ]);
    expect(encodeRuns(await run(env, () => hidden.read(CS, 8192)))).toEqual([[2, 8192]]);
    expect([hidden.allocatedClusters, active.allocatedClusters]).toEqual([1, 1]);
  });

  it('copies the rest of a cluster from below on the first partial write, as it is at that moment', async () => {
    const { env, raw, active } = chain();
    await run(env, () => raw.write(0, filled(2 * CS, 1)));
    await run(env, () => active.write(512, filled(512, 2)));
    // The backing changes afterwards: the allocated cluster keeps its copy, the next one falls through.
    await run(env, () => raw.write(0, filled(2 * CS, 3)));
    expect(encodeRuns(await run(env, () => active.read(0, 2 * CS)))).toEqual([
      [1, 512],
      [2, 512],
      [1, CS - 1024],
      [3, CS],
    ]);
    // Of the copied cluster only the chunk the write fell in holds memory; the other fifteen chunks
    // are the backing's byte 1 repeated, kept as markers.
    expect(active.allocatedBytes).toBe(4096);
  });

  it('copies from a zero cluster as zeros, not from below', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(0, CS));
    await run(env, () => active.write(4096, filled(512, 5)));
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([
      [0, 4096],
      [5, 512],
      [0, CS - 4608],
    ]);
  });

  it('reads past a shorter backing file as zeros, and copies them on write', async () => {
    const { env, active } = chain({ sizeBytes: 2 * CS, rawSizeBytes: CS + 4096 });
    expect(encodeRuns(await run(env, () => active.read(CS, CS)))).toEqual([
      [0xaa, 4096],
      [0, CS - 4096],
    ]);
    await run(env, () => active.write(CS, filled(512, 9)));
    expect(encodeRuns(await run(env, () => active.read(CS, CS)))).toEqual([
      [9, 512],
      [0xaa, 3584],
      [0, CS - 4096],
    ]);
  });

  it('works with small clusters and a partial last cluster', async () => {
    const size = 10 * 4096 + 1024;
    const { env, raw, active } = chain({ clusterSize: 4096, sizeBytes: size });
    await run(env, () => raw.write(0, filled(size, 1)));
    await run(env, () => active.write(size - 1536, filled(1024, 2)));
    // The write straddles cluster 9 and the 1 KiB cluster 10 at the disk's end.
    expect(encodeRuns(await run(env, () => active.read(size - 2048, 2048)))).toEqual([
      [1, 512],
      [2, 1024],
      [1, 512],
    ]);
    expect(await run(env, () => active.blockStatus(40 * KiB, 1024))).toEqual({ kind: 'data', bytes: 1024 });
    expect(active.allocatedClusters).toBe(2);
  });

  it('read-modify-writes unaligned requests correctly over the copy-on-write', async () => {
    const { env, raw, active } = chain();
    await run(env, () => raw.write(0, filled(CS, 1)));
    await run(env, () => active.write(1000, filled(100, 2)));
    await run(env, () => active.writeZeroes(1050, 1000));
    expect(encodeRuns(await run(env, () => active.read(0, 4096)))).toEqual([
      [1, 1000],
      [2, 50],
      [0, 1000],
      [1, 2046],
    ]);
    expect(await run(env, () => active.read(1049, 2))).toEqual(new Uint8Array([2, 0]));
  });

  it('rejects an invalid cluster size', () => {
    const env = new SimEnv();
    expect(() => new OverlayNode(env, 'x', MiB, { clusterSize: 3000 })).toThrow(new RangeError('cluster size must be a power of two >= 512, got 3000'));
    expect(() => new OverlayNode(env, 'x', MiB, { clusterSize: 256 })).toThrow('cluster size must be a power of two >= 512, got 256');
  });

  it('fails out-of-range requests with EIO', async () => {
    const { env, active } = chain();
    const task = env.sched.spawn('t', () => active.write(MiB - 512, filled(1024, 1)));
    await env.sched.run();
    const error = task.outcome?.error as BlockError;
    expect(error).toBeInstanceOf(BlockError);
    expect([error.errno, error.message]).toEqual(['EIO', 'write [1048064, +1024) outside active (1048576 bytes)']);
    expect(active.allocatedClusters).toBe(0);
  });
});

describe('OverlayNode: zero clusters and make-empty', () => {
  it('turns whole clusters into zero clusters that shadow the backing; edges are written as zeros', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(CS - 512, 2 * CS + 1024));
    expect(encodeRuns(await run(env, () => active.read(0, 4 * CS)))).toEqual([
      [0xaa, CS - 512],
      [0, 2 * CS + 1024],
      [0xaa, CS - 512],
    ]);
    expect(await run(env, () => active.blockStatus(0, MiB))).toEqual({ kind: 'data', bytes: CS });
    expect(await run(env, () => active.blockStatus(CS, MiB - CS))).toEqual({ kind: 'zero', bytes: 2 * CS });
    expect(await run(env, () => active.blockStatus(3 * CS, MiB - 3 * CS))).toEqual({ kind: 'data', bytes: CS });
    expect(await run(env, () => active.blockStatus(4 * CS, MiB - 4 * CS))).toEqual({ kind: 'unallocated', bytes: MiB - 4 * CS });
    // Two data clusters hold memory, in the one chunk of each that holds two bytes (its zeros and the
    // background copied up): their other chunks are 0xaa or 0 repeated, markers; zero clusters hold none.
    expect(active.allocatedClusters).toBe(4);
    expect(active.allocatedBytes).toBe(2 * 4096);
  });

  it('zeroes a range within one cluster as data', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(4096, 4096));
    expect(await run(env, () => active.blockStatus(0, CS))).toEqual({ kind: 'data', bytes: CS });
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([
      [0xaa, 4096],
      [0, 4096],
      [0xaa, CS - 8192],
    ]);
  });

  it('make-empty drops every cluster, so reads fall through again', async () => {
    const { env, raw, hidden, active } = chain();
    await run(env, () => hidden.write(0, filled(CS, 2)));
    await run(env, () => active.write(0, filled(2 * CS, 3)));
    await run(env, () => active.writeZeroes(2 * CS, CS));
    await run(env, () => active.makeEmpty());
    expect(active.allocatedClusters).toBe(0);
    expect(active.allocatedBytes).toBe(0);
    expect(encodeRuns(await run(env, () => active.read(0, 4 * CS)))).toEqual([
      [2, CS],
      [0xaa, 3 * CS],
    ]);
    expect(await run(env, () => active.blockStatus(0, MiB))).toEqual({ kind: 'unallocated', bytes: MiB });
    // Emptying the middle layer exposes the raw image below it.
    await run(env, () => hidden.makeEmpty());
    await run(env, () => raw.write(0, filled(512, 4)));
    expect(encodeRuns(await run(env, () => active.read(0, 1024)))).toEqual([
      [4, 512],
      [0xaa, 512],
    ]);
  });
});

describe('OverlayNode: concurrency', () => {
  it('makes a second writer to a cluster being allocated wait for that allocation', async () => {
    // Copy-on-write reads of raw take 100 ticks; writes are instant.
    const { env, active, raw } = chain({ faults: [{ kind: 'latency', node: 'raw', op: 'read', ticks: 100 }] });
    await run(env, () => raw.write(0, filled(CS, 1)));
    const done: string[] = [];
    env.sched.spawn('w1', async () => {
      await active.write(0, filled(512, 2));
      done.push(`w1@${env.now()}`);
    });
    env.sched.spawn('w2', async () => {
      await env.sched.sleep('later', 10);
      await active.write(CS - 512, filled(512, 3));
      done.push(`w2@${env.now()}`);
    });
    await env.sched.run();
    // w2 waited for w1's allocation instead of copying the cluster a second time.
    expect(done).toEqual(['w1@100', 'w2@100']);
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([
      [2, 512],
      [1, CS - 1024],
      [3, 512],
    ]);
    expect(active.allocatedClusters).toBe(1);
  });

  it('lets a reader see the old contents while a write allocates the cluster (qcow2 links clusters after the data write)', async () => {
    const { env, active } = chain({ faults: [{ kind: 'latency', node: 'active', op: 'write', ticks: 100 }] });
    env.sched.spawn('w', () => active.write(0, filled(512, 1)));
    const during = env.sched.spawn('r', async () => {
      await env.sched.sleep('mid-write', 50);
      return active.read(0, 1024);
    });
    await env.sched.run();
    expect(encodeRuns(during.result())).toEqual([[0xaa, 1024]]);
    expect(await run(env, () => active.blockStatus(0, CS))).toEqual({ kind: 'data', bytes: CS });
    expect(encodeRuns(await run(env, () => active.read(0, 1024)))).toEqual([
      [1, 512],
      [0xaa, 512],
    ]);
  });

  it('leaves the old contents intact when a write fails during its copy-on-write', async () => {
    // 4 KiB clusters: the write spans two, whose start and end are copied in one read from raw; it fails.
    const { env, active } = chain({ clusterSize: 4096, faults: [{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', times: 1 }] });
    const task = env.sched.spawn('w', () => active.write(2048, filled(4096, 1)));
    await env.sched.run();
    expect((task.outcome?.error as BlockError).message).toBe('injected EIO on raw read');
    expect(encodeRuns(await run(env, () => active.read(0, 8192)))).toEqual([[0xaa, 8192]]);
    expect(active.allocatedClusters).toBe(0);
    // The same write succeeds afterwards, with a fresh copy-on-write.
    await run(env, () => active.write(2048, filled(4096, 1)));
    expect(encodeRuns(await run(env, () => active.read(0, 8192)))).toEqual([
      [0xaa, 2048],
      [1, 4096],
      [0xaa, 2048],
    ]);
  });

  it('traces the copy-on-write reads below and the write itself, in order: start and end apart when more than 16 KiB lie between', async () => {
    const { env, active } = chain();
    await run(env, () => active.write(4096, filled(16 * KiB + 512, 1)));
    expect(env.trace.toJsonl().split('\n')).toEqual([
      '{"seq":0,"t":0,"k":"io","node":"raw","op":"read","offset":0,"bytes":4096}',
      '{"seq":1,"t":0,"k":"io","node":"hidden","op":"read","offset":0,"bytes":4096}',
      '{"seq":2,"t":0,"k":"io","node":"raw","op":"read","offset":20992,"bytes":44544}',
      '{"seq":3,"t":0,"k":"io","node":"hidden","op":"read","offset":20992,"bytes":44544}',
      '{"seq":4,"t":0,"k":"io","node":"active","op":"write","offset":4096,"bytes":16896}',
    ]);
  });
});

describe('OverlayNode: the merged copy-on-write read (QEMU 7.2 qcow2 perform_cow)', () => {
  const reads = (env: SimEnv, node: string) => env.trace.eventsOf('io').filter((e) => e.fields.node === node && e.fields.op === 'read').map((e) => [e.fields.offset, e.fields.bytes]);

  it('with both ends to copy and at most 16 KiB written between, reads the whole cluster at once', async () => {
    const { env, active } = chain();
    await run(env, () => active.write(4096, filled(16 * KiB, 1)));
    expect(reads(env, 'hidden')).toEqual([[0, CS]]);
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([
      [0xaa, 4096],
      [1, 16 * KiB],
      [0xaa, CS - 4096 - 16 * KiB],
    ]);
  });

  it('with one end only, reads that end', async () => {
    const { env, active } = chain();
    await run(env, () => active.write(0, filled(4096, 1)));
    await run(env, () => active.write(2 * CS - 4096, filled(4096, 2)));
    expect(reads(env, 'hidden')).toEqual([
      [4096, CS - 4096],
      [CS, CS - 4096],
    ]);
  });

  it('a run of newly allocated clusters is copied as one allocation: its start in the first cluster, its end in the last, merged', async () => {
    const { env, active } = chain();
    await run(env, () => active.write(CS - 4096, filled(8192, 1)));
    expect(reads(env, 'hidden')).toEqual([[0, 2 * CS]]);
    expect(active.allocatedClusters).toBe(2);
  });

  it('a read fault under the written bytes fails the write when the reads merge, not when they do not', async () => {
    const fault: Fault = { kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', offset: 8192, bytes: 512 };
    const merged = chain({ faults: [fault] });
    const failed = merged.env.sched.spawn('w', () => merged.active.write(4096, filled(8192, 1)));
    await merged.env.sched.run();
    expect((failed.outcome?.error as BlockError).errno).toBe('EIO');
    expect(merged.active.allocatedClusters).toBe(0);
    const apart = chain({ faults: [fault] });
    await run(apart.env, () => apart.active.write(4096, filled(16 * KiB + 512, 1)));
    expect(apart.active.allocatedClusters).toBe(1);
  });
});

describe('OverlayNode: guest request ids', () => {
  it('a request carries its id down the backing chain, into the fault that hits it and its failed padding read', async () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', afterOps: 1, times: 1 }] });
    const raw = new RawNode(env, 'raw', MiB, { fill: 0x5a });
    const top = new OverlayNode(env, 'top', MiB, { clusterSize: 4 * KiB });
    top.attach('backing', raw);
    // A read through to raw; an unaligned write inside one sector whose edge read fails at raw (the
    // write goes on) and whose cluster allocation copies the rest of the cluster from raw; a write with no id.
    await run(env, () => top.read(0, 512, { requestId: 3 }));
    await run(env, () => top.write(8 * KiB + 100, filled(200, 1), { requestId: 4 }));
    await run(env, () => top.write(0, filled(4 * KiB, 2)));
    const carried = env.trace.events().flatMap((e) => ('req' in e.fields ? [`${e.kind}:${'node' in e.fields ? e.fields.node : ''}:${e.fields.req}`] : []));
    expect(carried).toEqual(['io:raw:3', 'io:top:3', 'fault:raw:4', 'pad-read-failed:top:4', 'io:raw:4', 'io:top:4', 'io:top:undefined']);
  });
});

describe('OverlayNode: what it tells checkers', () => {
  /** 4 KiB clusters over 10 clusters and a 1 KiB one: cluster 1 data, 2 zero, 6 data (copied up), 10 data. */
  async function layered() {
    const size = 10 * 4096 + 1024;
    const c = chain({ clusterSize: 4096, sizeBytes: size });
    await run(c.env, async () => {
      await c.active.write(6 * 4096 + 512, filled(512, 3));
      await c.active.write(4096, filled(4096, 1));
      await c.active.writeZeroes(2 * 4096, 4096);
      await c.active.write(size - 512, filled(512, 2));
    });
    return { ...c, size };
  }

  it('lists its clusters as merged ranges in disk order, the last one clipped to the disk', async () => {
    const { active } = await layered();
    expect(active.allocatedRanges()).toEqual([
      { offset: 4096, bytes: 8192 },
      { offset: 6 * 4096, bytes: 4096 },
      { offset: 10 * 4096, bytes: 1024 },
    ]);
    expect(active.allocatedClusters).toBe(4);
  });

  it('shows its own bytes only, zeros where it holds none or a zero cluster, ejected or not', async () => {
    const { active, size } = await layered();
    const expected = [
      [0, 4096],
      [1, 4096],
      [0, 4 * 4096],
      [0xaa, 512],
      [3, 512],
      [0xaa, 3072],
      [0, 3 * 4096],
      [0xaa, 512],
      [2, 512],
    ];
    expect(encodeRuns(active.peekLayer(0, filled(size, 9)))).toEqual(expected);
    active.eject();
    expect(encodeRuns(active.peekLayer(0, filled(size, 9)))).toEqual(expected);
  });
});

describe('OverlayNode: peek and reads over a shorter backing', () => {
  it('peeks what a read returns: zero clusters, the backing as far as it goes, then zeros', async () => {
    const { env, raw, active } = chain({ sizeBytes: 2 * CS, rawSizeBytes: CS + 4096 });
    await run(env, () => raw.write(CS, filled(512, 7)));
    await run(env, () => active.writeZeroes(0, CS));
    const expected = [
      [0, CS],
      [7, 512],
      [0xaa, 3584],
      [0, CS - 4096],
    ];
    expect(encodeRuns(active.peek(0, 2 * CS, filled(2 * CS, 9)))).toEqual(expected);
    expect(encodeRuns(await run(env, () => active.read(0, 2 * CS)))).toEqual(expected);
  });

  it('reads and peeks past the backing file\'s end as zeros without reading the backing', async () => {
    const { env, active } = chain({ sizeBytes: 2 * CS, rawSizeBytes: CS });
    expect(encodeRuns(await run(env, () => active.read(CS, CS)))).toEqual([[0, CS]]);
    expect(encodeRuns(active.peek(CS, CS, filled(CS, 9)))).toEqual([[0, CS]]);
    // hidden reads nothing from raw, which ends where the read starts.
    expect(env.trace.eventsOf('io').map((e) => `${e.fields.node} ${e.fields.op} ${e.fields.offset}+${e.fields.bytes}`)).toEqual(['hidden read 65536+65536', 'active read 65536+65536']);
  });

  it('without a backing file reads unallocated clusters as zeros and copies zeros on a partial write', async () => {
    const env = new SimEnv();
    const alone = new OverlayNode(env, 'alone', MiB);
    expect(encodeRuns(alone.peek(0, CS, filled(CS, 9)))).toEqual([[0, CS]]);
    await run(env, () => alone.write(512, filled(512, 1)));
    expect(encodeRuns(await run(env, () => alone.read(0, 2 * CS)))).toEqual([
      [0, 512],
      [1, 512],
      [0, 2 * CS - 1024],
    ]);
  });
});

describe('OverlayNode: I/O costs', () => {
  it('a read costs the layer\'s latency once, and only when it holds some of the bytes', async () => {
    const { env, active } = chain();
    active.latencyTicks = 100;
    await run(env, () => active.write(0, filled(CS, 1)));
    await run(env, () => active.write(2 * CS, filled(CS, 2)));
    expect(env.now()).toBe(200);
    await run(env, () => active.read(0, 3 * CS));
    expect(env.now()).toBe(300);
    await run(env, () => active.read(CS, CS));
    expect(env.now()).toBe(300);
  });

  it('copies nothing from below into a cluster that already holds data', async () => {
    const { env, active } = chain();
    await run(env, () => active.write(0, filled(CS, 1)));
    await run(env, () => active.write(512, filled(512, 2)));
    expect(env.trace.eventsOf('io').map((e) => `${e.fields.node} ${e.fields.op} ${e.fields.offset}+${e.fields.bytes}`)).toEqual(['active write 0+65536', 'active write 512+512']);
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([
      [1, 512],
      [2, 512],
      [1, CS - 1024],
    ]);
  });

  it('accepts the smallest cluster size, 512 bytes, and uses 64 KiB by default', () => {
    const env = new SimEnv();
    expect(new OverlayNode(env, 'small', MiB, { clusterSize: 512 }).clusterSize).toBe(512);
    expect(new OverlayNode(env, 'default', MiB).clusterSize).toBe(65536);
  });
});

describe('OverlayNode: write-zeroes edges and allocations in flight', () => {
  const ios = (env: SimEnv, node: string) => env.trace.eventsOf('io').filter((e) => e.fields.node === node).map((e) => `${e.fields.op} ${e.fields.offset}+${e.fields.bytes}`);

  it('zeroes a whole cluster and writes zeros into the partial one after it', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(0, CS + 512));
    expect(ios(env, 'active')).toEqual(['write-zeroes 0+65536', 'write 65536+512']);
    expect(await run(env, () => active.blockStatus(0, MiB))).toEqual({ kind: 'zero', bytes: CS });
    expect(await run(env, () => active.blockStatus(CS, MiB - CS))).toEqual({ kind: 'data', bytes: CS });
    expect(encodeRuns(await run(env, () => active.read(0, 2 * CS)))).toEqual([
      [0, CS + 512],
      [0xaa, CS - 512],
    ]);
  });

  it('writes zeros into the partial cluster before a whole one, then zeroes that', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(512, 2 * CS - 512));
    expect(ios(env, 'active')).toEqual(['write 512+65024', 'write-zeroes 65536+65536']);
    expect(encodeRuns(await run(env, () => active.read(0, 3 * CS)))).toEqual([
      [0xaa, 512],
      [0, 2 * CS - 512],
      [0xaa, CS],
    ]);
    expect(await run(env, () => active.blockStatus(0, MiB))).toEqual({ kind: 'data', bytes: CS });
    expect(await run(env, () => active.blockStatus(CS, MiB - CS))).toEqual({ kind: 'zero', bytes: CS });
  });

  it('zeroes a cluster only after a write allocating it finished, so the zeros win', async () => {
    const { env, raw, active } = chain({ faults: [{ kind: 'latency', node: 'raw', op: 'read', ticks: 100 }] });
    const done: string[] = [];
    env.sched.spawn('write', async () => {
      await active.write(0, filled(512, 1));
      done.push(`write@${env.now()}`);
    });
    env.sched.spawn('zeroes', async () => {
      await env.sched.sleep('later', 10);
      await active.writeZeroes(0, CS);
      done.push(`zeroes@${env.now()}`);
    });
    await env.sched.run();
    expect(done).toEqual(['write@100', 'zeroes@100']);
    expect(encodeRuns(await run(env, () => active.read(0, CS)))).toEqual([[0, CS]]);
    expect(await run(env, () => active.blockStatus(0, CS))).toEqual({ kind: 'zero', bytes: CS });
    expect(raw.tracked.size).toBe(0);
  });
});

describe('OverlayNode: more edges', () => {
  const ios = (env: SimEnv, node: string) => env.trace.eventsOf('io').filter((e) => e.fields.node === node).map((e) => `${e.fields.op} ${e.fields.offset}+${e.fields.bytes}`);

  it('zeroes a range that crosses a cluster boundary but holds no whole cluster as one write of zeros', async () => {
    const { env, active } = chain();
    await run(env, () => active.writeZeroes(CS - 512, 1024));
    expect(ios(env, 'active')).toEqual(['write 65024+1024']);
    expect(encodeRuns(await run(env, () => active.read(CS - 1024, 2048)))).toEqual([
      [0xaa, 512],
      [0, 1024],
      [0xaa, 512],
    ]);
  });

  it('reads zeros well past a shorter backing file\'s end without asking it', async () => {
    const { env, active } = chain({ sizeBytes: 3 * CS, rawSizeBytes: CS });
    expect(encodeRuns(await run(env, () => active.read(2 * CS, CS)))).toEqual([[0, CS]]);
    await run(env, () => active.write(2 * CS + 512, filled(512, 1)));
    expect(encodeRuns(await run(env, () => active.read(2 * CS, CS)))).toEqual([
      [0, 512],
      [1, 512],
      [0, CS - 1024],
    ]);
    expect(ios(env, 'raw')).toEqual([]);
  });

  it('peeks what a read returns past the end of a backing file that lost its driver: zeros, without touching it', async () => {
    const { env, raw, active } = chain({ sizeBytes: 2 * CS, rawSizeBytes: CS });
    raw.eject();
    expect(encodeRuns(await run(env, () => active.read(CS, CS)))).toEqual([[0, CS]]);
    expect(encodeRuns(active.peek(CS, CS, filled(CS, 9)))).toEqual([[0, CS]]);
    const pieces: string[] = [];
    active.peekRuns(CS, CS, { bytes: (o, _d, _a, n) => pieces.push(`b ${o}+${n}`), uniform: (o, n, v) => pieces.push(`u ${o}+${n}=${v}`) });
    expect(pieces).toEqual([`u ${CS}+${CS}=0`]);
  });
});
