/*
 * Makes a scenario's disk images, named as the engine names them (primary-disk.raw,
 * active-disk.1.qcow2, ...): raw primary and secondary disks of the scenario's size pre-filled with
 * its pattern (qemu-img create + qemu-io write -P, skipped for 0), empty qcow2 active and hidden
 * disks (the active disk twice as long, or in qed, for the chain variants that need it).
 * Images take the space of their data, never their virtual size: a raw disk of zeros is a sparse
 * file of its length (all holes, like qemu-img create's), and the qcow2/qed ones are metadata only.
 * Those are built once with the QEMU tools into a cache directory and copied per scenario, as are
 * patterned raw disks up to TEMPLATE_MAX_BYTES; a larger patterned disk is dense by nature and
 * written in place, so the copy is not paid for twice. close() removes the cache.
 */
import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDirectory } from './ChildRegistry.js';
import { diskSuffix } from '../colo/PairConfig.js';
import type { ChainVariant } from '../scenario/Scenario.js';
import type { QemuTools } from './QemuTools.js';
import { runTool } from './QemuTools.js';
import type { DiskFiles } from './Topology.js';
import { makeTempDir } from './TempDirs.js';

/** Patterned raw disks up to this size come from a cached template; larger ones are written in place. */
export const TEMPLATE_MAX_BYTES = 64 * 1024 * 1024;

type ImageFormat = 'raw' | 'qcow2' | 'qed';

export class ImageFactory {
  private cacheDir: string | undefined;
  private readonly templates = new Map<string, Promise<string>>();

  constructor(
    private readonly tools: QemuTools,
    private readonly templateMaxBytes = TEMPLATE_MAX_BYTES,
  ) {}

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
    const [hidden, active] = await Promise.all([this.template('qcow2', sizeBytes, 0), this.template(activeFormat, activeSizeBytes, 0)]);
    await Promise.all([
      this.raw(files.primaryRaw, sizeBytes, pattern),
      this.raw(files.secondaryRaw, sizeBytes, pattern),
      copyFile(active, files.active),
      copyFile(hidden, files.hiddenQcow2),
    ]);
    return files;
  }

  /** A raw disk: holes for zeros, a copy of the template for a small pattern, written in place for a large one. */
  private async raw(path: string, sizeBytes: number, pattern: number): Promise<void> {
    if (pattern === 0) return sparseFile(path, sizeBytes);
    if (sizeBytes <= this.templateMaxBytes) return copyFile(await this.template('raw', sizeBytes, pattern), path);
    await sparseFile(path, sizeBytes);
    await fill(this.tools, 'raw', path, sizeBytes, pattern);
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
    this.cacheDir ??= makeTempDir('images');
    const path = join(this.cacheDir, `${key}.${format}`);
    await runTool(this.tools.img, ['create', '-q', '-f', format, path, String(sizeBytes)]);
    if (pattern !== 0) await fill(this.tools, format, path, sizeBytes, pattern);
    return path;
  }
}

/** A file of `sizeBytes` that is all holes: zeros that take no space. */
async function sparseFile(path: string, sizeBytes: number): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.truncate(sizeBytes);
  } finally {
    await file.close();
  }
}

/** qemu-io's buffer is as long as one write, so a large disk is filled a chunk a command. */
const FILL_CHUNK_BYTES = 256 * 1024 * 1024;
/** Filling is bounded by the disk's size (about 100 MB/s at worst), on top of the usual tool timeout. */
const FILL_MS_PER_CHUNK = 2_500;

function fill(tools: QemuTools, format: ImageFormat, path: string, sizeBytes: number, pattern: number): Promise<string> {
  const commands: string[] = [];
  for (let at = 0; at < sizeBytes; at += FILL_CHUNK_BYTES) {
    commands.push('-c', `write -q -P 0x${pattern.toString(16)} ${at} ${Math.min(FILL_CHUNK_BYTES, sizeBytes - at)}`);
  }
  return runTool(tools.io, ['-f', format, ...commands, path], (commands.length / 2) * FILL_MS_PER_CHUNK);
}
