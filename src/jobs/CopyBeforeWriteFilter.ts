/*
 * QEMU 7.2's copy-before-write filter: inserted above the backup job's source (the secondary disk),
 * it lets every write through only after the job copied the old content of the touched clusters
 * into the target (the hidden disk). Reads and block status pass straight through. A request
 * goes on to the file child it found on entry, even if the filter has left the graph meanwhile.
 */
import type { BlockStatus } from '../block/BlockNode.js';
import { BlockNode } from '../block/BlockNode.js';
import type { SimEnv } from '../sim/SimEnv.js';

/** What the filter needs from its job. */
export interface CopyBeforeWrite {
  /** `requestId`: the write that needs the copy, which the copy is traced under. */
  copyBeforeWrite(offset: number, bytes: number, requestId?: number): Promise<void>;
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

  protected override doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    return this.below().read(offset, bytes, { requestId });
  }

  // A write keeps the child it entered with: a job that fails by itself drops the filter while
  // writes are still waiting in it (BackupJob), and they finish below as if it had drained.
  protected override async doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    const below = this.below();
    await this.job.copyBeforeWrite(offset, data.length, requestId);
    await below.write(offset, data, { requestId });
  }

  protected override async doWriteZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    const below = this.below();
    await this.job.copyBeforeWrite(offset, bytes, requestId);
    await below.writeZeroes(offset, bytes, { requestId });
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
