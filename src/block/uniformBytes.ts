/*
 * Buffers known to hold one byte value throughout, so that nobody scans them to find that out: a
 * scenario's pattern write (filled with its pattern), a store's read of chunks that all read as one
 * byte (a 64 MiB read of a fill-pattern image). SectorStore.write then stores such data as uniform
 * chunks without comparing its bytes, and a read's run-length encoding is one run; scanning 32-64 MiB
 * to learn what the code that filled them already knew was a third of a peer scenario's time.
 * A mark belongs to one view object (a subarray of it is a new view, unmarked), and is true only
 * while nobody writes into the view: it is set by the code that just filled the view, before anyone
 * else holds it, and request data is never written into by the nodes it passes (a write's data is
 * copied into stores or handed on; a read's answer is copied out or handed up). A view whose memory
 * is handed out again (recycleBytes) is dead to its old holders; its new holders get a new view.
 */

/**
 * Views shorter than this are neither marked nor looked up: scanning them costs about what the
 * lookup does, and the many small requests of a fuzz campaign should pay for neither.
 */
export const MARK_MIN_BYTES = 65536;

const marks = new WeakMap<Uint8Array, number>();

/** Record that every byte of `view` is `byte` (if it is long enough to be marked); returns the view. */
export function markUniform(view: Uint8Array, byte: number): Uint8Array {
  if (view.length >= MARK_MIN_BYTES) marks.set(view, byte);
  return view;
}

/** Forget what `view` was marked as (its holder is about to write into it). */
export function unmark(view: Uint8Array): void {
  if (view.length >= MARK_MIN_BYTES) marks.delete(view);
}

/** The byte every byte of `view` is known to be, or -1 when nothing is known (it may still be uniform). */
export function uniformByteOf(view: Uint8Array): number {
  return view.length < MARK_MIN_BYTES ? -1 : (marks.get(view) ?? -1);
}
