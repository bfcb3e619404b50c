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
  return mergeSorted(a, b) ?? [...new Set([...a, ...b])].sort((x, y) => x - y);
}

/**
 * The sorted union of two sets in one pass (unions are made for every piece a failed write or a
 * race widens); null when an input is not strictly increasing, which the general union then handles.
 */
function mergeSorted(a: ByteSet, b: ByteSet): number[] | null {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    const v = x <= y ? x : y;
    if (x === v) i++;
    if (y === v) j++;
    if (out.length > 0 && !(out[out.length - 1]! < v)) return null;
    out.push(v);
  }
  return out;
}

export function sameBytes(a: ByteSet, b: ByteSet): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `byte` lies in the set. */
export function admits(set: ByteSet, byte: number): boolean {
  return isAnyByte(set) || set.includes(byte);
}
