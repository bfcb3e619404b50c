/*
 * Makes a scenario's disk images: raw primary and secondary disks of the scenario's size pre-filled
 * with its pattern (qemu-img create + qemu-io write -P, skipped for 0), empty qcow2 active and
 * hidden disks. Each distinct (format, size, pattern) is built once with the QEMU tools into a
 * cache directory and copied per scenario, which is byte-identical and much cheaper than rerunning
 * the tools; close() removes the cache.
 */
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDirectory, trackDirectory } from './ChildRegistry.js';
import type { QemuTools } from './QemuTools.js';
import { runTool } from './QemuTools.js';
import type { DiskFiles } from './Topology.js';

export class ImageFactory {
  private cacheDir: string | undefined;
  private readonly templates = new Map<string, Promise<string>>();

  constructor(private readonly tools: QemuTools) {}

  /** Create disk i's four images in `dir`. */
  async createDisk(dir: string, i: number, sizeBytes: number, pattern: number): Promise<DiskFiles> {
    const files: DiskFiles = {
      primaryRaw: join(dir, `primary${i}.raw`),
      secondaryRaw: join(dir, `secondary${i}.raw`),
      activeQcow2: join(dir, `active${i}.qcow2`),
      hiddenQcow2: join(dir, `hidden${i}.qcow2`),
    };
    const raw = await this.template('raw', sizeBytes, pattern);
    const qcow2 = await this.template('qcow2', sizeBytes, 0);
    await Promise.all([
      copyFile(raw, files.primaryRaw),
      copyFile(raw, files.secondaryRaw),
      copyFile(qcow2, files.activeQcow2),
      copyFile(qcow2, files.hiddenQcow2),
    ]);
    return files;
  }

  close(): void {
    if (this.cacheDir !== undefined) removeDirectory(this.cacheDir);
    this.cacheDir = undefined;
    this.templates.clear();
  }

  private template(format: 'raw' | 'qcow2', sizeBytes: number, pattern: number): Promise<string> {
    const key = `${format}-${sizeBytes}-${pattern}`;
    let made = this.templates.get(key);
    if (made === undefined) {
      made = this.build(format, sizeBytes, pattern, key);
      this.templates.set(key, made);
      made.catch(() => this.templates.delete(key));
    }
    return made;
  }

  private async build(format: 'raw' | 'qcow2', sizeBytes: number, pattern: number, key: string): Promise<string> {
    if (this.cacheDir === undefined) {
      this.cacheDir = await mkdtemp(join(tmpdir(), 'colosim-images-'));
      trackDirectory(this.cacheDir);
    }
    const path = join(this.cacheDir, `${key}.${format}`);
    await runTool(this.tools.img, ['create', '-q', '-f', format, path, String(sizeBytes)]);
    if (pattern !== 0) {
      await runTool(this.tools.io, ['-f', format, '-c', `write -q -P 0x${pattern.toString(16)} 0 ${sizeBytes}`, path]);
    }
    return path;
  }
}
