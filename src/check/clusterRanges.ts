/*
 * The copy-before-write clusters a step's writes touched, as merged byte ranges in disk order: what
 * a partial disk check compares after each step. Worked out as intervals of cluster indices (sorted,
 * merged, less another side's), never as a set of every cluster sorted anew, which cost a set, a
 * spread and a sort per layer per disk-step. A touched range of no bytes at an unaligned offset
 * still touches its cluster, as the per-cluster walk counted it.
 */
import type { ByteRange } from './DirtyRanges.js';

/** A range one step wrote, and from which side. */
export interface TouchedRange {
  readonly offset: number;
  readonly bytes: number;
  readonly by: 'primary' | 'secondary';
}

/**
 * The clusters (of `clusterBytes`, within a disk of `size` bytes) that the touched ranges by `only`
 * (undefined: by anyone) overlap, except those that ranges by `except` overlap, merged where they
 * touch, the last cluster cut at the disk's end.
 */
export function clusterRanges(touched: readonly TouchedRange[], size: number, clusterBytes: number, only?: TouchedRange['by'], except?: TouchedRange['by']): ByteRange[] {
  const kept = mergedClusters(touched, size, clusterBytes, only);
  const removed = except === undefined ? [] : mergedClusters(touched, size, clusterBytes, except);
  const out: ByteRange[] = [];
  let j = 0;
  for (let i = 0; i < kept.length; i += 2) {
    let start = kept[i]!;
    const end = kept[i + 1]!;
    while (j < removed.length && removed[j + 1]! <= start) j += 2;
    for (let k = j; k < removed.length && removed[k]! < end; k += 2) {
      if (removed[k]! > start) out.push(byteRange(start, removed[k]!, size, clusterBytes));
      start = Math.max(start, removed[k + 1]!);
    }
    if (start < end) out.push(byteRange(start, end, size, clusterBytes));
  }
  return out;
}

/** [start, end) pairs of cluster indices, flattened, sorted and merged where they overlap or touch. */
function mergedClusters(touched: readonly TouchedRange[], size: number, clusterBytes: number, by: TouchedRange['by'] | undefined): number[] {
  const spans: number[] = [];
  for (const t of touched) {
    if (by !== undefined && t.by !== by) continue;
    const first = Math.floor(t.offset / clusterBytes);
    // The clusters c with c * clusterBytes below the range's end (within the disk), from the first on.
    const end = Math.ceil(Math.min(size, t.offset + t.bytes) / clusterBytes);
    if (end > first) spans.push(first, end);
  }
  // Insertion sort of the pairs by start: a step touches a handful of ranges.
  for (let i = 2; i < spans.length; i += 2) {
    const s = spans[i]!;
    const e = spans[i + 1]!;
    let k = i;
    while (k > 0 && spans[k - 2]! > s) {
      spans[k] = spans[k - 2]!;
      spans[k + 1] = spans[k - 1]!;
      k -= 2;
    }
    spans[k] = s;
    spans[k + 1] = e;
  }
  let w = 0;
  for (let i = 0; i < spans.length; i += 2) {
    if (w > 0 && spans[i]! <= spans[w - 1]!) spans[w - 1] = Math.max(spans[w - 1]!, spans[i + 1]!);
    else {
      spans[w] = spans[i]!;
      spans[w + 1] = spans[i + 1]!;
      w += 2;
    }
  }
  spans.length = w;
  return spans;
}

function byteRange(start: number, end: number, size: number, clusterBytes: number): ByteRange {
  const offset = start * clusterBytes;
  return { offset, bytes: Math.min(end * clusterBytes, size) - offset };
}
