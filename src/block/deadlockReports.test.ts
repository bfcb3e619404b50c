/*
 * What a deadlock report says about block-layer waits: a request waiting for a conflicting tracked
 * request, a writer waiting for a cluster allocation in flight. The waits are made permanent by a
 * driver whose reads never complete, standing for an I/O that hangs.
 */
import { describe, expect, it } from 'vitest';
import { DeadlockError } from '../sim/Scheduler.js';
import { SimEnv } from '../sim/SimEnv.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { BlockBackend } from './BlockBackend.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { PassFilter } from './testing/PassFilter.js';
import { filled } from './testing/simHelpers.js';

const MiB = 1 << 20;

/** A filter whose reads hang forever. */
class HangingReads extends PassFilter {
  private readonly never = new WaitQueue(this.env.sched, 'a read that never completes');
  protected override async doRead(): Promise<Uint8Array> {
    await this.never.wait(`${this.name} read`);
    throw new Error('unreachable');
  }
}

/** A filter whose write-zeroes hang forever. */
class HangingZeroes extends PassFilter {
  private readonly never = new WaitQueue(this.env.sched, 'a zeroing that never completes');
  protected override async doWriteZeroes(): Promise<void> {
    await this.never.wait(`${this.name} write-zeroes`);
  }
}

async function deadlockOf(env: SimEnv): Promise<readonly string[]> {
  const error = await env.sched.run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeadlockError);
  return [...(error as DeadlockError).waiting].sort();
}

describe('deadlock reports of block-layer waits', () => {
  it('names a serialising write waiting for the tracked read it conflicts with', async () => {
    const env = new SimEnv();
    const hang = new HangingReads(env, 'hang', new RawNode(env, 'raw', MiB));
    env.sched.spawn('reader', () => hang.read(0, 1024));
    env.sched.spawn('writer', async () => {
      await env.sched.sleep('later', 10);
      await hang.write(600, filled(10, 1));
    });
    expect(await deadlockOf(env)).toEqual(['hang read waits for a read that never completes', 'hang:write[512,+512] waits for hang:read[0,+1024]']);
  });

  it('names the write-zeroes a serialising write waits for', async () => {
    const env = new SimEnv();
    const hang = new HangingZeroes(env, 'hang', new RawNode(env, 'raw', MiB));
    env.sched.spawn('zeroing', () => hang.writeZeroes(0, 1024));
    env.sched.spawn('writer', async () => {
      await env.sched.sleep('later', 10);
      await hang.write(600, filled(10, 1));
    });
    expect(await deadlockOf(env)).toEqual(['hang write-zeroes waits for a zeroing that never completes', 'hang:write[512,+512] waits for hang:write-zeroes[0,+1024]']);
  });

  it('names writers and zeroings waiting for a cluster allocation in flight', async () => {
    const env = new SimEnv();
    const hang = new HangingReads(env, 'hang', new RawNode(env, 'raw', MiB));
    const top = new OverlayNode(env, 'top', MiB);
    top.attach('backing', hang);
    env.sched.spawn('allocating', () => top.write(512, filled(512, 1)));
    env.sched.spawn('writer', async () => {
      await env.sched.sleep('later', 10);
      await top.write(4096, filled(512, 2));
    });
    env.sched.spawn('zeroing', async () => {
      await env.sched.sleep('later', 10);
      await top.writeZeroes(65536 * 2, 65536);
      await top.writeZeroes(0, 65536);
    });
    expect(await deadlockOf(env)).toEqual([
      'hang read waits for a read that never completes',
      'top:write waits for allocation of cluster 0 waits for top:alloc#0',
      'top:write-zeroes waits for allocation of cluster 0 waits for top:alloc#0',
    ]);
  });
});

describe('deadlock reports of drained sections', () => {
  it('names a request held by a section that never ends, and a drain waiting for a request that never finishes', async () => {
    const env = new SimEnv();
    const hang = new HangingReads(env, 'hang', new RawNode(env, 'raw', MiB));
    const held = new BlockBackend('held', new RawNode(env, 'other', MiB));
    const busy = new BlockBackend('busy', hang);
    held.quiesce();
    env.sched.spawn('held request', () => held.read(0, 512));
    env.sched.spawn('busy request', () => busy.read(0, 512));
    env.sched.spawn('drain', async () => {
      await env.sched.sleep('later', 10);
      busy.quiesce();
      await busy.waitIdle('the drain');
    });
    expect(await deadlockOf(env)).toEqual([
      'hang read waits for a read that never completes',
      'request on held waits for held to leave its drained section',
      'the drain waits for busy to go idle',
    ]);
  });
});
