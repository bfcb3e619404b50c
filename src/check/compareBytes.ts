/*
 * Compares bytes read from the engine with what the data model allows: runs of sectors, each with a
 * set of possible byte values (all 256: any byte). Returns the first byte that is not allowed, or null.
 */
import { isAnyByte } from '../../models/data/ByteSet.js';
import type { ExpectedRun } from '../../models/data/ReplicationData.js';
import { indexOfOther } from '../util/bytes.js';

export interface ByteMismatch {
  /** Disk offset of the first byte that is not allowed. */
  readonly offset: number;
  readonly actual: number;
  readonly allowed: readonly number[];
}

/** `actual` holds the bytes of [offset, offset + actual.length); `runs` cover the same range. */
export function firstMismatch(actual: Uint8Array, offset: number, runs: readonly ExpectedRun[]): ByteMismatch | null {
  for (const run of runs) {
    const from = run.offset - offset;
    const to = from + run.length;
    const i = run.values.length === 1 ? firstNot(actual, from, to, run.values[0]!) : isAnyByte(run.values) ? to : firstDisallowed(actual, from, to, run.values);
    if (i < to) return { offset: offset + i, actual: actual[i]!, allowed: run.values };
  }
  return null;
}

/** The first byte in [from, to) that is not `value`: a short look first, the word scan (which allocates a view) only for long runs. */
export function firstOther(actual: Uint8Array, from: number, to: number, value: number): number {
  const stop = Math.min(to, from + 32);
  let i = from;
  while (i < stop && actual[i] === value) i++;
  return i < stop || i === to ? i : indexOfOther(actual, i, to, value);
}

/** Bytes compared at once by firstNot, and the size of each value's filled buffer. */
const FILLED_BYTES = 16384;
/** One buffer per byte value, filled with it, made when first needed. */
const filled: (Buffer | undefined)[] = new Array(256);

/**
 * The first byte in [from, to) that is not `value`, for runs that are expected to hold it whole (a
 * comparison with the model): one memcmp per 16 KiB against a filled buffer, and the index looked
 * for only in a piece that differs. Short runs are looked at byte by byte.
 */
export function firstNot(actual: Uint8Array, from: number, to: number, value: number): number {
  if (to - from <= 64) return firstOther(actual, from, to, value);
  let fill = filled[value];
  if (fill === undefined) filled[value] = fill = Buffer.alloc(FILLED_BYTES, value);
  for (let at = from; at < to; at += FILLED_BYTES) {
    const n = Math.min(FILLED_BYTES, to - at);
    // fill.compare(target, targetStart, targetEnd, sourceStart, sourceEnd): 0 when the bytes are all `value`.
    if (fill.compare(actual, at, at + n, 0, n) !== 0) return indexOfOther(actual, at, at + n, value);
  }
  return to;
}

/** The first byte in [from, to) outside `values`, checked once per run of equal bytes. */
export function firstDisallowed(actual: Uint8Array, from: number, to: number, values: readonly number[]): number {
  const allowed = allowedTable(values);
  for (let i = from; i < to; ) {
    const b = actual[i]!;
    if (allowed[b] === 0) return i;
    i = firstOther(actual, i + 1, to, b);
  }
  return to;
}

/** A 256-entry table: 1 where the byte is allowed (one table, rebuilt only for another set). */
const table = new Uint8Array(256);
let tableFor: readonly number[] | null = null;
function allowedTable(values: readonly number[]): Uint8Array {
  if (tableFor === values) return table;
  table.fill(0);
  for (const v of values) table[v] = 1;
  tableFor = values;
  return table;
}

/** Per-byte union of two expectations over the same range (either state may be what a reader saw). */
export function unionRuns(a: readonly ExpectedRun[], b: readonly ExpectedRun[]): ExpectedRun[] {
  const cuts = new Set<number>();
  for (const r of [...a, ...b]) {
    cuts.add(r.offset);
    cuts.add(r.offset + r.length);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out: ExpectedRun[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const values = new Set<number>([...valuesAt(a, start), ...valuesAt(b, start)]);
    out.push({ offset: start, length: points[i + 1]! - start, values: [...values].sort((x, y) => x - y) });
  }
  return out;
}

function valuesAt(runs: readonly ExpectedRun[], offset: number): readonly number[] {
  return runs.find((r) => r.offset <= offset && offset < r.offset + r.length)?.values ?? [];
}

export function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}
