/*
 * An overlay reads into a buffer that is not zeroed first (allocUnfilled): every byte must still
 * come out as a zeroed buffer would have given it. The tests fill the rest of the current unfilled
 * slab with 0xee first, so the overlay's buffer starts as garbage and a byte it leaves unwritten shows.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { allocUnfilled } from './buffers.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const KiB = 1024;
const MiB = 1 << 20;
const CS = 64 * KiB;

/** Fill what is left of the current unfilled slab with 0xee, after making sure at least `room` bytes are left. */
function poisonUnfilled(room: number): void {
  let probe = allocUnfilled(8);
  while (probe.buffer.byteLength - probe.byteOffset - 8 < room) probe = allocUnfilled(8);
  new Uint8Array(probe.buffer, probe.byteOffset + 8).fill(0xee);
}

/** A raw image whose driver answers every read 512 bytes short. */
class ShortReadNode extends RawNode {
  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    return (await super.doRead(offset, bytes, requestId)).subarray(0, bytes - 512);
  }
}

describe('OverlayNode: reads into an unzeroed buffer', () => {
  it('zeroes zero clusters and unallocated clusters without a backing file, and copies data clusters', async () => {
    const env = new SimEnv();
    // 4 KiB clusters, so one pooled buffer (at most 64 KiB) spans all three kinds.
    const top = new OverlayNode(env, 'top', MiB, { clusterSize: 4096 });
    await run(env, () => top.write(4096, filled(4096, 7)));
    await run(env, () => top.writeZeroes(8192, 4096));
    poisonUnfilled(4 * CS);
    // An unallocated cluster, a data cluster, a zero cluster, then an unallocated one, in one read.
    expect(encodeRuns(await run(env, () => top.read(0, 4 * 4096)))).toEqual([
      [0, 4096],
      [7, 4096],
      [0, 8192],
    ]);
  });

  it('leaves zeros where a backing driver answered short', async () => {
    const env = new SimEnv();
    const raw = new ShortReadNode(env, 'raw', MiB, { fill: 0x55 });
    const top = new OverlayNode(env, 'top', MiB);
    top.attach('backing', raw);
    poisonUnfilled(4 * CS);
    expect(encodeRuns(await run(env, () => top.read(0, 8192)))).toEqual([
      [0x55, 8192 - 512],
      [0, 512],
    ]);
  });
});
