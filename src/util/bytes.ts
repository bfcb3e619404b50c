/*
 * Scanning byte buffers fast: the first index in [from, to) whose byte is not `value`, comparing
 * 32-bit words where the buffer allows it. Run-length encoding and byte comparisons in checkers both
 * spend most of their time here.
 */

export function indexOfOther(bytes: Uint8Array, from: number, to: number, value: number): number {
  // Most scans of differing data stop at once: skip making the word view for them.
  if (from < to && bytes[from] !== value) return from;
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
