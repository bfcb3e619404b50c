/*
 * The names one QEMU process knows: node names and BlockBackend names (drive ids). Lookups follow
 * bdrv_lookup_bs: a BlockBackend name first (meaning its root node), then a node name.
 */
import type { BlockBackend } from './BlockBackend.js';
import type { BlockNode } from './BlockNode.js';

export class NodeRegistry {
  private readonly nodes = new Map<string, BlockNode>();
  private readonly backends = new Map<string, BlockBackend>();

  addNode(node: BlockNode): void {
    if (this.nodes.has(node.name)) throw new Error(`duplicate node name ${node.name}`);
    this.nodes.set(node.name, node);
  }

  addBackend(backend: BlockBackend): void {
    if (this.backends.has(backend.name)) throw new Error(`duplicate BlockBackend name ${backend.name}`);
    this.backends.set(backend.name, backend);
  }

  removeNode(name: string): void {
    this.nodes.delete(name);
  }

  /** Every registered node, in the order they were added. */
  allNodes(): IterableIterator<BlockNode> {
    return this.nodes.values();
  }

  node(name: string): BlockNode | undefined {
    return this.nodes.get(name);
  }

  backend(name: string): BlockBackend | undefined {
    return this.backends.get(name);
  }

  /** bdrv_lookup_bs(name, name): a BlockBackend's root node, else the node of that name. */
  lookup(name: string): BlockNode | undefined {
    const blk = this.backends.get(name);
    if (blk) {
      try {
        return blk.node;
      } catch {
        return undefined;
      }
    }
    return this.nodes.get(name);
  }
}
