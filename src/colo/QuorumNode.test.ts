import { describe, expect, it } from 'vitest';
import { BlockError } from '../block/BlockError.js';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import type { Errno } from '../sim/errno.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { QuorumNode } from './QuorumNode.js';
import { filled, run } from '../block/testing/simHelpers.js';

const SIZE = 1 << 20;

/** A quorum over children c0 (0x10), c1 (0x11), ... with the given faults; counts afterLocalWrite calls. */
function quorum(children: number, faults: readonly Fault[] = []) {
  const env = new SimEnv({ traceLevel: 'full', faults });
  const nodes = Array.from({ length: children }, (_, i) => new RawNode(env, `c${i}`, SIZE, { fill: 0x10 + i }));
  let localWrites = 0;
  const q = new QuorumNode(env, { name: 'quorum', children: nodes, afterLocalWrite: () => localWrites++ });
  return { env, nodes, q, localWrites: () => localWrites };
}

const fail = (node: string, op: 'read' | 'write', errno: Errno): Fault => ({ kind: 'io-error', node, op, errno });

async function errorOf(env: SimEnv, fn: () => Promise<unknown>): Promise<unknown> {
  return run(env, () => fn().then(() => null, (e: unknown) => e));
}

const reads = (env: SimEnv) => env.trace.eventsOf('io').filter((e) => e.fields.op === 'read').map((e) => e.fields.node);

describe('QuorumNode: fifo reads', () => {
  it('reads child 0 only while it succeeds', async () => {
    const { env, q } = quorum(2);
    expect(encodeRuns(await run(env, () => q.read(0, 512)))).toEqual([[0x10, 512]]);
    expect(reads(env)).toEqual(['c0']);
  });

  it('falls back to child 1 when child 0 fails', async () => {
    const { env, q } = quorum(2, [fail('c0', 'read', 'EIO')]);
    expect(encodeRuns(await run(env, () => q.read(0, 512)))).toEqual([[0x11, 512]]);
    expect(reads(env)).toEqual(['c1']);
  });

  it('when every child fails, throws the last child\'s error', async () => {
    const { env, q } = quorum(2, [fail('c0', 'read', 'EIO'), fail('c1', 'read', 'ENOSPC')]);
    const error = await errorOf(env, () => q.read(0, 512));
    expect(error).toBeInstanceOf(BlockError);
    expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['ENOSPC', 'injected ENOSPC on c1 read']);
  });

  it('peeks at the local child', () => {
    const { q } = quorum(2);
    expect(encodeRuns(q.peek(0, 512))).toEqual([[0x10, 512]]);
    expect([q.length, q.childCount, q.threshold]).toEqual([SIZE, 2, 1]);
  });
});

describe('QuorumNode: writes with vote-threshold 1', () => {
  it('writes every child and calls afterLocalWrite once', async () => {
    const { env, nodes, q, localWrites } = quorum(2);
    await run(env, () => q.write(0, filled(512, 0x77)));
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x77, 512]], [[0x77, 512]]]);
    expect(localWrites()).toBe(1);
    await run(env, () => q.write(512, filled(512, 0x78)));
    expect(localWrites()).toBe(2);
    const votes = env.trace.events().filter((e) => e.kind === 'quorum-write').map((e) => e.fields.children);
    expect(votes).toEqual(['ok,ok', 'ok,ok']);
  });

  it('succeeds when only the local child succeeds (and calls afterLocalWrite)', async () => {
    const { env, nodes, q, localWrites } = quorum(2, [fail('c1', 'write', 'EIO')]);
    await run(env, () => q.write(0, filled(512, 0x77)));
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x77, 512]], [[0x11, 512]]]);
    expect(localWrites()).toBe(1);
  });

  it('succeeds when only the other child succeeds (no afterLocalWrite)', async () => {
    const { env, nodes, q, localWrites } = quorum(2, [fail('c0', 'write', 'ENOSPC')]);
    await run(env, () => q.write(0, filled(512, 0x77)));
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x10, 512]], [[0x77, 512]]]);
    expect(localWrites()).toBe(0);
    expect(env.trace.events().filter((e) => e.kind === 'quorum-write').map((e) => e.fields.children)).toEqual(['ENOSPC,ok']);
  });

  const votes: readonly [readonly Errno[], Errno][] = [
    [['EIO', 'ENOSPC'], 'ENOSPC'],
    [['ENOSPC', 'EIO'], 'EIO'],
    [['EIO', 'EIO'], 'EIO'],
    [['EIO', 'ENOSPC', 'ENOSPC'], 'ENOSPC'],
    [['ENOSPC', 'ENOSPC', 'EIO'], 'ENOSPC'],
    [['ENOSPC', 'EIO', 'ENOSPC'], 'ENOSPC'],
    [['EIO', 'ENOSPC', 'EPERM'], 'EPERM'],
  ];
  async function voted(errnos: readonly Errno[]): Promise<[Errno, string]> {
    const { env, q, localWrites } = quorum(errnos.length, errnos.map((errno, i) => fail(`c${i}`, 'write', errno)));
    const error = await errorOf(env, () => q.write(0, filled(512, 0x77)));
    expect(error).toBeInstanceOf(BlockError);
    expect(localWrites()).toBe(0);
    return [(error as BlockError).errno, (error as BlockError).message];
  }
  for (const [errnos, winner] of votes) {
    it(`all children failing with ${errnos.join(', ')} -> ${winner} (majority, a tie to the later child)`, async () => {
      expect(await voted(errnos)).toEqual([winner, 'quorum: too many children failed']);
    });
  }

  /*
   * ENGINE BUG (unreachable in a COLO pair, whose quorums have two children): QEMU's
   * quorum_count_vote (block/quorum.c) inserts each new error value at the HEAD of the vote list
   * and quorum_get_vote_winner takes the first value with a strictly greater count, so on a tie the
   * value whose FIRST report came from the latest child wins. QuorumNode's voteError instead gives
   * the tie to the value of the LAST child. The two agree for two or three children; with four
   * children failing EPERM, EIO, EIO, EPERM QEMU's list is [EIO, EPERM] and EIO wins, the engine says EPERM.
   */
  it('4 children failing EPERM, EIO, EIO, EPERM -> EIO, as quorum_vote_error orders its list', async () => {
    expect(await voted(['EPERM', 'EIO', 'EIO', 'EPERM'])).toEqual(['EIO', 'quorum: too many children failed']);
  });

  it('4 children failing EIO, EPERM, EPERM, EIO -> EPERM, as quorum_vote_error orders its list', async () => {
    expect(await voted(['EIO', 'EPERM', 'EPERM', 'EIO'])).toEqual(['EPERM', 'quorum: too many children failed']);
  });

  it('waits for every child before answering, and rethrows a crash after they all ended', async () => {
    const env = new SimEnv();
    class Crashing extends RawNode {
      protected override async doWrite(): Promise<void> {
        throw new SimulatedCrash('primary', 'crash in a child');
      }
    }
    const slow = new RawNode(env, 'local', SIZE);
    slow.latencyTicks = 30;
    let localWrites = 0;
    const q = new QuorumNode(env, { name: 'quorum', children: [slow, new Crashing(env, 'link', SIZE)], afterLocalWrite: () => localWrites++ });
    const task = env.sched.spawn('write', () => q.write(0, filled(512, 0x77)).then(() => 'ok', (e: unknown) => `${(e as Error).constructor.name}@${env.now()}`));
    await env.sched.run();
    expect(task.result()).toBe('SimulatedCrash@30');
    expect([encodeRuns(slow.peek(0, 512)), localWrites]).toEqual([[[0x77, 512]], 1]);
  });
});

describe('QuorumNode: removeLastChild (x-blockdev-change)', () => {
  it('removes the last child: it loses its parent link and gets no more writes', async () => {
    const { env, nodes, q } = quorum(2);
    q.removeLastChild();
    expect([q.childCount, nodes[1]!.parents.size, [...q.children.keys()]]).toEqual([1, 0, ['children.0']]);
    await run(env, () => q.write(0, filled(512, 0x77)));
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x77, 512]], [[0x11, 512]]]);
  });

  it('refuses to go below the vote threshold', () => {
    const { q } = quorum(1);
    expect(() => q.removeLastChild()).toThrow('The number of children cannot be lower than the vote threshold');
    expect(q.childCount).toBe(1);
  });
});

describe('QuorumNode: write-zeroes and flush', () => {
  const ops = (env: SimEnv) => env.trace.events().filter((e) => e.kind === 'io').map((e) => `${e.fields.node}:${e.fields.op}`);

  it('passes write-zeroes to every child as write-zeroes (quorum_co_pwrite_zeroes), voted like a write', async () => {
    const { env, nodes, q, localWrites } = quorum(2, [{ kind: 'io-error', node: 'c1', op: 'write-zeroes', errno: 'EIO' }]);
    await run(env, () => q.writeZeroes(65536, 4096));
    expect(nodes.map((n) => encodeRuns(n.peek(65536, 4096)))).toEqual([[[0, 4096]], [[0x11, 4096]]]);
    expect(localWrites()).toBe(1);
    expect(env.trace.events().filter((e) => e.kind === 'quorum-write').map((e) => e.fields.children)).toEqual(['ok,EIO']);
  });

  it('flushes every child, even after one failed, and succeeds when one child did', async () => {
    const { env, q } = quorum(2, [
      { kind: 'io-error', node: 'c0', op: 'flush', errno: 'EIO' },
      { kind: 'latency', node: 'c1', op: 'flush', ticks: 100 },
    ]);
    await run(env, () => q.write(0, filled(512, 1)));
    expect(await errorOf(env, () => q.flush())).toBeNull();
    // c0's flush failed; c1's still ran, and took its 100 ticks.
    expect([env.faults.firedPerFault(), env.now()]).toEqual([[1, 1], 100]);
  });

  it('when every child fails to flush, the voted error wins', async () => {
    const { env, q } = quorum(2, [
      { kind: 'io-error', node: 'c0', op: 'flush', errno: 'EIO' },
      { kind: 'io-error', node: 'c1', op: 'flush', errno: 'ENOSPC' },
    ]);
    await run(env, () => q.write(0, filled(512, 1)));
    const error = await errorOf(env, () => q.flush());
    expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['ENOSPC', 'quorum: too many children failed to flush']);
  });

  it('a flush before any write flushes nothing below, so a flush fault cannot fire', async () => {
    const { env, q } = quorum(2, [{ kind: 'io-error', node: 'c0', op: 'flush', errno: 'EIO' }, { kind: 'io-error', node: 'c1', op: 'flush', errno: 'EIO' }]);
    expect(await errorOf(env, () => q.flush())).toBeNull();
  });

  it('has no discard: a discard is checked and dropped, the bytes stay', async () => {
    const { env, nodes, q } = quorum(2);
    await run(env, () => q.discard(0, 65536));
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x10, 512]], [[0x11, 512]]]);
    expect(ops(env)).toEqual([]);
  });
});

describe('QuorumNode: what is not an I/O error', () => {
  class CrashingRead extends RawNode {
    protected override async doRead(): Promise<Uint8Array> {
      throw new SimulatedCrash('primary', 'crash in a read');
    }
  }
  class CrashingFlush extends RawNode {
    protected override async doFlush(): Promise<void> {
      throw new SimulatedCrash('primary', 'crash in a flush');
    }
  }

  it('a crash in child 0\'s read is not a reason to ask child 1: it propagates', async () => {
    const env = new SimEnv({ traceLevel: 'full' });
    const q = new QuorumNode(env, { name: 'quorum', children: [new CrashingRead(env, 'c0', SIZE), new RawNode(env, 'c1', SIZE, { fill: 0x11 })] });
    const error = await errorOf(env, () => q.read(0, 512));
    expect([(error as Error).message, reads(env)]).toEqual(['the primary side crashed: crash in a read', []]);
  });

  it('a crash in a child\'s flush propagates', async () => {
    const env = new SimEnv();
    const q = new QuorumNode(env, { name: 'quorum', children: [new CrashingFlush(env, 'c0', SIZE), new RawNode(env, 'c1', SIZE)] });
    await run(env, () => q.write(0, filled(512, 1)));
    expect(((await errorOf(env, () => q.flush())) as Error).message).toBe('the primary side crashed: crash in a flush');
  });

  it('a crash at afterLocalWrite fails the write after every child has written', async () => {
    const env = new SimEnv();
    const nodes = [new RawNode(env, 'c0', SIZE), new RawNode(env, 'c1', SIZE)];
    nodes[1]!.latencyTicks = 20;
    const crash = new SimulatedCrash('primary', 'after the local write');
    const q = new QuorumNode(env, {
      name: 'quorum',
      children: nodes,
      afterLocalWrite: () => {
        throw crash;
      },
    });
    const task = env.sched.spawn('write', () => q.write(0, filled(512, 0x77)).then(() => null, (e: unknown) => [e, env.now()]));
    await env.sched.run();
    expect(task.result()).toEqual([crash, 20]);
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x77, 512]], [[0x77, 512]]]);
  });

  it('write-zeroes failing on every child fails with the voted error', async () => {
    const { env, q } = quorum(2, [
      { kind: 'io-error', node: 'c0', op: 'write-zeroes', errno: 'ENOSPC' },
      { kind: 'io-error', node: 'c1', op: 'write-zeroes', errno: 'EIO' },
    ]);
    const error = await errorOf(env, () => q.writeZeroes(0, 4096));
    expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['EIO', 'quorum: too many children failed']);
  });
});

describe('QuorumNode: what its children see', () => {
  it('a read and a flush carry the guest request id to the children', async () => {
    const { env, q } = quorum(2);
    await run(env, () => q.read(0, 512, { requestId: 4 }));
    await run(env, () => q.write(0, filled(512, 1), { requestId: 5 }));
    await run(env, () => q.flush({ requestId: 6 }));
    const io = env.trace.eventsOf('io').map((e) => `${e.fields.node}:${e.fields.op}:${e.fields.req}`);
    expect(io.filter((e) => !e.includes(':write:'))).toEqual(['c0:read:4', 'c0:flush:6', 'c1:flush:6']);
  });

  it('without an afterLocalWrite hook a write simply succeeds', async () => {
    const env = new SimEnv();
    const nodes = [new RawNode(env, 'c0', SIZE), new RawNode(env, 'c1', SIZE)];
    const q = new QuorumNode(env, { name: 'quorum', children: nodes });
    expect(await errorOf(env, () => q.write(0, filled(512, 0x77)))).toBeNull();
    expect(nodes.map((n) => encodeRuns(n.peek(0, 512)))).toEqual([[[0x77, 512]], [[0x77, 512]]]);
  });

  it('is the quorum driver, which cannot be emptied', async () => {
    const { env, q } = quorum(2);
    const error = await errorOf(env, () => q.makeEmpty());
    expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['ENOTSUP', 'quorum does not support emptying nodes']);
  });
});
