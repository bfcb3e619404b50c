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

describe('BlockBackend: checks in blk_check_byte_request order', () => {
  it('checks a discard\'s range, then passes it to the node (which drops it)', async () => {
    const { env, blk } = setup();
    await run(env, () => blk.write(0, filled(512, 1)));
    await run(env, () => blk.discard(0, 512));
    expect(await errorOf(env, () => blk.discard(MiB, 512))).toEqual(['EIO', 'request [1048576, +512) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.discard(-512, 512))).toEqual(['EIO', 'request [-512, +512) outside disk0 (1048576 bytes)']);
    expect(encodeRuns(await run(env, () => blk.read(0, 512)))).toEqual([[1, 512]]);
  });

  it('refuses a negative length before it looks at the medium, and a missing driver before the range', async () => {
    const { env, blk, raw } = setup();
    raw.eject();
    expect(await errorOf(env, () => blk.read(0, -1))).toEqual(['EIO', 'request [0, +-1) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.read(MiB + 512, 0))).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
    expect(await errorOf(env, () => blk.write(0, filled(512, 1)))).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
    expect(await errorOf(env, () => blk.writeZeroes(0, 512))).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
    expect(await errorOf(env, () => blk.discard(0, 512))).toEqual(['ENOMEDIUM', 'disk0: a node below it has no driver']);
  });

  it('accepts an empty request at the very end and refuses one a byte past it', async () => {
    const { env, blk } = setup();
    expect(await run(env, () => blk.read(MiB, 0))).toEqual(new Uint8Array(0));
    expect(await errorOf(env, () => blk.read(MiB + 1, 0))).toEqual(['EIO', 'request [1048577, +0) outside disk0 (1048576 bytes)']);
    expect(await errorOf(env, () => blk.read(MiB - 511, 512))).toEqual(['EIO', 'request [1048065, +512) outside disk0 (1048576 bytes)']);
    expect(encodeRuns(await run(env, () => blk.read(MiB - 511, 511)))).toEqual([[0xaa, 511]]);
  });

  it('goes idle once its last request finished, also when that request failed', async () => {
    const { env, blk, raw } = setup();
    raw.latencyTicks = 100;
    const log: string[] = [];
    env.sched.spawn('ok', async () => {
      await blk.read(0, 512);
      log.push(`read @${env.now()}`);
    });
    env.sched.spawn('failing', async () => {
      await env.sched.sleep('later', 10);
      await blk.read(MiB, 512).catch((e: BlockError) => log.push(`${e.errno} @${env.now()}`));
    });
    env.sched.spawn('drain', async () => {
      await env.sched.sleep('later', 20);
      blk.quiesce();
      await blk.waitIdle('test');
      log.push(`idle @${env.now()}`);
      blk.resume();
    });
    await env.sched.run();
    expect(log).toEqual(['EIO @10', 'read @100', 'idle @100']);
  });
});

describe('BlockBackend: flush and eject', () => {
  it('carries the guest request id of a flush to the node', async () => {
    const env = new SimEnv({ traceLevel: 'full' });
    const raw = new RawNode(env, 'raw', MiB);
    const blk = new BlockBackend('disk0', raw);
    await run(env, () => blk.flush(7));
    expect(env.trace.eventsOf('io').map((e) => [e.fields.node, e.fields.op, e.fields.req])).toEqual([['raw', 'flush', 7]]);
  });

  it('can be ejected twice', async () => {
    const { env, blk } = setup();
    blk.eject();
    blk.eject();
    expect(await errorOf(env, () => blk.write(0, filled(512, 1)))).toEqual(['ENOMEDIUM', 'disk0 has no medium']);
  });
});
