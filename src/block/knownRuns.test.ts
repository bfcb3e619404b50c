/*
 * knownRuns: the runs a read's answer is marked with are exactly its bytes' runs, and the bytes are
 * exactly what the store holds, also when a large buffer given back already held the byte a read
 * fills it with (the fill is then skipped). Checked against a byte-by-byte model of the disk and a
 * run-length encoding by plain loop, over seeded random writes, zeroes and reads.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/Prng.js';
import { SimEnv } from '../sim/SimEnv.js';
import { recycleBytes } from './buffers.js';
import { MARK_MIN_BYTES, type ByteRuns, appendRun, markRuns, markUniform, runsOf, uniformByteOf } from './knownRuns.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { CHUNK_SIZE, SectorStore } from './SectorStore.js';
import { run } from './testing/simHelpers.js';

const KiB = 1024;

/** Run-length encoding by a plain loop, independent of every shortcut under test. */
function plainRuns(bytes: Uint8Array): ByteRuns {
  const runs: ByteRuns = [];
  for (let i = 0; i < bytes.length; i++) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === bytes[i]) last[1]++;
    else runs.push([bytes[i]!, 1]);
  }
  return runs;
}

/** Byte-for-byte equality (memcmp; vitest's deep equality of megabyte arrays takes seconds). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

describe('knownRuns marks', () => {
  it('merges a run of the last run\'s byte into it', () => {
    const runs: ByteRuns = [];
    appendRun(runs, 5, 10);
    appendRun(runs, 5, 6);
    appendRun(runs, 0, 1);
    expect(runs).toEqual([
      [5, 16],
      [0, 1],
    ]);
  });

  it('marks long views only, and knows one byte only for a single run', () => {
    const long = new Uint8Array(MARK_MIN_BYTES);
    const short = new Uint8Array(MARK_MIN_BYTES - 1);
    markUniform(long, 9);
    markUniform(short, 9);
    expect([uniformByteOf(long), uniformByteOf(short), runsOf(short)]).toEqual([9, -1, undefined]);
    const two = markRuns(new Uint8Array(MARK_MIN_BYTES), [
      [1, 4],
      [2, MARK_MIN_BYTES - 4],
    ]);
    expect([uniformByteOf(two), runsOf(two)?.length]).toEqual([-1, 2]);
    // A subarray is another view, not marked.
    expect(uniformByteOf(long.subarray(0, MARK_MIN_BYTES))).toBe(-1);
  });
});

describe('SectorStore.read marks', () => {
  it('marks a read of unwritten, zeroed and uniform chunks with their runs, and nothing once slab data is in range', () => {
    const store = new SectorStore(1024 * KiB, 0x11);
    expect(runsOf(store.read(0, 256 * KiB))).toEqual([[0x11, 256 * KiB]]);
    store.write(64 * KiB, new Uint8Array(64 * KiB).fill(0x22));
    store.zero(128 * KiB, 8 * KiB);
    expect(runsOf(store.read(0, 256 * KiB))).toEqual([
      [0x11, 64 * KiB],
      [0x22, 64 * KiB],
      [0, 8 * KiB],
      [0x11, 120 * KiB],
    ]);
    store.write(200 * KiB, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, ...new Uint8Array(504)]));
    expect(runsOf(store.read(0, 256 * KiB))).toBeUndefined();
  });

  it('answers what a byte-by-byte model holds, marked exactly, over seeded random writes and reads', () => {
    const size = 1024 * KiB;
    const store = new SectorStore(size, 0x11);
    const model = new Uint8Array(size).fill(0x11);
    const prng = Prng.fromSeed(7).derive('knownRuns');
    let marked = 0;
    for (let step = 0; step < 400; step++) {
      const offset = prng.int(0, size / 512 - 1) * 512;
      const bytes = Math.min(size - offset, prng.int(1, 64) * (prng.int(0, 1) === 0 ? 512 : CHUNK_SIZE));
      const roll = prng.int(0, 9);
      const op = roll < 4 ? 0 : roll < 5 ? 1 : roll < 7 ? 2 : 3;
      if (op === 0) {
        const data = new Uint8Array(bytes).fill(prng.int(0, 3) * 0x11);
        store.write(offset, prng.int(0, 1) === 0 ? markUniform(data, data[0]!) : data);
        model.set(data, offset);
      } else if (op === 1) {
        // Two bytes, changing at a random sector: slab data, unless the change falls at a chunk's edge.
        const data = new Uint8Array(bytes).fill(0x33);
        data.fill(0x34, prng.int(0, bytes / 512 - 1) * 512);
        store.write(offset, data);
        model.set(data, offset);
      } else if (op === 2) {
        store.zero(offset, bytes);
        model.fill(0, offset, offset + bytes);
      } else {
        const at = prng.int(0, (size - MARK_MIN_BYTES) / 512) * 512;
        const length = Math.min(size - at, MARK_MIN_BYTES + prng.int(0, 8) * 64 * KiB);
        const out = store.read(at, length);
        expect(same(out, model.subarray(at, at + length))).toBe(true);
        const runs = runsOf(out);
        if (runs !== undefined) {
          marked++;
          expect(runs).toEqual(plainRuns(out));
        }
        // Given back, its memory (and what it is known to hold) serves a later read.
        recycleBytes(out);
      }
    }
    expect(marked).toBeGreaterThan(5);
  });
});

describe('OverlayNode.doRead marks', () => {
  it('composes the runs of its own clusters and of its backing, and answers the bytes they stand for', async () => {
    const CS = 64 * KiB;
    const env = new SimEnv({ traceLevel: 'off' });
    const raw = new RawNode(env, 'raw', 16 * CS, { fill: 0x11 });
    const hidden = new OverlayNode(env, 'hidden', 16 * CS);
    hidden.attach('backing', raw);
    const active = new OverlayNode(env, 'active', 16 * CS);
    active.attach('backing', hidden);
    await run(env, () => hidden.write(2 * CS, markUniform(new Uint8Array(2 * CS).fill(0x22), 0x22)));
    await run(env, () => active.write(3 * CS, markUniform(new Uint8Array(2 * CS).fill(0x33), 0x33)));
    await run(env, () => active.writeZeroes(6 * CS, CS));
    const model = new Uint8Array(16 * CS).fill(0x11);
    model.fill(0x22, 2 * CS, 4 * CS);
    model.fill(0x33, 3 * CS, 5 * CS);
    model.fill(0, 6 * CS, 7 * CS);
    for (let round = 0; round < 2; round++) {
      const out = await run(env, () => active.read(CS, 12 * CS));
      expect(same(out, model.subarray(CS, 13 * CS))).toBe(true);
      expect(runsOf(out)).toEqual([
        [0x11, CS],
        [0x22, CS],
        [0x33, 2 * CS],
        [0x11, CS],
        [0, CS],
        [0x11, 6 * CS],
      ]);
      recycleBytes(out);
    }
    // Data that is not one byte per chunk makes an answer with no mark, still the right bytes.
    const mixed = new Uint8Array(CS).fill(0x44);
    mixed[5] = 0x45;
    await run(env, () => active.write(8 * CS, mixed));
    model.set(mixed, 8 * CS);
    const out = await run(env, () => active.read(CS, 12 * CS));
    expect([runsOf(out), same(out, model.subarray(CS, 13 * CS))]).toEqual([undefined, true]);
  });
});
