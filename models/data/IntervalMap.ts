/*
 * A persistent map from half-open byte ranges [start, end) to values: sorted, non-overlapping
 * intervals where neighbours with equal values are merged. Every update returns a new map and
 * shares nothing mutable, so a snapshot of a disk is just a reference. Sized by the number of
 * distinct runs, not by the disk (a 64 GiB disk written twice holds a handful of intervals).
 */

export interface Interval<T> {
  readonly start: number;
  readonly end: number;
  readonly value: T;
}

export class IntervalMap<T> {
  private constructor(
    private readonly runs: readonly Interval<T>[],
    private readonly equals: (a: T, b: T) => boolean,
  ) {}

  static empty<T>(equals: (a: T, b: T) => boolean = Object.is): IntervalMap<T> {
    return new IntervalMap<T>([], equals);
  }

  /** All intervals, in order. */
  intervals(): readonly Interval<T>[] {
    return this.runs;
  }

  isEmpty(): boolean {
    return this.runs.length === 0;
  }

  /** The value at one byte offset, or undefined where the map has none. */
  get(offset: number): T | undefined {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const run = this.runs[mid]!;
      if (offset < run.start) hi = mid;
      else if (offset >= run.end) lo = mid + 1;
      else return run.value;
    }
    return undefined;
  }

  /** The intervals overlapping [start, end), clipped to it; gaps are left out. */
  slice(start: number, end: number): Interval<T>[] {
    const out: Interval<T>[] = [];
    const runs = this.runs;
    for (let i = this.firstEndingAfter(start); i < runs.length; i++) {
      const run = runs[i]!;
      if (run.start >= end) break;
      out.push({ start: Math.max(run.start, start), end: Math.min(run.end, end), value: run.value });
    }
    return out;
  }

  /** Index of the first interval that ends after `offset` (binary search: maps of races hold many runs). */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runs[mid]!.end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** [start, end) split into pieces, each either inside one interval (with its value) or in a gap (undefined). */
  cover(start: number, end: number): { start: number; end: number; value: T | undefined }[] {
    const out: { start: number; end: number; value: T | undefined }[] = [];
    let at = start;
    for (const run of this.slice(start, end)) {
      if (run.start > at) out.push({ start: at, end: run.start, value: undefined });
      out.push(run);
      at = run.end;
    }
    if (at < end) out.push({ start: at, end, value: undefined });
    return out;
  }

  set(start: number, end: number, value: T): IntervalMap<T> {
    return this.replace(start, end, [{ start, end, value }]);
  }

  delete(start: number, end: number): IntervalMap<T> {
    return this.replace(start, end, []);
  }

  /** Rewrite every piece of [start, end) (gaps included) with `fn`; undefined leaves a gap. */
  update(start: number, end: number, fn: (value: T | undefined) => T | undefined): IntervalMap<T> {
    const pieces: Interval<T>[] = [];
    for (const piece of this.cover(start, end)) {
      const value = fn(piece.value);
      if (value !== undefined) pieces.push({ start: piece.start, end: piece.end, value });
    }
    return this.replace(start, end, pieces);
  }

  /** Replace [start, end) with `pieces` (sorted, inside the range), merging equal neighbours. */
  replace(start: number, end: number, pieces: readonly Interval<T>[]): IntervalMap<T> {
    if (!(start < end)) return this;
    const runs = this.runs;
    const eq = this.equals;
    let i = this.firstEndingAfter(start);
    // The runs before and after the rewritten range are merged already: they are copied as they are.
    const out: Interval<T>[] = runs.slice(0, i);
    if (i < runs.length && runs[i]!.start < start) pushMerged(out, { ...runs[i]!, end: start }, eq);
    for (const piece of pieces) pushMerged(out, piece, eq);
    while (i < runs.length && runs[i]!.end <= end) i++;
    if (i < runs.length && runs[i]!.start < end) pushMerged(out, { ...runs[i]!, start: end }, eq);
    else if (i < runs.length) pushMerged(out, runs[i]!, eq);
    for (i++; i < runs.length; i++) out.push(runs[i]!);
    return new IntervalMap(out, eq);
  }
}

/** Append `run`, merged into the last interval when they touch and hold equal values. */
function pushMerged<T>(out: Interval<T>[], run: Interval<T>, equals: (a: T, b: T) => boolean): void {
  const last = out[out.length - 1];
  if (last && last.end === run.start && equals(last.value, run.value)) out[out.length - 1] = { start: last.start, end: run.end, value: last.value };
  else out.push(run);
}
