/*
 * The bytes of a scenario's write steps. A write step's data is a pattern repeated over its length;
 * a fresh buffer per step cost more than the write itself on large disks (the peer suite writes
 * 32-64 MiB at once: the kernel maps and zeroes every page, the garbage collector then frees it).
 * A run therefore fills buffers it takes from a small process-wide pool, one per write that can be
 * in flight at once (a member of a concurrent step has its own), and gives them back when it ends.
 * That is safe because nothing keeps a write's data once the write has ended (every node copies it
 * into its store or passes it on to a request it awaits), and a step ends only once its tasks have;
 * a run that aborted (its tasks may be left mid-write) keeps its buffers out of the pool.
 */

/** The pool keeps buffers up to this many bytes in all (the largest writes of the library: one 64 MiB disk). */
const POOL_BYTES_MAX = 64 << 20;

const pool: Uint8Array[] = [];
let pooledBytes = 0;

/** The smallest pooled buffer of at least `bytes` bytes, taken out of the pool, or a new one. */
function take(bytes: number): Uint8Array {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    if (pool[i]!.length >= bytes && (best < 0 || pool[i]!.length < pool[best]!.length)) best = i;
  }
  if (best < 0) return new Uint8Array(bytes);
  const buffer = pool[best]!;
  pool.splice(best, 1);
  pooledBytes -= buffer.length;
  return buffer;
}

/** Back into the pool, dropping the smallest buffers while it would hold too much. */
function giveBack(buffer: Uint8Array): void {
  if (buffer.length > POOL_BYTES_MAX) return;
  pool.push(buffer);
  pooledBytes += buffer.length;
  pool.sort((a, b) => b.length - a.length);
  while (pooledBytes > POOL_BYTES_MAX) pooledBytes -= pool.pop()!.length;
}

/** The write buffers of one run: `filled` hands out the data of a write, `release` ends the run's use of them. */
export class WriteData {
  /** The buffer of each slot (0 for a step on its own, 1 + i for member i of a concurrent step). */
  private readonly held: (Uint8Array | undefined)[] = [];

  /** `bytes` bytes of `pattern`, in the slot's buffer: valid until the slot's next write. */
  filled(slot: number, bytes: number, pattern: number): Uint8Array {
    let buffer = this.held[slot];
    if (buffer === undefined || buffer.length < bytes) {
      if (buffer !== undefined) giveBack(buffer);
      buffer = take(bytes);
      this.held[slot] = buffer;
    }
    return buffer.subarray(0, bytes).fill(pattern);
  }

  /** The run has ended with every write ended: its buffers go back to the pool. */
  release(): void {
    for (const buffer of this.held) if (buffer !== undefined) giveBack(buffer);
    this.held.length = 0;
  }
}
