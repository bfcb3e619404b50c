/*
 * Scanning byte buffers fast: the first index in [from, to) whose byte is not `value`. A few bytes
 * are looked at one by one (most scans of differing data stop there); longer runs are compared in
 * growing chunks against a buffer filled with `value` by Buffer#compare (memcmp, about ten times a
 * word loop), and only the chunk that differs is scanned for the index. Run-length encoding and byte
 * comparisons in checkers both spend most of their time here.
 */

/** The largest chunk compared at once, and the size of each value's filled buffer. */
const CHUNK_BYTES_MAX = 1 << 16;
/** Bytes looked at one by one before chunks are compared. */
const SHORT_LOOK_BYTES = 16;
const CHUNK_BYTES_MIN = 256;

/** One buffer per byte value, filled with it, made when first needed. */
const filled: (Buffer | undefined)[] = new Array(256);

function filledWith(value: number): Buffer {
  let buffer = filled[value];
  if (buffer === undefined) {
    buffer = Buffer.alloc(CHUNK_BYTES_MAX, value);
    filled[value] = buffer;
  }
  return buffer;
}

export function indexOfOther(bytes: Uint8Array, from: number, to: number, value: number): number {
  const stop = Math.min(to, from + SHORT_LOOK_BYTES);
  let j = from;
  while (j < stop && bytes[j] === value) j++;
  if (j < stop || j === to) return j;
  const fill = filledWith(value);
  let chunk = CHUNK_BYTES_MIN;
  while (j < to) {
    const n = Math.min(chunk, to - j);
    // fill.compare(target, targetStart, targetEnd, sourceStart, sourceEnd): 0 when the bytes are all `value`.
    if (fill.compare(bytes, j, j + n, 0, n) !== 0) return scanWords(bytes, j, j + n, value);
    j += n;
    if (chunk < CHUNK_BYTES_MAX) chunk *= 4;
  }
  return to;
}

/** The first index in [from, to) whose byte is not `value`, comparing 32-bit words where aligned. */
function scanWords(bytes: Uint8Array, from: number, to: number, value: number): number {
  let j = from;
  while (j < to && (bytes.byteOffset + j) % 4 !== 0) {
    if (bytes[j] !== value) return j;
    j++;
  }
  const words = Math.floor((to - j) / 4);
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + j, words);
    const word = (value * 0x01010101) >>> 0;
    let w = 0;
    while (w < words && view[w] === word) w++;
    j += w * 4;
  }
  while (j < to && bytes[j] === value) j++;
  return j;
}
