/*
 * Compares bytes read from the engine with what the data model allows: runs of sectors, each with a
 * set of possible byte values. Returns the first byte that is not allowed, or null.
 */
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
    if (run.values.length === 1) {
      const i = indexOfOther(actual, from, to, run.values[0]!);
      if (i < to) return { offset: offset + i, actual: actual[i]!, allowed: run.values };
    } else {
      for (let i = from; i < to; i++) {
        if (!run.values.includes(actual[i]!)) return { offset: offset + i, actual: actual[i]!, allowed: run.values };
      }
    }
  }
  return null;
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
