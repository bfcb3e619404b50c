/*
 * Fresh byte buffers for request data, zeroed or not, carved from 1 MiB pooled slabs. Allocating an
 * ArrayBuffer per 4 KiB request dominated the engine's profile (allocation plus the GC pressure of
 * external memory); views into a shared zeroed slab cost a fraction of that. A slab is freed by the
 * garbage collector once no view into it is alive.
 */
import { indexOfOther } from '../util/bytes.js';

const SLAB_BYTES = 1 << 20;
const POOLED_MAX_BYTES = 64 * 1024;

let slab = new Uint8Array(SLAB_BYTES);
let used = 0;

/** The memory of large buffers made here: recycleBytes takes back only these (never a shared slab). */
const large = new WeakSet<ArrayBufferLike>();
/** A large buffer its holder gave back (recycleBytes), for the next large request that fits in it. */
let spare: Uint8Array | null = null;

/** A zero-filled buffer of `bytes` bytes that nobody else holds. */
export function allocBytes(bytes: number): Uint8Array {
  if (bytes > POOLED_MAX_BYTES) {
    if (spare !== null && spare.length >= bytes) {
      // Zeroing mapped memory costs a fraction of a fresh buffer (the kernel maps and zeroes each page).
      const view = spare.subarray(0, bytes).fill(0);
      spare = null;
      return view;
    }
    const out = new Uint8Array(bytes);
    large.add(out.buffer);
    return out;
  }
  if (used + bytes > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const view = slab.subarray(used, used + bytes);
  // Keep views 8-byte aligned so later typed-array views over them stay legal.
  used += (bytes + 7) & ~7;
  return view;
}

let unfilledSlab = newUnfilledSlab();
let unfilledUsed = 0;

/** A slab whose memory is not zeroed first (Buffer.allocUnsafeSlow), seen as a plain Uint8Array. */
function newUnfilledSlab(): Uint8Array {
  const b = Buffer.allocUnsafeSlow(SLAB_BYTES);
  return new Uint8Array(b.buffer, b.byteOffset, SLAB_BYTES);
}

/**
 * A buffer of `bytes` bytes that nobody else holds, like allocBytes, but holding whatever the memory
 * held: only for a caller that writes every byte before anyone reads it (a read that copies each
 * byte in), since leftover bytes would differ from run to run. Zeroing a slab that is then
 * overwritten whole showed in the 4 KiB I/O profile.
 */
export function allocUnfilled(bytes: number): Uint8Array {
  if (bytes > POOLED_MAX_BYTES) {
    // A large buffer given back serves as it is (every byte is written); a new one can be given back in turn.
    if (spare !== null && spare.length >= bytes) {
      const view = spare.subarray(0, bytes);
      spare = null;
      return view;
    }
    const out = new Uint8Array(bytes);
    large.add(out.buffer);
    return out;
  }
  if (unfilledUsed + bytes > SLAB_BYTES) {
    unfilledSlab = newUnfilledSlab();
    unfilledUsed = 0;
  }
  const view = unfilledSlab.subarray(unfilledUsed, unfilledUsed + bytes);
  unfilledUsed += (bytes + 7) & ~7;
  return view;
}

/** Whether every byte is zero (copy jobs write such data as zeroes). */
export function isAllZero(data: Uint8Array): boolean {
  return indexOfOther(data, 0, data.length, 0) === data.length;
}

/**
 * Hand back a buffer from allocBytes that its holder is done with and that nobody else can hold
 * (a guest read's answer, once encoded; a copy's data, once written): the latest piece of the
 * current slab is carved again by the next request, a large buffer is kept for the next large
 * request (the largest given back winning). Any other buffer is left to the garbage collector.
 */
export function recycleBytes(data: Uint8Array): void {
  // The latest buffer carved from the current slab: the next request is carved in its place (zeroed
  // now, while its memory is still in cache), so a read-then-write copy reuses one piece of memory.
  if (data.buffer === slab.buffer && data.byteOffset + ((data.length + 7) & ~7) === used) {
    data.fill(0);
    used = data.byteOffset;
    return;
  }
  // Likewise the latest piece of the unfilled slab, left as it is (its next holder writes every byte).
  if (data.buffer === unfilledSlab.buffer && data.byteOffset + ((data.length + 7) & ~7) === unfilledUsed) {
    unfilledUsed = data.byteOffset;
    return;
  }
  if (!large.has(data.buffer)) return;
  const whole = new Uint8Array(data.buffer);
  if (spare === null || whole.length > spare.length) spare = whole;
}
