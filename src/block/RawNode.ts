/*
 * A raw image: the guest's bytes at the same offsets in a sparse SectorStore. Every request is a
 * leaf I/O that completes on the simulated clock after the node's latency. Raw has no allocation
 * metadata of its own (everything reads as allocated) and cannot be emptied, like QEMU's raw driver;
 * its block status is the file's: an image created without a fill pattern is a sparse file, whose
 * never-written 4 KiB chunks are holes (zero), as file-posix's SEEK_HOLE reports them.
 */
import type { BlockStatus } from './BlockNode.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { BlockNode } from './BlockNode.js';
import { type PeekSink, SectorStore } from './SectorStore.js';

export class RawNode extends BlockNode {
  readonly driver = 'raw';
  readonly store: SectorStore;

  constructor(env: SimEnv, name: string, sizeBytes: number, options: { fill?: number } = {}) {
    super(env, name);
    this.store = new SectorStore(sizeBytes, options.fill ?? 0);
  }

  get length(): number {
    return this.store.sizeBytes;
  }

  protected override doPeek(offset: number, out: Uint8Array): void {
    this.store.readInto(offset, out, 0, out.length);
  }

  protected override doPeekStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    this.store.raiseStamps(offset, bytes, into, base);
  }

  protected override doPeekRuns(offset: number, bytes: number, sink: PeekSink): void {
    this.store.visit(offset, bytes, sink);
  }

  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    await this.ioLatency('read');
    this.trace('read', offset, bytes, requestId);
    return this.store.read(offset, bytes);
  }

  protected override async doBlockStatus(offset: number, bytes: number): Promise<BlockStatus> {
    if (this.store.fill !== 0) return { kind: 'data', bytes };
    const run = this.store.writtenRun(offset, bytes);
    return { kind: run.written ? 'data' : 'zero', bytes: run.bytes };
  }

  protected override async doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    await this.ioLatency('write');
    this.trace('write', offset, data.length, requestId);
    this.store.write(offset, data);
  }

  protected override async doWriteZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    await this.ioLatency('write-zeroes');
    this.trace('write-zeroes', offset, bytes, requestId);
    this.store.zero(offset, bytes);
  }

  protected override async doFlush(requestId?: number): Promise<void> {
    await this.ioLatency('flush');
    this.trace('flush', 0, 0, requestId);
  }
}
