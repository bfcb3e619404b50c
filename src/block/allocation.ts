/*
 * bdrv_is_allocated_above: whether a run of bytes is allocated in any layer from `top` down to,
 * but not including, `base`, and for how long that answer holds. Zero clusters count as allocated
 * (they shadow what lies below). Filters are passed through to their file child.
 */
import type { BlockNode } from './BlockNode.js';
import { filterOrCowChild } from './graph.js';

export interface AllocationRun {
  readonly allocated: boolean;
  /** Bytes from `offset` over which the answer is the same (>= 1 while bytes > 0). */
  readonly bytes: number;
}

export async function isAllocatedAbove(top: BlockNode, base: BlockNode | null, offset: number, bytes: number): Promise<AllocationRun> {
  let run = bytes;
  for (let layer: BlockNode | null = top; layer && layer !== base; layer = filterOrCowChild(layer)) {
    if (layer.isFilter) continue;
    if (offset >= layer.length) continue;
    const status = await layer.blockStatus(offset, Math.min(run, layer.length - offset));
    if (status.kind !== 'unallocated') return { allocated: true, bytes: status.bytes };
    // The run is unallocated here only as far as this layer says; a lower layer may cut it shorter.
    run = Math.min(run, status.bytes);
  }
  return { allocated: false, bytes: run };
}
