import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageFactory } from './ImageFactory.js';
import { findQemuTools } from './QemuTools.js';
import { makeTempDir } from './TempDirs.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Bytes the file takes on disk (st_blocks counts 512-byte units whatever the block size). */
function allocated(path: string): number {
  return statSync(path).blocks * 512;
}

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    expect(readSync(fd, buffer, 0, length, offset)).toBe(length);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

describe.runIf(RUN_QEMU_TESTS)(`ImageFactory${QEMU_SUITE_NOTE}`, () => {
  const dirs: string[] = [];
  const factories: ImageFactory[] = [];
  const fresh = (templateMaxBytes?: number) => {
    const dir = makeTempDir('image-test');
    dirs.push(dir);
    const images = new ImageFactory(findQemuTools(), templateMaxBytes);
    factories.push(images);
    return { dir, images };
  };
  afterAll(async () => {
    for (const f of factories) f.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('makes a 64 GiB disk of zeros that takes (almost) no space: sparse raw disks, metadata-only qcow2', async () => {
    const { dir, images } = fresh();
    const files = await images.createDisk(dir, 0, 64 * GIB, 0);
    for (const raw of [files.primaryRaw, files.secondaryRaw]) {
      expect(statSync(raw).size).toBe(64 * GIB);
      expect(allocated(raw)).toBe(0);
    }
    for (const qcow2 of [files.active, files.hiddenQcow2]) expect(allocated(qcow2)).toBeLessThan(MIB);
    expect(readAt(files.secondaryRaw, 64 * GIB - 4096, 4096).equals(Buffer.alloc(4096))).toBe(true);
  });

  it('fills a patterned disk through the template, byte for byte', async () => {
    const { dir, images } = fresh();
    const files = await images.createDisk(dir, 0, MIB, 0x5a);
    for (const raw of [files.primaryRaw, files.secondaryRaw]) expect(readFileSync(raw).equals(Buffer.alloc(MIB, 0x5a))).toBe(true);
  });

  it('writes a patterned disk larger than a template in place, byte for byte', async () => {
    const { dir, images } = fresh(MIB);
    const files = await images.createDisk(dir, 1, 3 * MIB + 512, 0xa5);
    expect(files.primaryRaw.endsWith('primary-disk.1.raw')).toBe(true);
    for (const raw of [files.primaryRaw, files.secondaryRaw]) expect(readFileSync(raw).equals(Buffer.alloc(3 * MIB + 512, 0xa5))).toBe(true);
  });
});
