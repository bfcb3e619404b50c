/*
 * The bytes of a scenario's write steps. A write step's data is a pattern repeated over its length;
 * a fresh buffer per step cost more than the write itself on large disks (the peer suite writes
 * 32-64 MiB at once: the kernel maps and zeroes every page, the garbage collector then frees it).
 * A run therefore fills buffers it takes from a small process-wide pool, one per write that can be
 * in flight at once (a member of a concurrent step has its own), and gives them back when it ends.
 * That is safe because nothing keeps a write's data once the write has ended (every node copies it
 * into its store or passes it on to a request it awaits), and a step ends only once its tasks have;
 * a run that aborted (its tasks may be left mid-write) keeps its buffers out of the pool.
 * Nothing writes into a write's data either (QEMU's drivers only read a write's I/O vector; so do
 * colosim's nodes), so a buffer keeps the pattern it was filled with: a write of the pattern it holds
 * is not filled again, and its data is marked as one byte throughout (knownRuns.ts), so the
 * stores it reaches keep it as uniform chunks without scanning it.
 */
import { markUniform } from '../block/knownRuns.js';

/**
 * The pool keeps buffers up to this many bytes in all: the largest writes of the library (one 64 MiB
 * disk) and a second pattern's 32 MiB, so the peer suite's writes alternating two patterns fill nothing again.
 */
const POOL_BYTES_MAX = 96 << 20;

const pool: Uint8Array[] = [];
let pooledBytes = 0;
/** What each buffer this module made holds: its first `bytes` bytes are `byte` (filled with it last). */
const contents = new WeakMap<Uint8Array, { byte: number; bytes: number }>();

/**
 * A pooled buffer of at least `bytes` bytes, taken out of the pool, or a new one: the smallest that
 * already holds `pattern` over `bytes` bytes if there is one (no fill then), else the smallest.
 */
function take(bytes: number, pattern: number): Uint8Array {
  let best = -1;
  let bestHolds = false;
  for (let i = 0; i < pool.length; i++) {
    const buffer = pool[i]!;
    if (buffer.length < bytes) continue;
    const holds = holdsPattern(buffer, pattern, bytes);
    if (best < 0 || (holds && !bestHolds) || (holds === bestHolds && buffer.length < pool[best]!.length)) {
      best = i;
      bestHolds = holds;
    }
  }
  if (best < 0) return new Uint8Array(bytes);
  const buffer = pool[best]!;
  pool.splice(best, 1);
  pooledBytes -= buffer.length;
  return buffer;
}

/** Whether `buffer`'s first `bytes` bytes are `pattern` (it was last filled with it, at least that far). */
function holdsPattern(buffer: Uint8Array, pattern: number, bytes: number): boolean {
  const holds = contents.get(buffer);
  return holds !== undefined && holds.byte === pattern && holds.bytes >= bytes;
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
    if (buffer === undefined || buffer.length < bytes || !holdsPattern(buffer, pattern, bytes)) {
      // Taken before the slot's buffer goes back, so that a run writing two patterns in turn keeps a
      // buffer of each (the one going back would otherwise be taken again and filled with the other).
      const taken = take(bytes, pattern);
      if (buffer !== undefined) giveBack(buffer);
      buffer = taken;
      this.held[slot] = buffer;
    }
    const view = buffer.subarray(0, bytes);
    const holds = contents.get(buffer);
    // Only the bytes past those known to hold the pattern are filled.
    const from = holds !== undefined && holds.byte === pattern ? Math.min(holds.bytes, bytes) : 0;
    if (from < bytes) {
      view.fill(pattern, from);
      contents.set(buffer, { byte: pattern, bytes });
    }
    return markUniform(view, pattern);
  }

  /** The run has ended with every write ended: its buffers go back to the pool. */
  release(): void {
    for (const buffer of this.held) if (buffer !== undefined) giveBack(buffer);
    this.held.length = 0;
  }
}
