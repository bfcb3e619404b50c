/*
 * The primary's quorum node with vote-threshold 1 and read-pattern fifo, as COLO configures it:
 * a write goes to every child at once and succeeds when at least one child succeeded; a read tries
 * the children in order and returns the first success. When every child fails, the error most
 * children agree on wins, a tie going to the later child (quorum_vote_error's list order).
 * Write-zeroes goes to every child as write-zeroes and flush to every child (quorum_co_pwrite_zeroes,
 * quorum_co_flush); quorum has no discard, so the block layer drops one (BlockNode.discard).
 * Limits: no voting on read contents (fifo never compares), no rewrite-corrupted.
 */
import type { BdrvChild } from '../block/BdrvChild.js';
import { BlockError, isBlockError } from '../block/BlockError.js';
import { BlockNode } from '../block/BlockNode.js';
import type { Errno } from '../sim/errno.js';
import type { SimEnv } from '../sim/SimEnv.js';

export interface QuorumOptions {
  readonly name: string;
  readonly children: readonly BlockNode[];
  /** Called when child 0 (the local disk) finished a write: a point where the primary may crash. */
  readonly afterLocalWrite?: () => void;
}

export class QuorumNode extends BlockNode {
  readonly driver = 'quorum';
  readonly threshold = 1;
  private readonly links: BdrvChild[] = [];

  constructor(
    env: SimEnv,
    private readonly options: QuorumOptions,
  ) {
    super(env, options.name);
    this.alignment = 1;
    options.children.forEach((child, i) => this.links.push(this.attach(`children.${i}`, child)));
  }

  get length(): number {
    return this.links[0]!.node.length;
  }

  get childCount(): number {
    return this.links.length;
  }

  /** x-blockdev-change child=children.N: remove the last child. */
  removeLastChild(): void {
    if (this.links.length <= this.threshold) throw new Error('The number of children cannot be lower than the vote threshold');
    const link = this.links.pop()!;
    this.detach(link.role);
  }

  /** The primary VM's data: the local child, which fifo reads ask first. */
  protected override doPeek(offset: number, out: Uint8Array): void {
    this.links[0]!.node.peek(offset, out.length, out);
  }

  protected override async doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    let last: unknown = null;
    for (const link of this.links) {
      try {
        return await link.node.read(offset, bytes, { requestId });
      } catch (error) {
        if (!isBlockError(error)) throw error;
        last = error;
      }
    }
    // Stryker disable next-line StringLiteral: unreachable, a quorum keeps at least one child (removeLastChild refuses to go below the threshold)
    throw last ?? new BlockError('EIO', `${this.name}: no children`);
  }

  protected override doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    return this.toEveryChild(offset, data.length, requestId, (node) => node.write(offset, data, { requestId }));
  }

  /** quorum_co_pwrite_zeroes: a zero write to every child, voted like a write. */
  protected override doWriteZeroes(offset: number, bytes: number, requestId?: number): Promise<void> {
    return this.toEveryChild(offset, bytes, requestId, (node) => node.writeZeroes(offset, bytes, { requestId }));
  }

  /** quorum_co_flush: every child flushes; enough successes win, else the voted error. */
  protected override async doFlush(requestId?: number): Promise<void> {
    const failures: Errno[] = [];
    for (const link of this.links) {
      try {
        await link.node.flush({ requestId });
      } catch (error) {
        if (!isBlockError(error)) throw error;
        failures.push(error.errno);
      }
    }
    if (this.links.length - failures.length >= this.threshold) return;
    throw new BlockError(voteError(failures), `${this.name}: too many children failed to flush`);
  }

  private async toEveryChild(offset: number, bytes: number, requestId: number | undefined, write: (node: BlockNode) => Promise<void>): Promise<void> {
    // Every child's write runs to its end (none is left rejecting unobserved); then the vote.
    const settled = await Promise.all(
      this.links.map((link, i) =>
        write(link.node).then(
          () => {
            if (i === 0) this.options.afterLocalWrite?.();
            return { errno: null, fatal: null };
          },
          (error: unknown) => (isBlockError(error) ? { errno: error.errno, fatal: null } : { errno: null, fatal: error }),
        ).catch((error: unknown) => ({ errno: null, fatal: error })),
      ),
    );
    const fatal = settled.find((r) => r.fatal !== null);
    if (fatal) throw fatal.fatal;
    const children = settled.map((r) => r.errno ?? 'ok').join(',');
    this.env.trace.emit('quorum-write', { node: this.name, offset, bytes, children, req: requestId });
    const failures = settled.map((r) => r.errno).filter((e): e is Errno => e !== null);
    if (settled.length - failures.length >= this.threshold) return;
    throw new BlockError(voteError(failures), `${this.name}: too many children failed`);
  }
}

/**
 * The errno most failed children report, as quorum_vote_error decides it: each value enters the vote
 * list at its head when first reported (children in index order), and the first value in the list
 * with a strictly greater count wins, so on a tie the value first reported by the latest child wins.
 */
function voteError(errors: readonly Errno[]): Errno {
  // Stryker disable next-line ArrayDeclaration: a value no child reported counts 0, so it never wins
  const list: Errno[] = [];
  for (const e of errors) if (!list.includes(e)) list.unshift(e);
  // Stryker disable next-line StringLiteral: voteError always gets at least one error, so the loop always replaces the initial winner
  let winner: Errno = 'EIO';
  let best = 0;
  for (const candidate of list) {
    const count = errors.filter((e) => e === candidate).length;
    if (count > best) {
      best = count;
      winner = candidate;
    }
  }
  return winner;
}
