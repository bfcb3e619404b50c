/*
 * An edge of the block graph: a parent (a node or a BlockBackend) uses a child node in a role
 * ("file", "backing", or a named extra link such as replication's "secondary"). Graph changes
 * (inserting a filter, the commit's final rewiring) move edges from one child node to another.
 */
import type { BlockNode } from './BlockNode.js';
import { noteGraphChange } from './WriteClock.js';

/** Anything that can hold a child link: a block node or a BlockBackend. */
export interface ChildOwner {
  readonly name: string;
  readonly isBackend: boolean;
}

export class BdrvChild {
  constructor(
    readonly parent: ChildOwner,
    private current: BlockNode,
    readonly role: string,
  ) {
    current.parents.add(this);
    noteGraphChange();
  }

  get node(): BlockNode {
    return this.current;
  }

  /** Point this edge at another node (bdrv_replace_child). */
  retarget(to: BlockNode): void {
    if (to === this.current) return;
    this.current.parents.delete(this);
    this.current = to;
    to.parents.add(this);
    noteGraphChange();
  }

  detach(): void {
    this.current.parents.delete(this);
    noteGraphChange();
  }
}
