/*
 * For tests only: a filter node that hands every request to its `file` child unchanged, standing in
 * for a parent the test does not build (the quorum above a replication node, a job's filter).
 */
import type { SimEnv } from '../../sim/SimEnv.js';
import { BlockNode } from '../BlockNode.js';

export interface PassFilterOptions {
  readonly driver?: string;
  /** Request alignment; 1 lets unaligned requests through unpadded, as a byte-granular filter does. */
  readonly alignment?: number;
}

export class PassFilter extends BlockNode {
  readonly driver: string;

  constructor(env: SimEnv, name: string, below?: BlockNode, options: PassFilterOptions = {}) {
    super(env, name);
    this.driver = options.driver ?? 'pass';
    if (options.alignment !== undefined) this.alignment = options.alignment;
    if (below) this.attach('file', below);
  }

  override get isFilter(): boolean {
    return true;
  }

  get length(): number {
    return this.file!.length;
  }

  protected override doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    return this.file!.read(offset, bytes, { requestId });
  }

  protected override doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    return this.file!.write(offset, data, { requestId });
  }
}
