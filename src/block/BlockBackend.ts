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
import { WaitQueue } from '../sim/WaitQueue.js';

export class BlockBackend implements ChildOwner {
  readonly isBackend = true;
  private root: BdrvChild | null;
  /** Requests that entered and have not finished. */
  private inFlight = 0;
  /** Nesting depth of drained sections: while > 0, new requests wait (blk_wait_while_drained). */
  private quiesced = 0;
  private readonly idle: WaitQueue;
  private readonly resumed: WaitQueue;

  constructor(
    readonly name: string,
    node: BlockNode,
  ) {
    this.root = new BdrvChild(this, node, 'root');
    this.idle = new WaitQueue(node.env.sched, `${name} to go idle`);
    this.resumed = new WaitQueue(node.env.sched, `${name} to leave its drained section`);
  }

  /** Stop admitting new requests (those in flight go on). */
  quiesce(): void {
    this.quiesced++;
  }

  /** Wait until no request is in flight. */
  async waitIdle(who: string): Promise<void> {
    while (this.inFlight > 0) await this.idle.wait(who);
  }

  resume(): void {
    if (this.quiesced === 0) throw new Error(`${this.name}: resume without quiesce`);
    if (--this.quiesced === 0) this.resumed.wakeAll();
  }

  get node(): BlockNode {
    if (!this.root) throw new BlockError('ENOMEDIUM', `${this.name} has no medium`);
    return this.root.node;
  }

  get length(): number {
    return this.node.length;
  }

  /** `requestId`: the guest request this is (SimEnv.requestId), carried to every node it reaches. */
  read(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    return this.request(() => {
      this.check(offset, bytes);
      return this.node.read(offset, bytes, { requestId });
    });
  }

  write(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    return this.request(() => {
      this.check(offset, data.length);
      return this.node.write(offset, data, { requestId });
    });
  }

  writeZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    return this.request(() => {
      this.check(offset, bytes);
      return this.node.writeZeroes(offset, bytes, { requestId });
    });
  }

  /** blk_co_flush: ENOMEDIUM when a node below lost its driver, no range to check. */
  flush(requestId?: number): Promise<void> {
    return this.request(() => {
      if (!this.node.isInserted) throw new BlockError('ENOMEDIUM', `${this.name}: a node below it has no driver`);
      return this.node.flush({ requestId });
    });
  }

  discard(offset: number, bytes: number): Promise<void> {
    return this.request(() => {
      this.check(offset, bytes);
      return this.node.discard(offset, bytes);
    });
  }

  private async request<T>(fn: () => Promise<T>): Promise<T> {
    while (this.quiesced > 0) await this.resumed.wait(`request on ${this.name}`);
    this.inFlight++;
    try {
      return await fn();
    } finally {
      if (--this.inFlight === 0) this.idle.wakeAll();
    }
  }

  /** Detach from the node (blk_remove_bs / deleting the drive). */
  eject(): void {
    this.root?.detach();
    this.root = null;
  }

  private check(offset: number, bytes: number): void {
    const node = this.node;
    // blk_check_byte_request's order: a negative length, then availability, then the range.
    if (bytes < 0) throw this.outside(offset, bytes);
    // blk_is_available: a node anywhere below that lost its driver takes the whole backend's medium.
    if (!node.isInserted) throw new BlockError('ENOMEDIUM', `${this.name}: a node below it has no driver`);
    const len = node.length;
    if (offset < 0 || offset > len || len - offset < bytes) throw this.outside(offset, bytes);
  }

  /** A method, not a closure made per request: closures per call showed in the campaign's profile. */
  private outside(offset: number, bytes: number): BlockError {
    return new BlockError('EIO', `request [${offset}, +${bytes}) outside ${this.name} (${this.node.length} bytes)`);
  }
}
