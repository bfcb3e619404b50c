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
    const runs = this.runs;
    let at = start;
    for (let i = this.firstEndingAfter(start); i < runs.length; i++) {
      const run = runs[i]!;
      if (run.start >= end) break;
      if (run.start > at) out.push({ start: at, end: run.start, value: undefined });
      at = run.end < end ? run.end : end;
      out.push({ start: run.start > start ? run.start : start, end: at, value: run.value });
    }
    if (at < end) out.push({ start: at, end, value: undefined });
    return out;
  }

  set(start: number, end: number, value: T): IntervalMap<T> {
    if (!(start < end)) return this;
    // Setting into an empty map (a fresh buffer disk, a new candidate or envelope map) is the common case.
    if (this.runs.length === 0) return new IntervalMap([{ start, end, value }], this.equals);
    const out = this.head(start);
    pushMerged(out, { start, end, value }, this.equals);
    return this.withTail(out, end);
  }

  delete(start: number, end: number): IntervalMap<T> {
    if (!(start < end)) return this;
    return this.withTail(this.head(start), end);
  }

  /** Rewrite every piece of [start, end) (gaps included) with `fn`; undefined leaves a gap. */
  update(start: number, end: number, fn: (value: T | undefined) => T | undefined): IntervalMap<T> {
    if (!(start < end)) return this;
    const runs = this.runs;
    const eq = this.equals;
    const out = this.head(start);
    // The pieces of cover(start, end), rewritten in order straight into the new runs.
    let at = start;
    for (let i = this.firstEndingAfter(start); i < runs.length; i++) {
      const run = runs[i]!;
      if (run.start >= end) break;
      if (run.start > at) pushPiece(out, at, run.start, fn(undefined), eq);
      const from = run.start > start ? run.start : start;
      at = run.end < end ? run.end : end;
      pushPiece(out, from, at, fn(run.value), eq);
    }
    if (at < end) pushPiece(out, at, end, fn(undefined), eq);
    return this.withTail(out, end);
  }

  /** Replace [start, end) with `pieces` (sorted, inside the range), merging equal neighbours. */
  replace(start: number, end: number, pieces: readonly Interval<T>[]): IntervalMap<T> {
    if (!(start < end)) return this;
    const out = this.head(start);
    for (const piece of pieces) pushMerged(out, piece, this.equals);
    return this.withTail(out, end);
  }

  /** The runs before `start`, with the part before `start` of a run that crosses it. */
  private head(start: number): Interval<T>[] {
    const runs = this.runs;
    const i = this.firstEndingAfter(start);
    // The runs before the rewritten range are merged already: they are copied as they are.
    const out: Interval<T>[] = runs.slice(0, i);
    if (i < runs.length) {
      const run = runs[i]!;
      if (run.start < start) pushMerged(out, { start: run.start, end: start, value: run.value }, this.equals);
    }
    return out;
  }

  /** `out` (everything before `end`) followed by the runs after `end`, as a new map. */
  private withTail(out: Interval<T>[], end: number): IntervalMap<T> {
    const runs = this.runs;
    let i = this.firstEndingAfter(end);
    if (i < runs.length) {
      const run = runs[i]!;
      if (run.start < end) pushMerged(out, { start: end, end: run.end, value: run.value }, this.equals);
      else pushMerged(out, run, this.equals);
      for (i++; i < runs.length; i++) out.push(runs[i]!);
    }
    return new IntervalMap(out, this.equals);
  }
}

/** Append the piece [start, end) holding `value` (none: a gap), merged into the last interval when they touch and hold equal values. */
function pushPiece<T>(out: Interval<T>[], start: number, end: number, value: T | undefined, equals: (a: T, b: T) => boolean): void {
  if (value !== undefined) pushMerged(out, { start, end, value }, equals);
}

/** Append `run`, merged into the last interval when they touch and hold equal values. */
function pushMerged<T>(out: Interval<T>[], run: Interval<T>, equals: (a: T, b: T) => boolean): void {
  const last = out[out.length - 1];
  if (last && last.end === run.start && equals(last.value, run.value)) out[out.length - 1] = { start: last.start, end: run.end, value: last.value };
  else out.push(run);
}
