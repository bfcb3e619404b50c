/*
 * Makes a scenario's disk images, named as the engine names them (primary-disk.raw,
 * active-disk.1.qcow2, ...): raw primary and secondary disks of the scenario's size pre-filled with
 * its pattern (qemu-img create + qemu-io write -P, skipped for 0), empty qcow2 active and hidden
 * disks (the active disk twice as long, or in qed, for the chain variants that need it). Each
 * distinct (format, size, pattern) is built once with the QEMU tools into a cache directory and
 * copied per scenario, which is byte-identical and much cheaper than rerunning the tools; close()
 * removes the cache.
 */
import { mkdtempSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDirectory, trackDirectory } from './ChildRegistry.js';
import { diskSuffix } from '../colo/PairConfig.js';
import type { ChainVariant } from '../scenario/Scenario.js';
import type { QemuTools } from './QemuTools.js';
import { runTool } from './QemuTools.js';
import type { DiskFiles } from './Topology.js';

type ImageFormat = 'raw' | 'qcow2' | 'qed';

export class ImageFactory {
  private cacheDir: string | undefined;
  private readonly templates = new Map<string, Promise<string>>();

  constructor(private readonly tools: QemuTools) {}

  /** Create disk i's four images in `dir`, as the chain variant wants them. */
  async createDisk(dir: string, i: number, sizeBytes: number, pattern: number, chain: ChainVariant = 'standard'): Promise<DiskFiles> {
    const sfx = diskSuffix(i);
    const activeFormat = chain === 'active-without-make-empty' ? 'qed' : 'qcow2';
    const files: DiskFiles = {
      primaryRaw: join(dir, `primary-disk${sfx}.raw`),
      secondaryRaw: join(dir, `secondary-disk${sfx}.raw`),
      active: join(dir, `active-disk${sfx}.${activeFormat}`),
      activeFormat,
      hiddenQcow2: join(dir, `hidden-disk${sfx}.qcow2`),
    };
    const activeSizeBytes = chain === 'active-length-differs' ? 2 * sizeBytes : sizeBytes;
    const [raw, hidden, active] = await Promise.all([
      this.template('raw', sizeBytes, pattern),
      this.template('qcow2', sizeBytes, 0),
      this.template(activeFormat, activeSizeBytes, 0),
    ]);
    await Promise.all([
      copyFile(raw, files.primaryRaw),
      copyFile(raw, files.secondaryRaw),
      copyFile(active, files.active),
      copyFile(hidden, files.hiddenQcow2),
    ]);
    return files;
  }

  close(): void {
    if (this.cacheDir !== undefined) removeDirectory(this.cacheDir);
    this.cacheDir = undefined;
    this.templates.clear();
  }

  private template(format: ImageFormat, sizeBytes: number, pattern: number): Promise<string> {
    const key = `${format}-${sizeBytes}-${pattern}`;
    let made = this.templates.get(key);
    if (made === undefined) {
      made = this.build(format, sizeBytes, pattern, key);
      this.templates.set(key, made);
      made.catch(() => this.templates.delete(key));
    }
    return made;
  }

  private async build(format: ImageFormat, sizeBytes: number, pattern: number, key: string): Promise<string> {
    // Made synchronously, so templates built at once share one cache directory.
    if (this.cacheDir === undefined) {
      this.cacheDir = mkdtempSync(join(tmpdir(), 'colosim-images-'));
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
