/*
 * The copy both block jobs make (block-copy for the backup job, mirror's copy for the commit): read
 * the range from the source, write it to the target, as zeroes when it is all zero. A copy made for
 * a guest write (copy-before-write) carries that write's request id in options.requestId.
 */
import type { BlockNode, WriteOptions } from '../block/BlockNode.js';
import { isAllZero, recycleBytes } from '../block/buffers.js';

export async function copyRange(source: BlockNode, target: BlockNode, offset: number, bytes: number, options: WriteOptions = {}): Promise<void> {
  const data = await source.read(offset, bytes, { requestId: options.requestId });
  if (isAllZero(data)) await target.writeZeroes(offset, bytes, options);
  else await target.write(offset, data, options);
  // The target has copied the data: nobody holds it now.
  recycleBytes(data);
}
