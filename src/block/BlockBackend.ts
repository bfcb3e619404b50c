/*
 * A BlockBackend: the named attachment through which a user of the block layer (a guest device,
 * an NBD export, a job) reaches a root node, like a -drive id. It checks requests the way
 * blk_check_byte_request does (negative or past-the-end requests fail with EIO) before they reach
 * the node. Nodes use it to answer "do I have a block backend?" (bdrv_has_blk).
 */
import type { ChildOwner } from './BdrvChild.js';
import { BdrvChild } from './BdrvChild.js';
import { BlockError } from './BlockError.js';
import type { BlockNode } from './BlockNode.js';

export class BlockBackend implements ChildOwner {
  readonly isBackend = true;
  private root: BdrvChild | null;

  constructor(
    readonly name: string,
    node: BlockNode,
  ) {
    this.root = new BdrvChild(this, node, 'root');
  }

  get node(): BlockNode {
    if (!this.root) throw new BlockError('ENOMEDIUM', `${this.name} has no medium`);
    return this.root.node;
  }

  get length(): number {
    return this.node.length;
  }

  read(offset: number, bytes: number): Promise<Uint8Array> {
    this.check(offset, bytes);
    return this.node.read(offset, bytes);
  }

  write(offset: number, data: Uint8Array): Promise<void> {
    this.check(offset, data.length);
    return this.node.write(offset, data);
  }

  writeZeroes(offset: number, bytes: number): Promise<void> {
    this.check(offset, bytes);
    return this.node.writeZeroes(offset, bytes);
  }

  flush(): Promise<void> {
    return this.node.flush();
  }

  /** Detach from the node (blk_remove_bs / deleting the drive). */
  eject(): void {
    this.root?.detach();
    this.root = null;
  }

  private check(offset: number, bytes: number): void {
    if (!this.root) throw new BlockError('ENOMEDIUM', `${this.name} has no medium`);
    const len = this.root.node.length;
    if (bytes < 0 || offset < 0 || offset > len || len - offset < bytes) {
      throw new BlockError('EIO', `request [${offset}, +${bytes}) outside ${this.name} (${len} bytes)`);
    }
  }
}
