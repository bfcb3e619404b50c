/*
 * The read-modify-write of an unaligned write or write-zeroes, as QEMU's bdrv_padding_rmw_read does
 * it (block/io.c): one read when the padded request is one sector, or two with both edges padded
 * (merge_reads), else the head sector and then the tail sector; the first failed read ends the
 * reading; a write-zeroes zeroes its own bytes in the bounce buffer only after every read succeeded.
 * Bytes no read filled come from the node's "undefined-bytes/<node>" stream, four per 32-bit draw,
 * low byte first.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockError } from './BlockError.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const MiB = 1 << 20;

/**
 * A raw node whose driver fails the first read overlapping one range with EIO, as the primary's
 * replication driver fails every read (a fault plan's io-error hits a request, not the node's own padding read).
 */
class FailingReadOnce extends RawNode {
  constructor(env: SimEnv, private failing: { offset: number; bytes: number } | undefined) {
    super(env, 'raw', MiB, { fill: 0x5a });
  }

  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    const f = this.failing;
    if (f !== undefined && offset < f.offset + f.bytes && f.offset < offset + bytes) {
      this.failing = undefined;
      throw new BlockError('EIO', `read [${offset}, +${bytes}) failed`);
    }
    return super.doRead(offset, bytes, requestId);
  }
}

function node(failing?: { offset: number; bytes: number }): { env: SimEnv; raw: RawNode } {
  const env = new SimEnv({ traceLevel: 'full' });
  return { env, raw: new FailingReadOnce(env, failing) };
}

/** The first `bytes` bytes of the node's stream of undefined bytes, as the documented contract lays them out. */
function undefinedBytes(env: SimEnv, bytes: number): Uint8Array {
  const stream = env.prng.derive('undefined-bytes/raw');
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4) {
    const word = stream.int(0, 0xffffffff);
    for (let b = 0; b < 4; b++) out[i + b] = (word >>> (8 * b)) & 0xff;
  }
  return out;
}

/** The node's successful reads (an io event comes at a read's end) and its padding left undefined, in order. */
function reads(env: SimEnv): string[] {
  return env.trace.events().flatMap((e) => {
    if (e.kind === 'io' && e.fields.op === 'read') return [`read ${e.fields.offset}+${e.fields.bytes}`];
    if (e.kind === 'pad-read-failed') return [`undefined ${e.fields.offset}+${e.fields.bytes} ${e.fields.errno}`];
    return [];
  });
}

const readFault = (offset: number, bytes: number) => ({ offset, bytes });

describe('BlockNode padding: reads as QEMU reads them', () => {
  it('a write-zeroes whose edges read fine zeroes exactly its own bytes, reading head and tail apart', async () => {
    const { env, raw } = node();
    await run(env, () => raw.writeZeroes(100, 1500));
    expect(encodeRuns(await run(env, () => raw.read(0, 2048)))).toEqual([
      [0x5a, 100],
      [0, 1500],
      [0x5a, 448],
    ]);
    expect(reads(env)).toEqual(['read 0+512', 'read 1536+512', 'read 0+2048']);
  });

  it('two padded sectors with both edges padded are read at once (merge_reads), so one failure leaves both undefined', async () => {
    const { env, raw } = node(readFault(512, 512));
    await run(env, () => raw.write(100, filled(824, 1)));
    expect(reads(env)).toEqual(['undefined 0+1024 EIO']);
    const bytes = await run(env, () => raw.read(0, 1024));
    const expected = undefinedBytes(env, 1024);
    expected.fill(1, 100, 924);
    expect(bytes).toEqual(expected);
  });

  it('a failed head read ends the reading: the tail is not read and its padding is undefined too', async () => {
    const { env, raw } = node(readFault(0, 512));
    await run(env, () => raw.write(100, filled(1500, 1)));
    expect(reads(env)).toEqual(['undefined 0+512 EIO', 'undefined 1536+512 EIO']);
    const expected = new Uint8Array(2048);
    const stream = undefinedBytes(env, 1024);
    expected.set(stream.subarray(0, 512), 0);
    expected.set(stream.subarray(512), 1536);
    expected.fill(1, 100, 1600);
    expect(await run(env, () => raw.read(0, 2048))).toEqual(expected);
  });
});

describe('BlockNode padding: a write-zeroes whose padding read fails (bdrv_co_do_zero_pwritev)', () => {
  it('leaves its guest bytes in the failed edge sectors undefined, and zeroes only the whole sectors between', async () => {
    const { env, raw } = node(readFault(0, 512));
    await run(env, () => raw.writeZeroes(100, 1500));
    expect(reads(env)).toEqual(['undefined 0+512 EIO', 'undefined 1536+512 EIO']);
    const stream = undefinedBytes(env, 1024);
    const expected = new Uint8Array(2048);
    expected.set(stream.subarray(0, 512), 0);
    expected.set(stream.subarray(512), 1536);
    expect(await run(env, () => raw.read(0, 2048))).toEqual(expected);
  });

  it('keeps the old bytes of an edge sector that did read, its own bytes included, when a later read fails', async () => {
    const { env, raw } = node(readFault(1536, 512));
    await run(env, () => raw.writeZeroes(100, 1500));
    expect(reads(env)).toEqual(['read 0+512', 'undefined 1536+512 EIO']);
    const expected = new Uint8Array(2048);
    expected.fill(0x5a, 0, 512);
    expected.set(undefinedBytes(env, 512), 1536);
    expect(await run(env, () => raw.read(0, 2048))).toEqual(expected);
  });

  it('inside one sector: the whole sector is undefined, not one zero in it', async () => {
    const { env, raw } = node(readFault(0, 512));
    await run(env, () => raw.writeZeroes(0, 1));
    expect(reads(env)).toEqual(['undefined 0+512 EIO']);
    expect(await run(env, () => raw.read(0, 512))).toEqual(undefinedBytes(env, 512));
  });
});
