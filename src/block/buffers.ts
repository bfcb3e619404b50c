/*
 * Fresh byte buffers for request data, zeroed or not, carved from 1 MiB pooled slabs. Allocating an
 * ArrayBuffer per 4 KiB request dominated the engine's profile (allocation plus the GC pressure of
 * external memory); views into a shared zeroed slab cost a fraction of that. A slab is freed by the
 * garbage collector once no view into it is alive.
 */
import { indexOfOther } from '../util/bytes.js';
import { uniformByteOf } from './knownRuns.js';

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
/**
 * Large buffers their holders gave back (recycleBytes), for the next large requests that fit in them,
 * each with what it is known to hold: `byte` over its first `bytes` bytes (given back marked as one
 * byte throughout, knownRuns.ts), or byte -1. Several are kept, so that reads of a few patterns in
 * turn (the peer suite reads 64 MiB of one byte, then 32 MiB of another) each find one already holding theirs.
 */
interface Spare {
  readonly buffer: Uint8Array;
  readonly byte: number;
  readonly bytes: number;
}
const spares: Spare[] = [];
/** The spares keep at most this many bytes in all, in at most SPARES_MAX buffers. */
const SPARE_BYTES_MAX = 160 << 20;
const SPARES_MAX = 4;
let spareTotal = 0;
/** What the buffer the latest large allocUnfilled handed out holds (see heldByte). */
let lastHeld: Spare | null = null;

/**
 * A spare cut to `bytes`, holding what it held, if one is big enough; it is then no longer spare.
 * The one holding `prefer` over the most of those bytes, else the one ranked first (rankBelow); but none when
 * `prefer` is given and every spare that fits is known to hold another byte while the bounds leave
 * room for a new buffer: overwriting one would only make the next read of that byte fill it again.
 */
function takeSpare(bytes: number, prefer = -1): Uint8Array | null {
  let best = -1;
  let bestHeld = 0;
  let otherwise = true;
  for (let i = 0; i < spares.length; i++) {
    const s = spares[i]!;
    if (s.buffer.length < bytes) continue;
    const held = s.byte === prefer && prefer >= 0 ? Math.min(s.bytes, bytes) : 0;
    if (s.byte < 0 || s.bytes === 0) otherwise = false;
    if (best < 0 || held > bestHeld || (held === bestHeld && rankBelow(s, spares[best]!))) {
      best = i;
      bestHeld = held;
    }
  }
  lastHeld = null;
  if (best < 0 || (prefer >= 0 && bestHeld === 0 && otherwise && spares.length < SPARES_MAX && spareTotal + bytes <= SPARE_BYTES_MAX)) return null;
  const taken = spares[best]!;
  spares.splice(best, 1);
  spareTotal -= taken.buffer.length;
  lastHeld = taken;
  lent.set(taken.buffer.buffer, { taken, bytes });
  return taken.buffer.subarray(0, bytes);
}

/** Between two spares holding none of the preferred byte: one of unknown content first (no knowledge is lost), then the smaller. */
function rankBelow(a: Spare, b: Spare): boolean {
  const aKnown = a.byte >= 0 && a.bytes > 0;
  const bKnown = b.byte >= 0 && b.bytes > 0;
  return aKnown !== bKnown ? !aKnown : a.buffer.length < b.buffer.length;
}

/**
 * Each spare lent out (by its memory), with what it held and how much of it was lent: bytes past the
 * lent view still hold what they held when it comes back (its holder could not reach them).
 */
const lent = new WeakMap<ArrayBufferLike, { taken: Spare; bytes: number }>();

/** A fresh large buffer (zeroed, as every new one is), which can be given back in turn. */
function newLarge(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  large.add(out.buffer);
  lastHeld = { buffer: out, byte: 0, bytes };
  return out;
}

/**
 * What the buffer the latest allocUnfilled call handed out already holds, to be asked right after
 * that call: `byte` (-1: nothing known) over its first heldBytes() bytes, so a caller that would fill
 * them with that byte need not.
 */
export function heldByte(): number {
  return lastHeld === null ? -1 : lastHeld.byte;
}

export function heldBytes(): number {
  return lastHeld === null ? 0 : lastHeld.bytes;
}

/** A zero-filled buffer of `bytes` bytes that nobody else holds. */
export function allocBytes(bytes: number): Uint8Array {
  if (bytes > POOLED_MAX_BYTES) {
    // Zeroing mapped memory costs a fraction of a fresh buffer (the kernel maps and zeroes each page).
    const out = takeSpare(bytes, 0);
    if (out === null) {
      const fresh = newLarge(bytes);
      lastHeld = null;
      return fresh;
    }
    const zeros = heldByte() === 0 ? Math.min(heldBytes(), bytes) : 0;
    lastHeld = null;
    return zeros === bytes ? out : out.fill(0, zeros);
  }
  return zeroed.carve(bytes);
}

/**
 * A buffer of `bytes` bytes that nobody else holds, like allocBytes, but holding whatever the memory
 * held: only for a caller that writes every byte before anyone reads it (a read that copies each
 * byte in), since leftover bytes would differ from run to run. Zeroing a slab that is then
 * overwritten whole showed in the 4 KiB I/O profile.
 */
export function allocUnfilled(bytes: number, prefer = -1): Uint8Array {
  // A large buffer given back serves as it is (every byte is written); `prefer` is the byte the
  // caller expects to write first, so that one holding it is chosen (heldByte, heldBytes).
  if (bytes > POOLED_MAX_BYTES) return takeSpare(bytes, prefer) ?? newLarge(bytes);
  lastHeld = null;
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
  const byte = data.byteOffset === 0 ? uniformByteOf(data) : -1;
  let known = byte >= 0 ? data.length : 0;
  // The whole lent view given back holding the byte the spare held: the bytes past it still hold it too.
  const loan = lent.get(data.buffer);
  lent.delete(data.buffer);
  if (loan !== undefined && byte >= 0 && byte === loan.taken.byte && data.length === loan.bytes) known = Math.max(known, loan.taken.bytes);
  // Given back twice, a buffer must still be lent once: its older entry goes.
  const again = spares.findIndex((s) => s.buffer.buffer === data.buffer);
  if (again >= 0) {
    spareTotal -= spares[again]!.buffer.length;
    spares.splice(again, 1);
  }
  spares.push({ buffer: whole, byte, bytes: known });
  spareTotal += whole.length;
  // Over the bound, the smallest go first (the largest given back winning, as one spare did).
  while ((spareTotal > SPARE_BYTES_MAX && spares.length > 1) || spares.length > SPARES_MAX) {
    let smallest = 0;
    for (let i = 1; i < spares.length; i++) if (spares[i]!.buffer.length < spares[smallest]!.buffer.length) smallest = i;
    spareTotal -= spares[smallest]!.buffer.length;
    spares.splice(smallest, 1);
  }
}
