/*
 * Graph surgery, as bdrv_append / bdrv_replace_node / bdrv_drop_filter do it: inserting a filter
 * above a node moves the node's other parents onto the filter; dropping it moves them back;
 * replacing a node moves every parent edge (but the replacement's own links) to the new node.
 */
import type { BlockNode } from './BlockNode.js';

/** Insert `filter` above `node`: filter.file = node, and node's other parents now use the filter. */
export function insertFilterAbove(node: BlockNode, filter: BlockNode): void {
  const parents = [...node.parents];
  filter.attach('file', node);
  for (const edge of parents) edge.retarget(filter);
}

/** Remove a filter: its parents use its file child again, and the filter lets go of it. */
export function dropFilter(filter: BlockNode): void {
  const below = filter.file;
  if (!below) throw new Error(`${filter.name} has no file child to fall back to`);
  for (const edge of [...filter.parents]) edge.retarget(below);
  filter.detach('file');
}

/** Every parent edge of `from` now points at `to`, except edges owned by `to` itself or listed in `keep`. */
// Stryker disable next-line ArrayDeclaration: a default list holding a string instead of nothing keeps no edge either, since no parent is a string
export function replaceNode(from: BlockNode, to: BlockNode, keep: readonly BlockNode[] = []): void {
  for (const edge of [...from.parents]) {
    if (edge.parent === to || keep.includes(edge.parent as BlockNode)) continue;
    edge.retarget(to);
  }
}

/** Whether `target` is `top` or reachable below it through any child link (check_top_bs). */
export function isBelow(top: BlockNode, target: BlockNode, depth = 0): boolean {
  if (top === target) return true;
  if (depth > 64) return false;
  for (const edge of top.children.values()) {
    if (isBelow(edge.node, target, depth + 1)) return true;
  }
  return false;
}

/** The next layer down that holds data for `node`: a filter's file, or a format node's backing. */
export function filterOrCowChild(node: BlockNode): BlockNode | null {
  return node.isFilter ? node.file : node.backing;
}
