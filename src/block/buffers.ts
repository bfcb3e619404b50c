/*
 * Fresh byte buffers for request data, zeroed or not, carved from 1 MiB pooled slabs. Allocating an
 * ArrayBuffer per 4 KiB request dominated the engine's profile (allocation plus the GC pressure of
 * external memory); views into a shared zeroed slab cost a fraction of that. A slab is freed by the
 * garbage collector once no view into it is alive.
 */
import { indexOfOther } from '../util/bytes.js';

const SLAB_BYTES = 1 << 20;
const POOLED_MAX_BYTES = 64 * 1024;

/**
 * One pool of 1 MiB slabs that buffers are carved from, one after another, each 8-byte aligned so
 * later typed-array views over them stay legal. The latest buffer carved can be given back
 * (giveBackLatest): the next request is then carved in its place.
 */
class SlabPool {
  private slab: Uint8Array;
  private used = 0;

  constructor(private readonly newSlab: () => Uint8Array) {
    this.slab = newSlab();
  }

  carve(bytes: number): Uint8Array {
    if (this.used + bytes > SLAB_BYTES) {
      this.slab = this.newSlab();
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + bytes);
    this.used += (bytes + 7) & ~7;
    return view;
  }

  /** Whether `data` is the latest buffer carved from the current slab. */
  isLatest(data: Uint8Array): boolean {
    return data.buffer === this.slab.buffer && data.byteOffset + ((data.length + 7) & ~7) === this.used;
  }

  /** Carve the next request where `data` (the latest buffer, see isLatest) lies. */
  giveBackLatest(data: Uint8Array): void {
    this.used = data.byteOffset;
  }
}

/** Zeroed slabs, for allocBytes. */
const zeroed = new SlabPool(() => new Uint8Array(SLAB_BYTES));

/** Slabs whose memory is not zeroed first (Buffer.allocUnsafeSlow), seen as plain Uint8Arrays, for allocUnfilled. */
const unfilled = new SlabPool(() => {
  const b = Buffer.allocUnsafeSlow(SLAB_BYTES);
  return new Uint8Array(b.buffer, b.byteOffset, SLAB_BYTES);
});

/** The memory of large buffers made here: recycleBytes takes back only these (never a shared slab). */
const large = new WeakSet<ArrayBufferLike>();
/** A large buffer its holder gave back (recycleBytes), for the next large request that fits in it. */
let spare: Uint8Array | null = null;

/** The spare large buffer, cut to `bytes`, holding what it held, if it is big enough; it is then no longer spare. */
function takeSpare(bytes: number): Uint8Array | null {
  if (spare === null || spare.length < bytes) return null;
  const view = spare.subarray(0, bytes);
  spare = null;
  return view;
}

/** A fresh large buffer (zeroed, as every new one is), which can be given back in turn. */
function newLarge(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  large.add(out.buffer);
  return out;
}

/** A zero-filled buffer of `bytes` bytes that nobody else holds. */
export function allocBytes(bytes: number): Uint8Array {
  if (bytes > POOLED_MAX_BYTES) {
    // Zeroing mapped memory costs a fraction of a fresh buffer (the kernel maps and zeroes each page).
    return takeSpare(bytes)?.fill(0) ?? newLarge(bytes);
  }
  return zeroed.carve(bytes);
}

/**
 * A buffer of `bytes` bytes that nobody else holds, like allocBytes, but holding whatever the memory
 * held: only for a caller that writes every byte before anyone reads it (a read that copies each
 * byte in), since leftover bytes would differ from run to run. Zeroing a slab that is then
 * overwritten whole showed in the 4 KiB I/O profile.
 */
export function allocUnfilled(bytes: number): Uint8Array {
  // A large buffer given back serves as it is (every byte is written).
  if (bytes > POOLED_MAX_BYTES) return takeSpare(bytes) ?? newLarge(bytes);
  return unfilled.carve(bytes);
}

/** Whether every byte is zero (copy jobs write such data as zeroes). */
export function isAllZero(data: Uint8Array): boolean {
  return indexOfOther(data, 0, data.length, 0) === data.length;
}

/**
 * Hand back a buffer from allocBytes or allocUnfilled that its holder is done with and that nobody
 * else can hold (a guest read's answer, once encoded; a copy's data, once written): the latest piece
 * of a current slab is carved again by the next request, a large buffer is kept for the next large
 * request (the largest given back winning). Any other buffer is left to the garbage collector.
 */
export function recycleBytes(data: Uint8Array): void {
  // The latest buffer carved from the current zeroed slab: the next request is carved in its place
  // (zeroed now, while its memory is still in cache), so a read-then-write copy reuses one piece of memory.
  if (zeroed.isLatest(data)) {
    data.fill(0);
    zeroed.giveBackLatest(data);
    return;
  }
  // Likewise the latest piece of the unfilled slab, left as it is (its next holder writes every byte).
  if (unfilled.isLatest(data)) {
    unfilled.giveBackLatest(data);
    return;
  }
  if (!large.has(data.buffer)) return;
  const whole = new Uint8Array(data.buffer);
  if (spare === null || whole.length > spare.length) spare = whole;
}
