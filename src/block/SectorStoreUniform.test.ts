/*
 * Chunks written whole with one repeated byte are kept as markers, not slab memory: they must read,
 * visit, stamp and count as written exactly as a chunk holding those bytes would.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { currentTick } from './WriteClock.js';
import { CHUNK_SIZE, type PeekSink, SectorStore } from './SectorStore.js';
import { filled } from './testing/simHelpers.js';

const MiB = 1 << 20;
const CS = CHUNK_SIZE;

/** The pieces visit hands out: ['u', offset, n, byte] or ['b', offset, n, runs]. */
function pieces(store: SectorStore, offset: number, bytes: number): unknown[] {
  const out: unknown[] = [];
  const sink: PeekSink = {
    bytes: (o, data, at, n) => out.push(['b', o, n, encodeRuns(data.subarray(at, at + n))]),
    uniform: (o, n, byte) => out.push(['u', o, n, byte]),
  };
  store.visit(offset, bytes, sink);
  return out;
}

function stamps(store: SectorStore, first: number, count: number): number[] {
  const into = new Float64Array(count);
  store.raiseStamps(first * CS, count * CS, into, first);
  return [...into];
}

describe('SectorStore: uniform chunks', () => {
  it('keeps a large write of one byte as markers: no memory, read back, written, one uniform piece', () => {
    const store = new SectorStore(64 * MiB, 0x11);
    store.write(CS, filled(32 * MiB, 0x22));
    expect([store.allocatedBytes, store.reservedBytes]).toEqual([0, 0]);
    expect(encodeRuns(store.read(0, 64 * MiB))).toEqual([
      [0x11, CS],
      [0x22, 32 * MiB],
      [0x11, 32 * MiB - CS],
    ]);
    expect(store.writtenRanges()).toEqual([{ offset: CS, bytes: 32 * MiB }]);
    expect(store.writtenRun(0, 64 * MiB)).toEqual({ written: false, bytes: CS });
    expect(store.writtenRun(CS, 64 * MiB - CS)).toEqual({ written: true, bytes: 32 * MiB });
    expect(pieces(store, 0, 3 * CS)).toEqual([
      ['u', 0, CS, 0x11],
      ['u', CS, 2 * CS, 0x22],
    ]);
  });

  it('gives the part of a uniform chunk written later a chunk of memory that starts as its byte', () => {
    const store = new SectorStore(MiB, 0x11);
    store.write(0, filled(2 * CS, 0x22));
    store.write(CS + 512, filled(512, 0x33));
    expect(store.allocatedBytes).toBe(CS);
    expect(encodeRuns(store.read(0, 3 * CS))).toEqual([
      [0x22, CS + 512],
      [0x33, 512],
      [0x22, CS - 1024],
      [0x11, CS],
    ]);
    expect(pieces(store, 0, 2 * CS)).toEqual([
      ['u', 0, CS, 0x22],
      ['b', CS, CS, [[0x22, 512], [0x33, 512], [0x22, CS - 1024]]],
    ]);
  });

  it('frees the memory of a chunk of bytes written over whole with one byte, for the next chunk that needs some', () => {
    const store = new SectorStore(MiB, 0, { uniformChunks: true });
    store.write(0, filled(512, 1));
    const reserved = store.reservedBytes;
    store.write(0, filled(CS, 2));
    expect(store.allocatedBytes).toBe(0);
    store.write(5 * CS, filled(512, 3));
    expect([store.allocatedBytes, store.reservedBytes]).toEqual([CS, reserved]);
    expect(encodeRuns(store.read(0, 6 * CS))).toEqual([
      [2, CS],
      [0, 4 * CS],
      [3, 512],
      [0, CS - 512],
    ]);
  });

  it('looks at each whole chunk of mixed data on its own: the uniform ones become markers', () => {
    const store = new SectorStore(MiB);
    const data = new Uint8Array(3 * CS).fill(4);
    data[CS + 100] = 5;
    store.write(0, data);
    expect(store.allocatedBytes).toBe(CS);
    expect(store.read(0, 3 * CS)).toEqual(data);
    expect(pieces(store, 0, 3 * CS)).toEqual([
      ['u', 0, CS, 4],
      ['b', CS, CS, [[4, 100], [5, 1], [4, CS - 101]]],
      ['u', 2 * CS, CS, 4],
    ]);
  });

  it('stamps a uniform chunk at each write, a part of it rewritten with its own byte too, keeping it a marker', () => {
    const store = new SectorStore(MiB, 0xaa);
    const made = currentTick();
    store.write(CS, filled(CS, 7));
    const written = currentTick();
    expect(stamps(store, 0, 3)).toEqual([made, written, made]);
    store.write(CS + 512, filled(512, 7));
    const again = currentTick();
    expect(again).toBe(written + 1);
    expect(stamps(store, 0, 3)).toEqual([made, again, made]);
    expect(store.allocatedBytes).toBe(0);
    expect(encodeRuns(store.read(0, 3 * CS))).toEqual([
      [0xaa, CS],
      [7, CS],
      [0xaa, CS],
    ]);
  });

  it('keeps a chunk never written sparse under the background byte, but a uniform chunk of another byte written with the background stays written', () => {
    const store = new SectorStore(MiB, 0x11);
    store.write(0, filled(CS, 0x11));
    expect(store.writtenRanges()).toEqual([]);
    store.write(CS, filled(CS, 0x22));
    store.write(CS, filled(CS, 0x11));
    expect(store.writtenRanges()).toEqual([{ offset: CS, bytes: CS }]);
    expect(encodeRuns(store.read(0, 2 * CS))).toEqual([[0x11, 2 * CS]]);
  });

  it('zeroes a uniform chunk whole: over a zero background it is unwritten again, over another a zero marker', () => {
    const zeros = new SectorStore(MiB);
    zeros.write(0, filled(2 * CS, 9));
    zeros.zero(0, CS);
    expect([zeros.writtenRanges(), encodeRuns(zeros.read(0, 2 * CS))]).toEqual([[{ offset: CS, bytes: CS }], [[0, CS], [9, CS]]]);
    const patterned = new SectorStore(MiB, 0x11);
    patterned.write(0, filled(CS, 9));
    patterned.zero(0, CS);
    expect([patterned.writtenRanges(), encodeRuns(patterned.read(0, 2 * CS)), patterned.allocatedBytes]).toEqual([[{ offset: 0, bytes: CS }], [[0, CS], [0x11, CS]], 0]);
  });

  it('with uniformChunks false keeps every written chunk in memory', () => {
    const store = new SectorStore(MiB, 0, { uniformChunks: false });
    store.write(0, filled(2 * CS, 9));
    expect(store.allocatedBytes).toBe(2 * CS);
    expect(pieces(store, 0, 2 * CS)).toEqual([['b', 0, 2 * CS, [[9, 2 * CS]]]]);
  });
});
