/*
 * The content a sector may hold: a sorted set of byte values. One value is an exact expectation;
 * several mean "any one of these" (a write that failed half-way, a commit that may or may not have
 * reached the sector). The set does not relate neighbouring sectors: each sector is judged alone.
 */

export type ByteSet = readonly number[];

export function exactly(byte: number): ByteSet {
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new RangeError(`not a byte: ${byte}`);
  return [byte];
}

export function unionBytes(a: ByteSet, b: ByteSet): ByteSet {
  if (sameBytes(a, b)) return a;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export function sameBytes(a: ByteSet, b: ByteSet): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
