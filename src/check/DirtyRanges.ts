/*
 * Where a disk can differ from its initial pattern: what the data model holds other than the
 * pattern (P and S), everything it holds in A, H and a commit's window, and what the engine's own
 * stores wrote or allocated. Outside these ranges both sides read the pattern, so comparisons skip
 * them: the cost follows the data written, not the disk (a 1 TiB disk with 1 MiB written compares
 * about 1 MiB); a race compares only what it can have changed (raceRanges). Ranges are split into pieces of at most PEEK_BYTES_MAX for bounded peeks.
 */
import { exactly, sameBytes } from '../../models/data/ByteSet.js';
import type { ReplicationData } from '../../models/data/ReplicationData.js';

export interface ByteRange {
  readonly offset: number;
  readonly bytes: number;
}

const SECTOR = 512;
/** The copy-before-write cluster (and the buffers' qcow2 cluster). */
const CLUSTER = 65536;

/** The largest piece peeked at once (the checker's scratch buffer never grows beyond it). */
export const PEEK_BYTES_MAX = 1 << 20;

/** Merged, sector-aligned ranges where the models or the engine's layers may hold anything but `pattern`. */
export function dirtyRanges(models: readonly ReplicationData[], pattern: number, engine: readonly ByteRange[]): ByteRange[] {
  const initial = exactly(pattern);
  // Peeks take whole sectors; the model's runs start wherever a guest write did.
  const marks = new Marks(SECTOR);
  for (const data of models) {
    for (const layer of [data.primary, data.secondary]) for (const run of layer.intervals()) if (!sameBytes(run.value, initial)) marks.add(run.start, run.end);
    const buffers = [data.active, data.hidden, ...(data.commit ? [data.commit.candidates, data.commit.racing] : [])];
    for (const layer of buffers) for (const run of layer.intervals()) marks.add(run.start, run.end);
  }
  for (const r of engine) marks.add(r.offset, r.offset + r.bytes);
  return marks.merged();
}

/**
 * Where a race can have changed anything: what it wrote (whole clusters, as copy-before-write and
 * allocation work in them), and what the buffers and a commit held before or after it (make_empty
 * and the commit move only those). P and S elsewhere cannot have moved.
 */
export function raceRanges(models: readonly ReplicationData[], touched: readonly ByteRange[]): ByteRange[] {
  const marks = new Marks(SECTOR);
  for (const data of models) {
    const buffers = [data.active, data.hidden, ...(data.commit ? [data.commit.candidates, data.commit.racing] : [])];
    for (const layer of buffers) for (const run of layer.intervals()) marks.add(run.start, run.end);
  }
  for (const r of touched) marks.add(Math.floor(r.offset / CLUSTER) * CLUSTER, Math.ceil((r.offset + r.bytes) / CLUSTER) * CLUSTER);
  return marks.merged();
}

/** Ranges marked in any order, widened to whole units, then merged where they overlap or touch. */
class Marks {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly unit: number) {}

  add(start: number, end: number): void {
    const from = Math.floor(start / this.unit) * this.unit;
    const to = Math.ceil(end / this.unit) * this.unit;
    if (to <= from) return;
    this.starts.push(from);
    this.ends.push(to);
  }

  merged(): ByteRange[] {
    const order = this.starts.map((_, i) => i).sort((a, b) => this.starts[a]! - this.starts[b]!);
    const out: { offset: number; bytes: number }[] = [];
    for (const i of order) {
      const last = out[out.length - 1];
      if (last && this.starts[i]! <= last.offset + last.bytes) last.bytes = Math.max(last.bytes, this.ends[i]! - last.offset);
      else out.push({ offset: this.starts[i]!, bytes: this.ends[i]! - this.starts[i]! });
    }
    return out;
  }
}

/** The ranges cut into pieces of at most PEEK_BYTES_MAX, in order (the ranges themselves when none is longer). */
export function peekPieces(ranges: readonly ByteRange[]): readonly ByteRange[] {
  let i = 0;
  while (i < ranges.length && ranges[i]!.bytes <= PEEK_BYTES_MAX) i++;
  if (i === ranges.length) return ranges;
  const out: ByteRange[] = [];
  for (const r of ranges) {
    for (let at = r.offset; at < r.offset + r.bytes; at += PEEK_BYTES_MAX) out.push({ offset: at, bytes: Math.min(PEEK_BYTES_MAX, r.offset + r.bytes - at) });
  }
  return out;
}

/** The ranges clipped to [0, size). */
export function clip(ranges: readonly ByteRange[], size: number): ByteRange[] {
  return ranges.filter((r) => r.offset < size).map((r) => ({ offset: r.offset, bytes: Math.min(r.bytes, size - r.offset) }));
}
