/*
 * QEMU 7.2's copy-before-write filter: inserted above the backup job's source (the secondary disk),
 * it lets every write through only after the job copied the old content of the touched clusters
 * into the target (the hidden disk). Reads and block status pass straight through.
 */
import type { BlockStatus } from '../block/BlockNode.js';
import { BlockNode } from '../block/BlockNode.js';
import type { SimEnv } from '../sim/SimEnv.js';

/** What the filter needs from its job. */
export interface CopyBeforeWrite {
  copyBeforeWrite(offset: number, bytes: number): Promise<void>;
}

export class CopyBeforeWriteFilter extends BlockNode {
  readonly driver = 'copy-before-write';

  constructor(
    env: SimEnv,
    name: string,
    private readonly job: CopyBeforeWrite,
    /** The copy target (hidden): QEMU's filter holds it as its "target" child. */
    target?: BlockNode,
  ) {
    super(env, name);
    this.alignment = 1;
    if (target) this.attach('target', target);
  }

  override get isFilter(): boolean {
    return true;
  }

  get length(): number {
    return this.below().length;
  }

  protected override doRead(offset: number, bytes: number): Promise<Uint8Array> {
    return this.below().read(offset, bytes);
  }

  protected override async doWrite(offset: number, data: Uint8Array): Promise<void> {
    await this.job.copyBeforeWrite(offset, data.length);
    await this.below().write(offset, data);
  }

  protected override async doWriteZeroes(offset: number, bytes: number): Promise<void> {
    await this.job.copyBeforeWrite(offset, bytes);
    await this.below().writeZeroes(offset, bytes);
  }

  protected override doBlockStatus(offset: number, bytes: number): Promise<BlockStatus> {
    return this.below().blockStatus(offset, bytes);
  }

  private below(): BlockNode {
    const file = this.file;
    if (!file) throw new Error(`${this.name} has no file child`);
    return file;
  }
}
