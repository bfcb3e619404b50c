import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockBackend } from './BlockBackend.js';
import { BlockError } from './BlockError.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const MiB = 1 << 20;

async function errorOf(env: SimEnv, fn: () => Promise<unknown>): Promise<[string, string]> {
  const task = env.sched.spawn('test', async () => fn());
  await env.sched.run();
  const error = task.outcome?.error;
  expect(error).toBeInstanceOf(BlockError);
  return [(error as BlockError).errno, (error as BlockError).message];
}

function setup(): { env: SimEnv; raw: RawNode; top: OverlayNode; blk: BlockBackend } {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
  const top = new OverlayNode(env, 'top', MiB);
  top.attach('backing', raw);
  return { env, raw, top, blk: new BlockBackend('disk0', top) };
}

describe('BlockBackend', () => {
  it('passes requests inside the disk to its root node', async () => {
    const { env, blk, top } = setup();
    expect(blk.length).toBe(MiB);
    expect(blk.node).toBe(top);
    await run(env, () => blk.write(MiB - 512, filled(512, 1)));
    await run(env, () => blk.writeZeroes(0, 512));
    await run(env, () => blk.flush());
    expect(encodeRuns(await run(env, () => blk.read(0, 1024)))).toEqual([
      [0, 512],
      [0xaa, 512],
    ]);
    expect(encodeRuns(await run(env, () => blk.read(MiB - 1024, 1024)))).toEqual([
      [0xaa, 512],
      [1, 512],
    ]);
    expect(await run(env, () => blk.read(MiB, 0))).toEqual(new Uint8Array(0));
  });

  it('fails negative and past-the-end requests with EIO, as blk_check_byte_request does', async () => {
    const { env, blk, top } = setup();
    expect(await errorOf(env, () => blk.read(-1, 512))).toEqual(['EIO', 'request [-1, +512) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.read(0, -1))).toEqual(['EIO', 'request [0, +-1) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.read(MiB + 512, 0))).toEqual(['EIO', 'request [1049088, +0) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.write(MiB - 512, filled(513, 1)))).toEqual(['EIO', 'request [1048064, +513) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.writeZeroes(MiB, 1))).toEqual(['EIO', 'request [1048576, +1) outside disk0 (1048576 bytes)']);
    // Nothing reached the node.
    expect(top.allocatedClusters).toBe(0);
  });

  it('has no medium once ejected', async () => {
    const { env, blk, top } = setup();
    expect(top.hasBackend).toBe(true);
    blk.eject();
    expect(top.hasBackend).toBe(false);
    expect(top.parents.size).toBe(0);
    expect(await errorOf(env, () => blk.read(0, 512))).toEqual(['ENOMEDIUM', 'disk0 has no medium']);
    expect(await errorOf(env, () => blk.flush())).toEqual(['ENOMEDIUM', 'disk0 has no medium']);
    expect(() => blk.length).toThrow('disk0 has no medium');
  });

  it('makes its node a root with a backend; the node below has neither', () => {
    const { raw, top } = setup();
    expect([top.hasBackend, top.isRoot]).toEqual([true, true]);
    expect([raw.hasBackend, raw.isRoot]).toEqual([false, false]);
  });
});
