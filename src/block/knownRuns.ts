/*
 * Buffers whose bytes are known as runs of one byte each, so that nobody scans them to find that
 * out: a scenario's pattern write (one run, its pattern), a read of chunks and clusters that hold no
 * slab data (unwritten, zeroed or written whole with one byte: a 64 MiB read of a fill-pattern
 * image, a 4 MiB read of a pattern write over a fill). SectorStore.write then stores one-byte data
 * as uniform chunks without comparing its bytes, and a read's run-length encoding is the runs known;
 * scanning 32-64 MiB to learn what the code that filled them already knew was a third of a peer
 * scenario's time. A mark belongs to one view object (a subarray of it is a new view, unmarked),
 * and is true only while nobody writes into the view: it is set by the code that just filled the
 * view, before anyone else holds it, and request data is never written into by the nodes it passes
 * (a write's data is copied into stores or handed on; a read's answer is copied out or handed up).
 * A view whose memory is handed out again (recycleBytes) is dead to its old holders; its new
 * holders get a new view.
 */

/** [byte, count] pairs in order, adjacent pairs of different bytes, the counts summing to the view's length. */
export type ByteRuns = [number, number][];

/**
 * Views shorter than this are neither marked nor looked up: scanning them costs about what the
 * lookup does, and the many small requests of a fuzz campaign should pay for neither.
 */
export const MARK_MIN_BYTES = 65536;

const marks = new WeakMap<Uint8Array, ByteRuns>();

/** Record that `view` holds `runs` (if it is long enough to be marked); returns the view. */
export function markRuns(view: Uint8Array, runs: ByteRuns): Uint8Array {
  if (view.length >= MARK_MIN_BYTES) marks.set(view, runs);
  return view;
}

/** Record that every byte of `view` is `byte`; returns the view. */
export function markUniform(view: Uint8Array, byte: number): Uint8Array {
  return view.length >= MARK_MIN_BYTES ? markRuns(view, [[byte, view.length]]) : view;
}

/** The runs `view` is known to hold, or undefined. Not to be changed: a copy goes into results. */
export function runsOf(view: Uint8Array): readonly (readonly [number, number])[] | undefined {
  return view.length < MARK_MIN_BYTES ? undefined : marks.get(view);
}

/** The byte every byte of `view` is known to be, or -1 when nothing is known (it may still be uniform). */
export function uniformByteOf(view: Uint8Array): number {
  const runs = runsOf(view);
  return runs !== undefined && runs.length === 1 ? runs[0]![0] : -1;
}

/** Append `count` bytes of `byte` to `runs`, merged with its last run when that has the same byte. */
export function appendRun(runs: ByteRuns, byte: number, count: number): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && last[0] === byte) last[1] += count;
  else runs.push([byte, count]);
}
