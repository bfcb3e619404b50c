/*
 * The content a sector may hold: a sorted set of byte values. One value is an exact expectation;
 * several mean "any one of these" (a write that failed half-way, a commit that may or may not have
 * reached the sector); ANY_BYTE, all 256, stands for bytes QEMU leaves undefined (a failed padding
 * read). The set does not relate neighbouring sectors: each sector is judged alone.
 */

export type ByteSet = readonly number[];

/** Every byte value: what a byte QEMU leaves undefined may hold. */
export const ANY_BYTE: ByteSet = Object.freeze(Array.from({ length: 256 }, (_, i) => i));

export function exactly(byte: number): ByteSet {
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new RangeError(`not a byte: ${byte}`);
  return [byte];
}

export function isAnyByte(set: ByteSet): boolean {
  return set.length === 256;
}

export function unionBytes(a: ByteSet, b: ByteSet): ByteSet {
  if (sameBytes(a, b)) return a;
  if (isAnyByte(a) || isAnyByte(b)) return ANY_BYTE;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export function sameBytes(a: ByteSet, b: ByteSet): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}

/** Whether `byte` lies in the set. */
export function admits(set: ByteSet, byte: number): boolean {
  return isAnyByte(set) || set.includes(byte);
}
