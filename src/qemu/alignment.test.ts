/*
 * Issue 12 D2 on the real binary: QEMU 7.2's raw and qcow2 nodes (and file, and blkdebug without
 * `align`) have a request alignment of 1, so a 1-byte write reads nothing and leaves a once-only read
 * rule on its sector armed; the QEMU backend's blkdebug node with align=512 pads the same write, its
 * padding read takes the rule, and the bounce buffer's bytes land around the guest's byte
 * (divergence blkdebug-align-padding). The engine's raw node behaves like plain QEMU: its padding
 * read is its own store, not a request its faults see.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawNode } from '../block/RawNode.js';
import { filled, run } from '../block/testing/simHelpers.js';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';
import { findQemuTools, runTool } from './QemuTools.js';

/** qemu-io's answers to: write 1 byte (0x01) at 600, then read [512, 600) twice, checking for the 0x5a pattern. */
function writeThenRead(image: string): string[] {
  const { io } = findQemuTools();
  const r = spawnSync(io, ['--image-opts', image, '-c', 'write -q -P 1 600 1', '-c', 'read -q -P 0x5a 512 88', '-c', 'read -q -P 0x5a 512 88'], { encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
}

describe.runIf(RUN_QEMU_TESTS)(`request alignment of QEMU's own nodes (qemu-io)${QEMU_SUITE_NOTE}`, () => {
  let dir: string;
  let raw: string;
  let qcow2: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-align-'));
    const { img, io } = findQemuTools();
    raw = join(dir, 'a.raw');
    qcow2 = join(dir, 'b.qcow2');
    await runTool(img, ['create', '-q', '-f', 'raw', raw, '1M']);
    await runTool(io, ['-f', 'raw', '-c', 'write -q -P 0x5a 0 1M', raw]);
    await runTool(img, ['create', '-q', '-f', 'qcow2', qcow2, '1M']);
    await runTool(io, ['-f', 'qcow2', '-c', 'write -q -P 0x5a 0 64k', qcow2]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A once-only EIO on reads of `sector` of the file, under `format`; `align` on the blkdebug node if given. */
  const opts = (format: string, file: string, sector: number, align?: number) =>
    [`driver=${format}`, 'file.driver=blkdebug', ...(align ? [`file.align=${align}`] : []), 'file.inject-error.0.event=none', 'file.inject-error.0.iotype=read', `file.inject-error.0.sector=${sector}`, 'file.inject-error.0.once=on', 'file.image.driver=file', `file.image.filename=${file}`].join(',');

  it('raw: the 1-byte write reads nothing, so the rule fails the first read after it and the bytes around are intact', async () => {
    expect(writeThenRead(opts('raw', raw, 1))).toEqual(['read failed: Input/output error']);
  });

  it('qcow2 (its first data cluster at host offset 327680): the same', async () => {
    expect(writeThenRead(opts('qcow2', qcow2, (327680 + 512) / 512))).toEqual(['read failed: Input/output error']);
  });

  it('blkdebug with align=512 (the QEMU backend): the padding read takes the rule and the sector around the byte no longer holds its bytes', async () => {
    expect(writeThenRead(opts('raw', raw, 1, 512))).toEqual(['Pattern verification failed at offset 512, 88 bytes', 'Pattern verification failed at offset 512, 88 bytes']);
  });
});

describe('the engine raw node pads inside the node, unseen by its own faults (QEMU 7.2: alignment 1)', () => {
  it('a 1-byte write leaves a once-only read fault on its sector armed, and the bytes around it intact', async () => {
    const env = new SimEnv({ faults: [{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', offset: 512, bytes: 512, times: 1 }] });
    const node = new RawNode(env, 'raw', 1 << 20, { fill: 0x5a });
    await run(env, () => node.write(600, filled(1, 1)));
    const first = env.sched.spawn('r', () => node.read(512, 88));
    await env.sched.run();
    expect(first.outcome?.ok).toBe(false);
    expect(encodeRuns(await run(env, () => node.read(512, 512)))).toEqual([
      [0x5a, 88],
      [1, 1],
      [0x5a, 423],
    ]);
  });
});
