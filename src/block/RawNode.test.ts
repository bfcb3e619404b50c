import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockError } from './BlockError.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const MiB = 1 << 20;

async function errorOf(env: SimEnv, fn: () => Promise<unknown>): Promise<BlockError> {
  const task = env.sched.spawn('test', fn);
  await env.sched.run();
  expect(task.outcome?.ok).toBe(false);
  expect(task.outcome?.error).toBeInstanceOf(BlockError);
  return task.outcome!.error as BlockError;
}

describe('RawNode', () => {
  it('reads its fill pattern, then exactly what was written', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
    expect(encodeRuns(await run(env, () => raw.read(0, 4096)))).toEqual([[0xaa, 4096]]);
    await run(env, () => raw.write(1024, filled(1024, 1)));
    expect(encodeRuns(await run(env, () => raw.read(0, 4096)))).toEqual([
      [0xaa, 1024],
      [1, 1024],
      [0xaa, 2048],
    ]);
  });

  it('zeroes a range, even over a non-zero fill', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
    await run(env, () => raw.writeZeroes(512, 8192));
    expect(encodeRuns(await run(env, () => raw.read(0, 16384)))).toEqual([
      [0xaa, 512],
      [0, 8192],
      [0xaa, 7680],
    ]);
  });

  it('read-modify-writes unaligned requests, leaving the rest of each sector intact', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
    await run(env, () => raw.write(510, filled(3, 1)));
    await run(env, () => raw.writeZeroes(1030, 5));
    expect(encodeRuns(await run(env, () => raw.read(0, 2048)))).toEqual([
      [0xaa, 510],
      [1, 3],
      [0xaa, 517],
      [0, 5],
      [0xaa, 1013],
    ]);
    expect(await run(env, () => raw.read(511, 2))).toEqual(new Uint8Array([1, 1]));
  });

  it('completes every I/O after its latency on the simulated clock', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB);
    raw.latencyTicks = 1000;
    await run(env, () => raw.read(0, 512));
    expect(env.now()).toBe(1000);
    // An unaligned write is a read and a write: twice the latency.
    await run(env, () => raw.write(1, filled(1, 1)));
    expect(env.now()).toBe(3000);
    await run(env, () => raw.flush());
    expect(env.now()).toBe(4000);
  });

  it('reports a pre-filled image as data, a sparse one as holes where never written (by 4 KiB chunk), and cannot be emptied', async () => {
    const env = new SimEnv();
    const filledImage = new RawNode(env, 'filled', MiB, { fill: 0x11 });
    expect(await run(env, () => filledImage.blockStatus(4096, 8192))).toEqual({ kind: 'data', bytes: 8192 });
    const raw = new RawNode(env, 'raw', MiB);
    expect(await run(env, () => raw.blockStatus(4096, 8192))).toEqual({ kind: 'zero', bytes: 8192 });
    await run(env, () => raw.write(8192 + 512, filled(512, 1)));
    expect(await run(env, () => raw.blockStatus(4096, 16384))).toEqual({ kind: 'zero', bytes: 4096 });
    expect(await run(env, () => raw.blockStatus(8192, 16384))).toEqual({ kind: 'data', bytes: 4096 });
    expect(await run(env, () => raw.blockStatus(12288, 8192))).toEqual({ kind: 'zero', bytes: 8192 });
    expect(raw.supportsMakeEmpty).toBe(false);
    const error = await errorOf(env, () => raw.makeEmpty());
    expect([error.errno, error.message]).toEqual(['ENOTSUP', 'raw does not support emptying nodes']);
  });

  it('fails requests outside the node with EIO, before touching data', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB);
    const cases: [() => Promise<unknown>, string][] = [
      [() => raw.read(MiB - 512, 1024), 'read [1048064, +1024) outside raw (1048576 bytes)'],
      [() => raw.read(-512, 512), 'read [-512, +512) outside raw (1048576 bytes)'],
      [() => raw.write(MiB, filled(1, 1)), 'write [1048576, +1) outside raw (1048576 bytes)'],
      [() => raw.writeZeroes(MiB - 512, 1024), 'write-zeroes [1048064, +1024) outside raw (1048576 bytes)'],
      [() => raw.blockStatus(MiB, 512), 'read [1048576, +512) outside raw (1048576 bytes)'],
      [() => raw.read(0.5, 512), 'read [0.5, +512) outside raw (1048576 bytes)'],
      // Unaligned zeroing is checked before it builds a buffer of zeros.
      [() => raw.writeZeroes(0, -1), 'write-zeroes [0, +-1) outside raw (1048576 bytes)'],
      [() => raw.writeZeroes(1, 2 ** 40), 'write-zeroes [1, +1099511627776) outside raw (1048576 bytes)'],
    ];
    for (const [fn, message] of cases) {
      const error = await errorOf(env, fn);
      expect([error.errno, error.message]).toEqual(['EIO', message]);
    }
    expect(await run(env, () => raw.read(MiB, 0))).toEqual(new Uint8Array(0));
    expect(raw.tracked.size).toBe(0);
  });

  it('fails I/O on a closed node with ENOMEDIUM', async () => {
    const env = new SimEnv();
    const raw = new RawNode(env, 'raw', MiB);
    raw.open = false;
    const error = await errorOf(env, () => raw.read(0, 512));
    expect([error.errno, error.message]).toEqual(['ENOMEDIUM', 'read on closed node raw']);
  });

  it('fails at its fault point as the plan says, and only there', async () => {
    const env = new SimEnv({ faults: [{ kind: 'io-error', node: 'raw', op: 'write', errno: 'ENOSPC', offset: 4096, bytes: 512 }] });
    const raw = new RawNode(env, 'raw', MiB);
    await run(env, () => raw.write(0, filled(4096, 1)));
    const error = await errorOf(env, () => raw.write(4096, filled(512, 2)));
    expect([error.errno, error.message]).toEqual(['ENOSPC', 'injected ENOSPC on raw write']);
    // The failed write left nothing behind.
    expect(encodeRuns(await run(env, () => raw.read(0, 8192)))).toEqual([
      [1, 4096],
      [0, 4096],
    ]);
  });

  it('traces each driver-level I/O', async () => {
    const env = new SimEnv({ traceLevel: 'full' });
    const raw = new RawNode(env, 'raw', MiB);
    raw.latencyTicks = 10;
    await run(env, () => raw.write(0, filled(512, 1)));
    await run(env, () => raw.writeZeroes(512, 512));
    await run(env, () => raw.read(0, 1024));
    expect(env.trace.toJsonl().split('\n')).toEqual([
      '{"seq":0,"t":10,"k":"io","node":"raw","op":"write","offset":0,"bytes":512}',
      '{"seq":1,"t":20,"k":"io","node":"raw","op":"write-zeroes","offset":512,"bytes":512}',
      '{"seq":2,"t":30,"k":"io","node":"raw","op":"read","offset":0,"bytes":1024}',
    ]);
  });
});
