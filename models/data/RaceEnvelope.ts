/*
 * What a disk may hold after operations whose order the trace cannot pin down (a control step in
 * flight with guest I/O, primary and secondary I/O without copy-before-write between them, a write
 * that raced a stage change, a buffer disk half emptied). Every path in this stack moves bytes
 * without moving them in the disk (copy-before-write, allocation fills, the commit, make_empty), so
 * whatever order ran, each byte of each layer holds a value some layer had at that offset before or
 * after the race, or a value written during it. The envelope is that union, per byte range: it
 * contains every order's result (sound), and it is no wider than the values present at that offset
 * (so it still rejects bytes from another offset, another disk, or no write at all).
 * One value comes from nowhere: a write allocating a cluster in A or H while make_empty empties
 * that image links a cluster whose bytes the write did not cover to an emptied store, where they
 * read as zeros (qcow2's make_completely_empty resets the image under the write; COLO never
 * checkpoints with I/O in flight, so nothing defines better), hence 0x00 when the race emptied a buffer.
 * Limit: it does not pair layers (a race that left A and S each with an admissible but jointly
 * impossible value passes); the sets are narrowed to what the engine holds right after (Observation.ts).
 */
import { type ByteSet, unionBytes } from './ByteSet.js';
import type { IntervalMap } from './IntervalMap.js';
import { type ReplicationData, emptyDisk, unionOver } from './ReplicationData.js';

/**
 * The values any of S, A, H (and a commit's candidates) may hold over [start, end) after the race;
 * `buffersEmptied`: a checkpoint (or start's) make_empty was part of it.
 */
export function secondaryEnvelope(before: ReplicationData, after: ReplicationData, start: number, end: number, written: ByteSet, buffersEmptied = false): IntervalMap<ByteSet> {
  const layers = [before, after].flatMap((d) => [d.secondary, d.active, d.hidden, ...(d.commit ? [d.commit.candidates, d.commit.racing] : [])]);
  return envelope(layers, start, end, buffersEmptied ? unionBytes(written, [0]) : written);
}

/** The values the primary disk may hold over [start, end): its own before or after, or a primary write of the race. */
export function primaryEnvelope(before: ReplicationData, after: ReplicationData, start: number, end: number, written: ByteSet): IntervalMap<ByteSet> {
  return envelope([before.primary, after.primary], start, end, written);
}

function envelope(layers: readonly IntervalMap<ByteSet>[], start: number, end: number, written: ByteSet): IntervalMap<ByteSet> {
  let out = emptyDisk().set(start, end, written);
  for (const layer of layers) {
    for (const piece of layer.slice(start, end)) out = unionOver(out, piece.start, piece.end, piece.value);
  }
  return out;
}

/**
 * Whether copy-before-write keeps a primary write to [offset, offset + length) out of the
 * secondary's view, so it commutes with secondary I/O: only while replication runs with its backup
 * job, and not over a cluster an earlier race left maybe copied (its copy may have been emptied).
 */
export function copyBeforeWriteIsolates(data: ReplicationData, offset: number, length: number): boolean {
  if (data.stage !== 'running' || !data.backupJob) return false;
  return !data.copied.slice(offset, offset + length).some((c) => c.value === 'maybe');
}
