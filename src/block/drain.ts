/*
 * Drained sections (bdrv_drained_begin/end): before the graph changes under a node, every
 * BlockBackend above it stops admitting new requests and the ones in flight finish. Requests that
 * arrive meanwhile wait at their BlockBackend and, once the section ends, enter the new graph.
 */
import type { BlockBackend } from './BlockBackend.js';
import type { BlockNode } from './BlockNode.js';

export interface DrainedSection {
  end(): void;
}

/** Every BlockBackend that reaches `node` through parent links. */
export function backendsAbove(node: BlockNode): BlockBackend[] {
  const found = new Set<BlockBackend>();
  const seen = new Set<BlockNode>();
  const walk = (n: BlockNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const edge of n.parents) {
      if (edge.parent.isBackend) found.add(edge.parent as BlockBackend);
      else walk(edge.parent as BlockNode);
    }
  };
  walk(node);
  return [...found].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function drainedBegin(node: BlockNode, who: string): Promise<DrainedSection> {
  const backends = backendsAbove(node);
  // Close every door first, then wait: waiting on one backend while another still admits
  // requests could wait forever on work that keeps arriving.
  for (const blk of backends) blk.quiesce();
  for (const blk of backends) await blk.waitIdle(who);
  return {
    end: () => {
      for (const blk of backends) blk.resume();
    },
  };
}
