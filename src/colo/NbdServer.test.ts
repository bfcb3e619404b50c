import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockError } from '../block/BlockError.js';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import { ERRNO_NAMES, type Errno } from '../sim/errno.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { NbdServer } from './NbdServer.js';
import { PAST_EOF_ERRNO, throughNbd } from './nbdErrno.js';
import { filled, run } from '../block/testing/simHelpers.js';

const SIZE = 1 << 20;

function exported(faults: readonly Fault[] = []) {
  const env = new SimEnv({ faults });
  const disk = new RawNode(env, 'disk', SIZE, { fill: 0x11 });
  const blk = new BlockBackend('colo1', disk);
  const server = new NbdServer();
  const exp = server.add('colo1', blk);
  return { env, disk, blk, server, exp };
}

async function errorOf(env: SimEnv, fn: () => Promise<unknown>): Promise<[Errno, string]> {
  const error = await run(env, () => fn().then(() => null, (e: unknown) => e));
  expect(error).toBeInstanceOf(BlockError);
  return [(error as BlockError).errno, (error as BlockError).message];
}

describe('nbdErrno', () => {
  it('carries EPERM, EIO, ENOMEM, ENOSPC, ESHUTDOWN, ENOTSUP, EINVAL and maps every other errno to EINVAL', () => {
    const mapped = Object.fromEntries(ERRNO_NAMES.map((errno) => [errno, throughNbd(errno)]));
    expect(mapped).toEqual({
      EPERM: 'EPERM',
      EIO: 'EIO',
      ENOMEM: 'ENOMEM',
      EBUSY: 'EINVAL',
      EINVAL: 'EINVAL',
      ENOSPC: 'ENOSPC',
      ENOMEDIUM: 'EINVAL',
      ENOTSUP: 'ENOTSUP',
      ECONNRESET: 'EINVAL',
      ENOTCONN: 'EINVAL',
      ESHUTDOWN: 'ESHUTDOWN',
      ECANCELED: 'EINVAL',
    });
  });

  it('answers past-EOF reads and writes with EINVAL (7.2, observed)', () => {
    expect(PAST_EOF_ERRNO).toEqual({ read: 'EINVAL', write: 'EINVAL', 'write-zeroes': 'EINVAL', discard: 'EINVAL' });
  });
});

describe('NbdExport', () => {
  it('reads and writes its BlockBackend, up to the very end', async () => {
    const { env, exp, disk } = exported();
    expect(exp.size).toBe(SIZE);
    await run(env, () => exp.write(SIZE - 512, filled(512, 0x22)));
    expect(encodeRuns(await run(env, () => exp.read(SIZE - 1024, 1024)))).toEqual([
      [0x11, 512],
      [0x22, 512],
    ]);
    expect(await run(env, () => exp.read(SIZE, 0))).toEqual(new Uint8Array(0));
    expect(encodeRuns(disk.peek(SIZE - 512, 512))).toEqual([[0x22, 512]]);
  });

  it('fails requests past the end with EINVAL before the block layer sees them', async () => {
    const { env, exp, disk } = exported();
    expect(await errorOf(env, () => exp.read(SIZE - 512, 1024))).toEqual(['EINVAL', 'operation past EOF; From: 1048064, Len: 1024, Size: 1048576']);
    expect(await errorOf(env, () => exp.read(SIZE + 512, 0))).toEqual(['EINVAL', 'operation past EOF; From: 1049088, Len: 0, Size: 1048576']);
    expect(await errorOf(env, () => exp.write(SIZE - 512, filled(1024, 0x22)))).toEqual(['EINVAL', 'operation past EOF; From: 1048064, Len: 1024, Size: 1048576']);
    expect(await errorOf(env, () => exp.write(SIZE, filled(512, 0x22)))).toEqual(['EINVAL', 'operation past EOF; From: 1048576, Len: 512, Size: 1048576']);
    // Nothing was written.
    expect(encodeRuns(disk.peek(SIZE - 1024, 1024))).toEqual([[0x11, 1024]]);
  });

  it('keeps errors NBD carries (EIO, ENOSPC) with their message', async () => {
    const { env, exp } = exported([
      { kind: 'io-error', node: 'disk', op: 'read', errno: 'EIO' },
      { kind: 'io-error', node: 'disk', op: 'write', errno: 'ENOSPC' },
    ]);
    expect(await errorOf(env, () => exp.read(0, 512))).toEqual(['EIO', 'injected EIO on disk read']);
    expect(await errorOf(env, () => exp.write(0, filled(512, 1)))).toEqual(['ENOSPC', 'injected ENOSPC on disk write']);
  });

  it('maps ENOMEDIUM and ECANCELED to EINVAL, keeping the message', async () => {
    const medium = exported([{ kind: 'io-error', node: 'disk', op: 'read', errno: 'ENOMEDIUM' }]);
    expect(await errorOf(medium.env, () => medium.exp.read(0, 512))).toEqual(['EINVAL', 'injected ENOMEDIUM on disk read']);
    const cancelled = exported([{ kind: 'io-error', node: 'disk', op: 'write', errno: 'ECANCELED' }]);
    expect(await errorOf(cancelled.env, () => cancelled.exp.write(0, filled(512, 1)))).toEqual(['EINVAL', 'injected ECANCELED on disk write']);
  });

  it('a closed node under the export (ENOMEDIUM in the block layer) reaches the client as EINVAL', async () => {
    const { env, exp, disk } = exported();
    disk.open = false;
    expect((await errorOf(env, () => exp.read(0, 512)))[0]).toBe('EINVAL');
    expect((await errorOf(env, () => exp.write(0, filled(512, 1))))[0]).toBe('EINVAL');
  });

  it('passes what is not an I/O error (a crash) through unchanged', async () => {
    const env = new SimEnv();
    class Crashing extends RawNode {
      protected override async doRead(): Promise<Uint8Array> {
        throw new SimulatedCrash('secondary', 'crash under the export');
      }
    }
    const exp = new NbdServer().add('colo1', new BlockBackend('colo1', new Crashing(env, 'disk', SIZE)));
    const error = await run(env, () => exp.read(0, 512).then(() => null, (e: unknown) => e));
    expect(error).toBeInstanceOf(SimulatedCrash);
  });
});

describe('NbdExport: write-zeroes, discard and flush', () => {
  it('write-zeroes zeroes its range, up to the end; past the end it is refused with EINVAL', async () => {
    const { env, exp, disk } = exported();
    await run(env, () => exp.writeZeroes(SIZE - 1024, 1024, false));
    expect(encodeRuns(disk.peek(SIZE - 2048, 2048))).toEqual([
      [0x11, 1024],
      [0, 1024],
    ]);
    expect(await errorOf(env, () => exp.writeZeroes(SIZE - 512, 1024, true))).toEqual(['EINVAL', 'operation past EOF; From: 1048064, Len: 1024, Size: 1048576']);
    expect(encodeRuns(disk.peek(SIZE - 512, 512))).toEqual([[0, 512]]);
  });

  it('a failed write-zeroes comes back as the errno NBD carries', async () => {
    const { env, exp } = exported([{ kind: 'io-error', node: 'disk', op: 'write-zeroes', errno: 'ECANCELED' }]);
    expect(await errorOf(env, () => exp.writeZeroes(0, 4096, false))).toEqual(['EINVAL', 'injected ECANCELED on disk write-zeroes']);
  });

  it('discard is checked against the end, then dropped: the bytes stay', async () => {
    const { env, exp, disk } = exported();
    await run(env, () => exp.discard(0, SIZE));
    expect(encodeRuns(disk.peek(0, 512))).toEqual([[0x11, 512]]);
    expect(await errorOf(env, () => exp.discard(SIZE, 512))).toEqual(['EINVAL', 'operation past EOF; From: 1048576, Len: 512, Size: 1048576']);
  });

  it('a discard on a closed node fails with ENOMEDIUM in the block layer, EINVAL over NBD', async () => {
    const { env, exp, disk } = exported();
    disk.open = false;
    expect(await errorOf(env, () => exp.discard(0, 512))).toEqual(['EINVAL', 'colo1: a node below it has no driver']);
  });

  it('a failed flush comes back as the errno NBD carries', async () => {
    const { env, exp } = exported([{ kind: 'io-error', node: 'disk', op: 'flush', errno: 'ENOMEDIUM' }]);
    await run(env, () => exp.write(0, filled(512, 1)));
    expect(await errorOf(env, () => exp.flush())).toEqual(['EINVAL', 'injected ENOMEDIUM on disk flush']);
  });
});

describe('NbdServer', () => {
  it('adds, finds, replaces and removes exports by name', () => {
    const { server, exp, blk } = exported();
    expect(server.get('colo1')).toBe(exp);
    expect(server.get('colo2')).toBeUndefined();
    const again = server.add('colo1', blk);
    expect([server.get('colo1'), again === exp, again.name, again.blk]).toEqual([again, false, 'colo1', blk]);
    server.remove('colo1');
    expect(server.get('colo1')).toBeUndefined();
    // Removing what is not there is harmless.
    server.remove('colo1');
  });
});
