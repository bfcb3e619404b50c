/*
 * The generic front of a block node (bdrv_co_* in QEMU's block/io.c): request padding and its
 * bounce-buffer reads, discard with discard=ignore, flush with write_gen/flushed_gen, make_empty and
 * the driver loss it can cause, bdrv_is_inserted, the before/after-write hooks, and peeking.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockBackend } from './BlockBackend.js';
import { BlockError } from './BlockError.js';
import { PeekUnavailable, type WriteRequest } from './BlockNode.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { PassFilter } from './testing/PassFilter.js';
import { filled, run } from './testing/simHelpers.js';

const MiB = 1 << 20;

async function errorOf(env: SimEnv, fn: () => Promise<unknown>): Promise<[string, string]> {
  const task = env.sched.spawn('test', async () => fn());
  await env.sched.run();
  const error = task.outcome?.error;
  expect(error).toBeInstanceOf(BlockError);
  return [(error as BlockError).errno, (error as BlockError).message];
}

/** The io events of `node` as "op offset+bytes". */
function ios(env: SimEnv, node: string): string[] {
  return env.trace
    .eventsOf('io')
    .filter((e) => e.fields.node === node)
    .map((e) => `${e.fields.op} ${e.fields.offset}+${e.fields.bytes}`);
}

function rawWith(faults: readonly Fault[] = [], fill = 0xaa) {
  const env = new SimEnv({ traceLevel: 'full', faults });
  return { env, raw: new RawNode(env, 'raw', MiB, { fill }) };
}

describe('BlockNode: request padding (bdrv_padding_rmw_read)', () => {
  it('reads only the sector a write lies inside, once, and writes it whole', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(600, filled(10, 1)));
    expect(ios(env, 'raw')).toEqual(['read 512+512', 'write 512+512']);
    expect(encodeRuns(await run(env, () => raw.read(512, 512)))).toEqual([
      [0xaa, 88],
      [1, 10],
      [0xaa, 414],
    ]);
  });

  it('reads the head and the tail sector of a write unaligned at both ends, not the sectors between', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(100, filled(1500, 1)));
    expect(ios(env, 'raw')).toEqual(['read 0+512', 'read 1536+512', 'write 0+2048']);
    expect(encodeRuns(await run(env, () => raw.read(0, 2048)))).toEqual([
      [0xaa, 100],
      [1, 1500],
      [0xaa, 448],
    ]);
  });

  it('reads only the unaligned edge: the head when the end is aligned, the tail when the start is', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(612, filled(412, 1)));
    await run(env, () => raw.write(2048, filled(100, 2)));
    await run(env, () => raw.write(4096, filled(612, 3)));
    await run(env, () => raw.write(8192 + 100, filled(924, 4)));
    expect(ios(env, 'raw')).toEqual(['read 512+512', 'write 512+512', 'read 2048+512', 'write 2048+512', 'read 4608+512', 'write 4096+1024', 'read 8192+512', 'write 8192+1024']);
    expect(encodeRuns(await run(env, () => raw.read(0, 5120)))).toEqual([
      [0xaa, 612],
      [1, 412],
      [0xaa, 1024],
      [2, 100],
      [0xaa, 1948],
      [3, 612],
      [0xaa, 412],
    ]);
  });

  it('hands an unaligned read back as exactly the bytes asked for, from one aligned read', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(0, Uint8Array.from({ length: 1024 }, (_, i) => i % 251)));
    const got = await run(env, () => raw.read(500, 20));
    expect([...got]).toEqual(Array.from({ length: 20 }, (_, i) => (500 + i) % 251));
    expect(ios(env, 'raw').slice(1)).toEqual(['read 0+1024']);
    // Aligned at the start only, and at the end only.
    expect([...(await run(env, () => raw.read(0, 20)))]).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...(await run(env, () => raw.read(1000, 24)))]).toEqual(Array.from({ length: 24 }, (_, i) => (1000 + i) % 251));
  });

  it('writes a failed padding read\'s sector from the node\'s own byte stream, four bytes a 32-bit draw, low byte first', async () => {
    // The first two reads of raw fail: the filter's padding reads for its two writes (the head
    // sector of one, which covers two sectors, the tail sector of the other) fail, and the writes go on.
    const { env, raw } = rawWith([{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', times: 2 }], 0);
    const filter = new PassFilter(env, 'filter', raw);
    await run(env, () => filter.write(4096 + 8, filled(1016, 1), { requestId: 5 }));
    await run(env, () => filter.write(8192, filled(520, 2)));
    expect(env.trace.eventsOf('pad-read-failed').map((e) => e.fields)).toEqual([
      { node: 'filter', offset: 4096, bytes: 512, errno: 'EIO', req: 5 },
      { node: 'filter', offset: 8704, bytes: 512, errno: 'EIO', req: undefined },
    ]);
    // "undefined-bytes/filter" of the same root seed, which no other draw shares, one draw after another.
    const stream = new SimEnv().prng.derive('undefined-bytes/filter');
    const sector = (): Uint8Array => {
      const bytes = new Uint8Array(512);
      for (let i = 0; i < 512; i += 4) {
        const word = stream.int(0, 0xffffffff);
        bytes.set([word & 0xff, (word >> 8) & 0xff, (word >> 16) & 0xff, word >>> 24], i);
      }
      return bytes;
    };
    const head = sector();
    head.fill(1, 8);
    const tail = sector();
    tail.fill(2, 0, 8);
    expect(await run(env, () => raw.read(4096, 512))).toEqual(head);
    expect(encodeRuns(await run(env, () => raw.read(4608, 512)))).toEqual([[1, 512]]);
    expect(await run(env, () => raw.read(8704, 512))).toEqual(tail);
  });

  it('makes an unaligned write-zeroes a write of zeros over the padded sectors, and an aligned one a write-zeroes', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.writeZeroes(600, 100));
    await run(env, () => raw.writeZeroes(4096, 1024));
    expect(ios(env, 'raw')).toEqual(['read 512+512', 'write 512+512', 'write-zeroes 4096+1024']);
    expect(encodeRuns(await run(env, () => raw.read(512, 1024)))).toEqual([
      [0xaa, 88],
      [0, 100],
      [0xaa, 836],
    ]);
  });

  it('does nothing for a request of no bytes, aligned or not', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(100, new Uint8Array(0)));
    await run(env, () => raw.writeZeroes(100, 0));
    await run(env, () => raw.writeZeroes(512, 0));
    expect(await run(env, () => raw.read(100, 0))).toEqual(new Uint8Array(0));
    expect(ios(env, 'raw')).toEqual([]);
    expect(raw.tracked.size).toBe(0);
  });

  it('accepts a request that ends at the last byte, and a node of byte alignment passes unaligned requests on unpadded', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(MiB - 512, filled(512, 4)));
    const byteFilter = new PassFilter(env, 'filter', raw, { alignment: 1 });
    await run(env, () => byteFilter.write(MiB - 3, filled(3, 5)));
    expect(encodeRuns(await run(env, () => byteFilter.read(MiB - 4, 4)))).toEqual([
      [4, 1],
      [5, 3],
    ]);
  });
});

describe('BlockNode: the write hooks', () => {
  it('hands the padded range and the op to the hooks, before and after the driver', async () => {
    const { env, raw } = rawWith();
    const seen: string[] = [];
    const describeWrite = (when: string, w: WriteRequest) => `${when} ${w.node.name} ${w.op} ${w.offset}+${w.bytes} req=${w.requestId}`;
    raw.beforeWrite.push(async (w) => {
      seen.push(describeWrite('before', w));
    });
    raw.afterWrite.push((w) => seen.push(describeWrite('after', w)));
    await run(env, () => raw.write(100, filled(10, 1), { requestId: 7 }));
    await run(env, () => raw.writeZeroes(1024, 512));
    expect(seen).toEqual(['before raw write 0+512 req=7', 'after raw write 0+512 req=7', 'before raw write-zeroes 1024+512 req=undefined', 'after raw write-zeroes 1024+512 req=undefined']);
  });

  it('fails the write when a before-write hook throws, writing nothing and running no after-write hook', async () => {
    const { env, raw } = rawWith();
    let after = 0;
    raw.beforeWrite.push(async () => {
      throw new BlockError('EPERM', 'refused');
    });
    raw.afterWrite.push(() => after++);
    expect(await errorOf(env, () => raw.write(0, filled(512, 1)))).toEqual(['EPERM', 'refused']);
    expect(await errorOf(env, () => raw.writeZeroes(0, 512))).toEqual(['EPERM', 'refused']);
    expect(after).toBe(0);
    expect(encodeRuns(await run(env, () => raw.read(0, 512)))).toEqual([[0xaa, 512]]);
    expect(raw.tracked.size).toBe(0);
  });

  it('runs no after-write hook when the driver fails', async () => {
    const { env, raw } = rawWith([{ kind: 'io-error', node: 'raw', op: 'any', errno: 'ENOSPC' }]);
    let after = 0;
    raw.afterWrite.push(() => after++);
    expect(await errorOf(env, () => raw.write(0, filled(512, 1)))).toEqual(['ENOSPC', 'injected ENOSPC on raw write']);
    expect(await errorOf(env, () => raw.writeZeroes(0, 512))).toEqual(['ENOSPC', 'injected ENOSPC on raw write-zeroes']);
    expect(after).toBe(0);
  });
});

describe('BlockNode: discard (discard=ignore)', () => {
  it('checks the request and then drops it: nothing changes', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(0, filled(4096, 1)));
    await run(env, () => raw.discard(0, 4096));
    // bdrv_co_pdiscard checks no length against the disk: the BlockBackend does.
    await run(env, () => raw.discard(MiB, 4096));
    await run(env, () => raw.discard(512, 0));
    expect(encodeRuns(await run(env, () => raw.read(0, 4096)))).toEqual([[1, 4096]]);
    expect(ios(env, 'raw')).toEqual(['write 0+4096', 'read 0+4096']);
  });

  it('fails a negative or fractional range with EIO', async () => {
    const { env, raw } = rawWith();
    expect(await errorOf(env, () => raw.discard(-512, 512))).toEqual(['EIO', 'discard [-512, +512) on raw']);
    expect(await errorOf(env, () => raw.discard(0, -512))).toEqual(['EIO', 'discard [0, +-512) on raw']);
    expect(await errorOf(env, () => raw.discard(0.5, 512))).toEqual(['EIO', 'discard [0.5, +512) on raw']);
    expect(await errorOf(env, () => raw.discard(0, 1.5))).toEqual(['EIO', 'discard [0, +1.5) on raw']);
  });

  it('fails with ENOMEDIUM when the node or a node below it has no driver', async () => {
    const { env, raw } = rawWith();
    const top = new OverlayNode(env, 'top', MiB);
    top.attach('backing', raw);
    raw.eject();
    expect(await errorOf(env, () => top.discard(0, 512))).toEqual(['ENOMEDIUM', 'discard on top, which has no driver']);
    const closed = new RawNode(env, 'closed', MiB);
    closed.open = false;
    expect(await errorOf(env, () => closed.discard(0, 512))).toEqual(['ENOMEDIUM', 'discard on closed, which has no driver']);
  });
});

describe('BlockNode: flush (write_gen and flushed_gen)', () => {
  it('reaches the driver\'s fault point only when a write came since the last successful flush', async () => {
    // The first flush that reaches the fault point passes, the second fails.
    const { env, raw } = rawWith([{ kind: 'io-error', node: 'raw', op: 'flush', errno: 'EIO', afterOps: 1, times: 1 }]);
    await run(env, () => raw.flush());
    await run(env, () => raw.write(0, filled(512, 1)));
    await run(env, () => raw.flush());
    // No write since: the fault point is not reached, so the armed fault does not fire.
    await run(env, () => raw.flush());
    await run(env, () => raw.write(0, filled(512, 2)));
    expect(await errorOf(env, () => raw.flush())).toEqual(['EIO', 'injected EIO on raw flush']);
    // The failed flush did not record the generation: the next one reaches the driver again (and passes).
    await run(env, () => raw.flush());
    expect(env.trace.eventsOf('fault').length).toBe(1);
  });

  it('counts a write that failed as one that reached the node', async () => {
    const { env, raw } = rawWith([
      { kind: 'io-error', node: 'raw', op: 'write', errno: 'EIO', times: 1 },
      { kind: 'io-error', node: 'raw', op: 'flush', errno: 'ENOSPC' },
    ]);
    await run(env, () => raw.flush());
    expect(await errorOf(env, () => raw.write(0, filled(512, 1)))).toEqual(['EIO', 'injected EIO on raw write']);
    expect(await errorOf(env, () => raw.flush())).toEqual(['ENOSPC', 'injected ENOSPC on raw flush']);
  });

  it('does not count a request refused before it started', async () => {
    const { env, raw } = rawWith([{ kind: 'io-error', node: 'raw', op: 'flush', errno: 'EIO' }]);
    expect(await errorOf(env, () => raw.write(MiB, filled(512, 1)))).toEqual(['EIO', 'write [1048576, +512) outside raw (1048576 bytes)']);
    await run(env, () => raw.flush());
    expect(env.trace.eventsOf('fault')).toEqual([]);
  });

  it('succeeds without flushing anything on a node that is not inserted', async () => {
    const { env, raw } = rawWith([{ kind: 'io-error', node: 'raw', op: 'flush', errno: 'EIO' }]);
    await run(env, () => raw.write(0, filled(512, 1)));
    raw.eject();
    await run(env, () => raw.flush());
    raw.ejected = false;
    raw.open = false;
    await run(env, () => raw.flush());
    expect(ios(env, 'raw')).toEqual(['write 0+512']);
  });

  it('flushes a filter\'s file child, and an overlay\'s image then its file', async () => {
    const { env, raw } = rawWith();
    const filter = new PassFilter(env, 'filter', raw);
    await run(env, () => filter.write(0, filled(512, 1)));
    await run(env, () => filter.flush({ requestId: 9 }));
    expect(env.trace.eventsOf('io').filter((e) => e.fields.op === 'flush').map((e) => [e.fields.node, e.fields.req])).toEqual([['raw', 9]]);
    const image = new OverlayNode(env, 'image', MiB);
    const file = new RawNode(env, 'file', MiB);
    image.attach('file', file);
    await run(env, () => image.flush({ requestId: 4 }));
    expect(env.trace.eventsOf('io').filter((e) => e.fields.op === 'flush').map((e) => [e.fields.node, e.fields.req])).toEqual([
      ['raw', 9],
      ['image', 4],
      ['file', 4],
    ]);
  });
});

describe('BlockNode: make-empty', () => {
  it('refuses a driver that cannot empty, by its format name', async () => {
    const env = new SimEnv();
    const vmdk = new OverlayNode(env, 'vmdk', MiB, { makeEmpty: false });
    expect(await errorOf(env, () => vmdk.makeEmpty())).toEqual(['ENOTSUP', 'qcow2 does not support emptying nodes']);
    vmdk.format = 'vmdk';
    expect(await errorOf(env, () => vmdk.makeEmpty())).toEqual(['ENOTSUP', 'vmdk does not support emptying nodes']);
    expect(vmdk.ejected).toBe(false);
  });

  it('refuses a closed or an ejected node with ENOMEDIUM', async () => {
    const env = new SimEnv();
    const image = new OverlayNode(env, 'image', MiB);
    image.open = false;
    expect(await errorOf(env, () => image.makeEmpty())).toEqual(['ENOMEDIUM', 'make-empty on closed node image']);
    image.open = true;
    image.eject();
    expect(await errorOf(env, () => image.makeEmpty())).toEqual(['ENOMEDIUM', 'make-empty on ejected node image']);
  });

  it('traces a successful emptying over the whole disk', async () => {
    const env = new SimEnv({ traceLevel: 'full' });
    const image = new OverlayNode(env, 'image', MiB);
    await run(env, () => image.write(0, filled(512, 1)));
    await run(env, () => image.makeEmpty());
    expect(ios(env, 'image')).toEqual(['write 0+512', 'make-empty 0+1048576']);
  });

  it('leaves a qcow2 image that failed to empty without its driver: every later request fails with ENOMEDIUM', async () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [{ kind: 'io-error', node: 'image', op: 'make-empty', errno: 'EIO' }] });
    const image = new OverlayNode(env, 'image', MiB);
    await run(env, () => image.write(0, filled(512, 1)));
    expect(await errorOf(env, () => image.makeEmpty())).toEqual(['EIO', 'injected EIO on image make-empty']);
    expect(image.ejected).toBe(true);
    expect(env.trace.eventsOf('eject').map((e) => e.fields)).toEqual([{ node: 'image' }]);
    expect(await errorOf(env, () => image.read(0, 512))).toEqual(['ENOMEDIUM', 'read on ejected node image']);
    expect(await errorOf(env, () => image.write(0, filled(512, 1)))).toEqual(['ENOMEDIUM', 'write on ejected node image']);
    expect(await errorOf(env, () => image.writeZeroes(0, 512))).toEqual(['ENOMEDIUM', 'write-zeroes on ejected node image']);
    expect(() => image.peek(0, 512)).toThrow(new PeekUnavailable('image is ejected'));
    expect(ios(env, 'image')).toEqual(['write 0+512']);
  });
});

describe('BlockNode: bdrv_is_inserted', () => {
  it('is false once the node or any node below it lost its driver or was closed, and a BlockBackend then has no medium', async () => {
    const { env, raw } = rawWith();
    const hidden = new OverlayNode(env, 'hidden', MiB);
    hidden.attach('backing', raw);
    const active = new OverlayNode(env, 'active', MiB);
    active.attach('backing', hidden);
    const side = new RawNode(env, 'side', MiB);
    active.attach('secondary', side);
    const blk = new BlockBackend('disk0', active);
    expect([active.isInserted, hidden.isInserted, raw.isInserted]).toEqual([true, true, true]);
    side.open = false;
    expect([active.isInserted, hidden.isInserted]).toEqual([false, true]);
    side.open = true;
    raw.eject();
    expect([active.isInserted, hidden.isInserted, side.isInserted]).toEqual([false, false, true]);
    expect(await errorOf(env, () => blk.read(0, 512))).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
    expect(await errorOf(env, () => blk.flush())).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
  });

  it('walks a graph with a cycle to its end, answering again on every call', () => {
    const { env, raw } = rawWith();
    const a = new PassFilter(env, 'a', raw);
    const b = new PassFilter(env, 'b', a);
    a.attach('target', b);
    const c = new RawNode(env, 'c', MiB);
    b.attach('other', c);
    expect([a.isInserted, b.isInserted, a.isInserted]).toEqual([true, true, true]);
    c.eject();
    expect([a.isInserted, b.isInserted]).toEqual([false, false]);
    c.ejected = false;
    expect([b.isInserted, a.isInserted]).toEqual([true, true]);
  });
});

describe('BlockNode: peek', () => {
  it('refuses a closed or an ejected node, saying which', () => {
    const { raw } = rawWith();
    raw.open = false;
    expect(() => raw.peek(0, 512)).toThrow(new PeekUnavailable('raw is closed'));
    expect(() => raw.peekRuns(0, 512, { bytes: () => {}, uniform: () => {} })).toThrow(new PeekUnavailable('raw is closed'));
    raw.open = true;
    raw.eject();
    expect(() => raw.peek(0, 512)).toThrow(new PeekUnavailable('raw is ejected'));
  });

  it('builds the refusal without a stack trace, leaving the limit as it was', () => {
    const { raw } = rawWith();
    raw.open = false;
    let refusal: unknown;
    try {
      raw.peek(0, 512);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(PeekUnavailable);
    expect((refusal as Error).stack?.split('\n')).toEqual(['Error: raw is closed']);
    expect(new Error('other').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('fills the front of a larger scratch buffer, or the buffer itself when it fits', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(0, filled(512, 1)));
    const scratch = filled(2048, 9);
    const out = raw.peek(0, 1024, scratch);
    expect([out.length, out.buffer === scratch.buffer, out.byteOffset]).toEqual([1024, true, scratch.byteOffset]);
    expect(encodeRuns(scratch)).toEqual([
      [1, 512],
      [0xaa, 512],
      [9, 1024],
    ]);
    const exact = new Uint8Array(512);
    expect(raw.peek(512, 512, exact)).toBe(exact);
    expect(encodeRuns(raw.peek(0, 1024))).toEqual([
      [1, 512],
      [0xaa, 512],
    ]);
  });

  it('peeks a filter through its file, and refuses a filter without one', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(512, filled(512, 3)));
    const filter = new PassFilter(env, 'filter', raw);
    expect(encodeRuns(filter.peek(0, 1024))).toEqual([
      [0xaa, 512],
      [3, 512],
    ]);
    const pieces: string[] = [];
    filter.peekRuns(0, 8192, { bytes: (o, _d, _a, n) => pieces.push(`b ${o}+${n}`), uniform: (o, n, v) => pieces.push(`u ${o}+${n}=${v}`) });
    expect(pieces).toEqual(['b 0+4096', 'u 4096+4096=170']);
    filter.detach('file');
    expect(() => filter.peek(0, 512)).toThrow(new PeekUnavailable('filter (pass) cannot be peeked'));
    expect(() => filter.peekRuns(0, 512, { bytes: () => {}, uniform: () => {} })).toThrow(new PeekUnavailable('filter (pass) cannot be peeked'));
  });
});

describe('BlockNode: I/O completions on the simulated clock', () => {
  it('names each pending I/O by node and op when a run would pass its tick limit', async () => {
    const cases: [string, (raw: RawNode, image: OverlayNode) => Promise<unknown>][] = [
      ['io:raw:read', (raw) => raw.read(0, 512)],
      ['io:raw:write', (raw) => raw.write(0, filled(512, 1))],
      ['io:raw:write-zeroes', (raw) => raw.writeZeroes(0, 512)],
      ['io:raw:flush', (raw) => raw.flush()],
      ['io:image:make-empty', (_raw, image) => image.makeEmpty()],
      ['io:image:write', (_raw, image) => image.write(0, filled(512, 1))],
      ['io:image:write-zeroes', (_raw, image) => image.writeZeroes(0, 65536)],
      // An image's own read costs time only where it holds data: the data cluster is made instantly.
      [
        'io:image:read',
        async (_raw, image) => {
          image.latencyTicks = 0;
          await image.write(0, filled(512, 1));
          image.latencyTicks = 100;
          await image.read(0, 512);
        },
      ],
    ];
    for (const [label, fn] of cases) {
      const env = new SimEnv({ maxTicks: 10 });
      const raw = new RawNode(env, 'raw', MiB);
      const image = new OverlayNode(env, 'image', MiB);
      raw.latencyTicks = 100;
      image.latencyTicks = 100;
      env.sched.spawn('io', () => fn(raw, image));
      await expect(env.sched.run()).rejects.toThrow(`simulated time would pass the limit of 10 ticks (next timer: ${label} at 100)`);
    }
  });
});

/** A filter with its own view of the bytes: it shows its file's bytes plus one (mod 256). */
class PlusOneFilter extends PassFilter {
  protected override doPeek(offset: number, out: Uint8Array): void {
    this.file!.peek(offset, out.length, out);
    for (let i = 0; i < out.length; i++) out[i] = (out[i]! + 1) & 0xff;
  }
}

/** A filter whose reads fail with a programming error, not an I/O error. */
class BrokenReadFilter extends PassFilter {
  protected override doRead(): Promise<Uint8Array> {
    return Promise.reject(new TypeError('broken driver'));
  }
}

describe('BlockNode: drivers with their own peek or a broken read', () => {
  it('hands the bytes of a node with its own peek over as one piece, as that peek shows them', async () => {
    const { env, raw } = rawWith();
    await run(env, () => raw.write(0, filled(512, 1)));
    const filter = new PlusOneFilter(env, 'plus', raw);
    const pieces: [number, number[]][] = [];
    filter.peekRuns(0, 1024, {
      bytes: (o, d, a, n) => pieces.push([o, encodeRuns(d.subarray(a, a + n)).flat()]),
      uniform: (o) => pieces.push([o, []]),
    });
    expect(pieces).toEqual([[0, [2, 512, 0xab, 512]]]);
  });

  it('fails a padded write with the padding read\'s error when that is no I/O error', async () => {
    const { env, raw } = rawWith();
    const filter = new BrokenReadFilter(env, 'broken', raw);
    const task = env.sched.spawn('w', () => filter.write(100, filled(10, 1)));
    await env.sched.run();
    expect(task.outcome?.error).toEqual(new TypeError('broken driver'));
    expect(env.trace.eventsOf('pad-read-failed')).toEqual([]);
    expect(ios(env, 'raw')).toEqual([]);
  });
});

/** A driver that can empty itself but fails to, and survives that (it keeps its driver). */
class FailingEmptyFilter extends PassFilter {
  override get supportsMakeEmpty(): boolean {
    return true;
  }
  protected override async doMakeEmpty(): Promise<void> {
    throw new BlockError('EIO', 'emptying failed');
  }
}

describe('BlockNode: odds and ends of the front', () => {
  it('keeps the driver of a node whose failed emptying it survives', async () => {
    const { env, raw } = rawWith();
    const filter = new FailingEmptyFilter(env, 'filter', raw);
    expect(await errorOf(env, () => filter.makeEmpty())).toEqual(['EIO', 'emptying failed']);
    expect([filter.ejected, filter.isInserted]).toEqual([false, true]);
  });

  it('refuses a fractional length with EIO', async () => {
    const { env, raw } = rawWith();
    expect(await errorOf(env, () => raw.read(0, 1.5))).toEqual(['EIO', 'read [0, +1.5) outside raw (1048576 bytes)']);
    expect(await errorOf(env, () => raw.writeZeroes(0, 1.5))).toEqual(['EIO', 'write-zeroes [0, +1.5) outside raw (1048576 bytes)']);
  });

  it('detaches a role it does not have without complaint', () => {
    const { raw } = rawWith();
    raw.detach('backing');
    expect([raw.backing, raw.file, raw.children.size]).toEqual([null, null, 0]);
  });
});

/** A driver that says it can empty itself but has no hook for it. */
class NoEmptyHookFilter extends PassFilter {
  override get supportsMakeEmpty(): boolean {
    return true;
  }
}

describe('BlockNode: the default driver hooks', () => {
  it('reports everything as data for a driver without block status, as bdrv_co_do_block_status assumes', async () => {
    const { env, raw } = rawWith();
    const filter = new PassFilter(env, 'filter', raw);
    expect(await run(env, () => filter.blockStatus(4096, 8192))).toEqual({ kind: 'data', bytes: 8192 });
  });

  it('fails make-empty with ENOTSUP naming the driver when the driver has no hook for it', async () => {
    const { env, raw } = rawWith();
    const filter = new NoEmptyHookFilter(env, 'filter', raw);
    filter.format = 'blkdebug';
    expect(await errorOf(env, () => filter.makeEmpty())).toEqual(['ENOTSUP', 'pass does not support emptying nodes']);
  });

  it('sees a driver lost however deep below it lies', () => {
    const { env, raw } = rawWith();
    let top: PassFilter = new PassFilter(env, 'f0', raw);
    for (let i = 1; i < 100; i++) top = new PassFilter(env, `f${i}`, top);
    expect(top.isInserted).toBe(true);
    raw.eject();
    expect(top.isInserted).toBe(false);
  });
});
