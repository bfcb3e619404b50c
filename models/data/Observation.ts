/*
 * Narrowing by observation, as Jepsen resolves an indeterminate operation once a later read shows
 * its effect: where the model admits several values (a failed write, undefined padding bytes, the
 * result of a race), the bytes the engine was seen to hold, once checked to lie in the set, become
 * the model's exact content. Only wide pieces are narrowed (and only where the bytes form a few
 * runs: PRNG padding stays "any byte" until overwritten), except after a race, where the buffer
 * disks' allocation is taken from the engine too (which clusters of A and H a race allocated is
 * not a byte the envelope can express). Nothing here decides what is admissible.
 */
import { indexOfOther } from '../../src/util/bytes.js';
import { ANY_BYTE, type ByteSet, exactly } from './ByteSet.js';
import type { Interval, IntervalMap } from './IntervalMap.js';
import { type CopyState, type ReplicationData, allocatedAboveBase, unionOver, viewOf } from './ReplicationData.js';

/** Bytes the engine holds from `offset` (bytes[i] is at offset + i). */
export interface Observed {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** The wide pieces of P or S inside the observed range take the observed bytes. */
export function narrowDisk(data: ReplicationData, layer: 'primary' | 'secondary', seen: Observed): ReplicationData {
  return { ...data, [layer]: narrowLayer(data[layer], seen) };
}

/** The wide pieces of A's allocated clusters (which the secondary's view shows) take the bytes the view showed. */
export function narrowActive(data: ReplicationData, seen: Observed): ReplicationData {
  if (data.stage === 'promoted') return data;
  return { ...data, active: narrowLayer(data.active, seen) };
}

/**
 * After a race: P and S over [start, end) are what the engine holds; A and H are the engine's
 * allocated runs there (with their bytes).
 */
export function adoptRace(
  data: ReplicationData,
  start: number,
  end: number,
  seen: { primary?: Observed; secondary?: Observed; active?: readonly Observed[]; hidden?: readonly Observed[] },
): ReplicationData {
  let next = data;
  if (seen.primary) next = { ...next, primary: setExact(next.primary, seen.primary) };
  if (seen.secondary) next = { ...next, secondary: setExact(next.secondary, seen.secondary) };
  if (seen.active) next = { ...next, active: seen.active.reduce(setExact, next.active.delete(start, end)) };
  if (seen.hidden) next = { ...next, hidden: seen.hidden.reduce(setExact, next.hidden.delete(start, end)) };
  return next.commit ? { ...next, commit: { ...next.commit, candidates: withView(next, next.commit.candidates, start, end) } } : next;
}

/**
 * After a race, the copy state of the cluster [start, end) from the backup job's bitmap: one the
 * job took off it counts as maybe copied (a copy into H may have been emptied by the racing
 * checkpoint, or may still be under way: only the job's report decides), an armed one as not copied.
 */
export function adoptCopyState(data: ReplicationData, start: number, end: number, taken: boolean): ReplicationData {
  const copied: IntervalMap<CopyState> = taken && data.backupJob ? data.copied.set(start, end, 'maybe') : data.copied.delete(start, end);
  return { ...data, copied };
}

/** A running commit may copy what the adopted buffers now show into S. */
function withView(data: ReplicationData, candidates: IntervalMap<ByteSet>, start: number, end: number): IntervalMap<ByteSet> {
  let out = candidates;
  for (const run of allocatedAboveBase(data).slice(start, end)) {
    for (const piece of viewOf(data, run.start, run.end)) out = unionOver(out, piece.start, piece.end, piece.value);
  }
  return out;
}

function narrowLayer(layer: IntervalMap<ByteSet>, seen: Observed): IntervalMap<ByteSet> {
  const end = seen.offset + seen.bytes.length;
  let out = layer;
  for (const piece of layer.slice(seen.offset, end)) {
    if (piece.value.length <= 1) continue;
    const bytes = seen.bytes.subarray(piece.start - seen.offset, piece.end - seen.offset);
    if (runCount(bytes, NARROW_RUNS_MAX) <= NARROW_RUNS_MAX) out = setExact(out, { offset: piece.start, bytes });
  }
  return out;
}

/**
 * The observed bytes as exact runs over their range, in one rewrite of the map; a sector with more
 * than SECTOR_RUNS_MAX runs (PRNG padding) becomes "any byte" instead, so garbage never turns the
 * map into thousands of one-byte runs that every later update would copy.
 */
function setExact(layer: IntervalMap<ByteSet>, seen: Observed): IntervalMap<ByteSet> {
  const pieces: Interval<ByteSet>[] = [];
  const { bytes } = seen;
  for (let s = 0; s < bytes.length; ) {
    const end = Math.min(s + SECTOR, bytes.length);
    // Whole sectors of one byte value (most of what a disk holds) become one piece at once; the
    // map merges equal neighbours, so this is the map the sector-by-sector pieces below would give.
    const uniform = uniformEnd(bytes, s);
    if (uniform > s) {
      pieces.push({ start: seen.offset + s, end: seen.offset + uniform, value: exactly(bytes[s]!) });
      s = uniform;
      continue;
    }
    if (runCount(bytes, SECTOR_RUNS_MAX, s, end) > SECTOR_RUNS_MAX) {
      pieces.push({ start: seen.offset + s, end: seen.offset + end, value: ANY_BYTE });
      s = end;
      continue;
    }
    for (let i = s; i < end; ) {
      const j = indexOfOther(bytes, i, end, bytes[i]!);
      pieces.push({ start: seen.offset + i, end: seen.offset + j, value: exactly(bytes[i]!) });
      i = j;
    }
    s = end;
  }
  return layer.replace(seen.offset, seen.offset + bytes.length, pieces);
}

/** The end of the whole sectors from `s` (a sector start) that hold one byte value: `s` when the first does not. */
function uniformEnd(bytes: Uint8Array, s: number): number {
  const j = indexOfOther(bytes, s, bytes.length, bytes[s]!);
  return j === bytes.length ? j : s + Math.floor((j - s) / SECTOR) * SECTOR;
}

const SECTOR = 512;
/** Runs one sector may hold and still be taken exactly (guest data has a few, PRNG padding hundreds). */
export const SECTOR_RUNS_MAX = 16;

/** Runs in the observed bytes: narrowing more pieces than this (PRNG padding) would cost more than it narrows. */
export const NARROW_RUNS_MAX = 16;

/** Runs of equal bytes in [from, to), counted up to just past `max`. */
function runCount(bytes: Uint8Array, max: number, from = 0, to = bytes.length): number {
  let runs = 0;
  for (let i = from; i < to && runs <= max; runs++) i = indexOfOther(bytes, i, to, bytes[i]!);
  return runs;
}
