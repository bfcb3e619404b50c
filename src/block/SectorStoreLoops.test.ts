/*
 * SectorStore's loops end, and hand over exactly the pieces and indexes asked for. Under `npm run
 * mutate` this file runs before every other (vitest.mutation.config.ts): a mutant that turns one of
 * the store's loops backwards or past its end spins forever in the first test that reaches it with
 * nothing to stop it, which Stryker can only time out; here each such loop is first reached by a test
 * that fails at once instead (a sink or an array that refuses an unexpected piece or index, a zero
 * whose first piece would be negative, a read whose piece before the range would land before its
 * buffer). So the order of the tests matters: each loop's first caller in this file is the one that
 * catches it. Do not read, visit or ask for stamps in a test above the one that checks that call.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { CHUNK_SIZE, type PeekSink, SectorStore } from './SectorStore.js';
import { filled } from './testing/simHelpers.js';

const CS = CHUNK_SIZE;
const MiB = 1 << 20;

type Piece = readonly ['u', number, number, number] | readonly ['b', number, number, number];

/**
 * A sink that expects exactly `pieces`, in order ('b' pieces as one repeated byte), and throws at the
 * first piece that differs or comes after them, so a visit that would go on forever stops there.
 */
function strictSink(pieces: readonly Piece[]): PeekSink & { done: () => number } {
  let i = 0;
  const expectNext = (got: Piece) => {
    const want = pieces[i];
    if (want === undefined || JSON.stringify(want) !== JSON.stringify(got)) {
      throw new Error(`piece ${i}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
    i++;
  };
  return {
    bytes(offset, data, at, n) {
      const first = n > 0 ? data[at]! : -1;
      for (let k = at; k < at + n; k++) if (data[k] !== first) throw new Error(`piece ${i}: byte ${k - at} is ${data[k]}, not ${first}`);
      expectNext(['b', offset, n, first]);
    },
    uniform(offset, n, byte) {
      expectNext(['u', offset, n, byte]);
    },
    done: () => i,
  };
}

/** A Float64Array of `length` values `init` that throws on any index outside it, read or written. */
function strictArray(length: number, init: number): Float64Array {
  const check = (key: string | symbol) => {
    if (typeof key === 'string' && /^-?\d+$/.test(key) && !(Number(key) >= 0 && Number(key) < length)) {
      throw new RangeError(`index ${key} is outside the ${length} chunks asked for`);
    }
  };
  return new Proxy(new Float64Array(length).fill(init), {
    get: (target, key) => (check(key), Reflect.get(target, key)),
    set: (target, key, value) => (check(key), Reflect.set(target, key, value)),
  });
}

describe('SectorStore loops end where the range ends', () => {
  it('zeroes the part of two chunks a range covers (the first loop a store runs: no read above)', () => {
    const store = new SectorStore(MiB, 0x11);
    // [CS + 512, 2 * CS + 512): the last 3584 bytes of chunk 1 and the first 512 of chunk 2, both
    // written as zero bytes over the 0x11 background, so both chunks are allocated.
    store.zero(CS + 512, CS);
    expect([store.writtenRanges(), store.allocatedBytes]).toEqual([[{ offset: CS, bytes: 2 * CS }], 2 * CS]);
  });

  it('reads a range from the chunk it starts in on, never from one before it', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.write(0, filled(CS, 1)); // chunk 0, before the range read
    store.write(2 * CS, filled(512, 2));
    const dest = new Uint8Array(2 * CS);
    store.readInto(CS, dest, 0, 2 * CS);
    expect(encodeRuns(dest)).toEqual([
      [0xaa, CS],
      [2, 512],
      [0xaa, CS - 512],
    ]);
  });

  it('visits each run of one state as one piece, in order, and nothing past the range', () => {
    const store = new SectorStore(MiB, 0xaa, { uniformChunks: false });
    store.zero(CS, 2 * CS); // chunks 1 and 2: zero markers
    store.write(4 * CS, filled(2 * CS, 5)); // chunks 4 and 5, consecutive slots
    store.write(7 * CS, filled(512, 6)); // chunk 7, past the range visited
    // Chunks 1..6: zeroed, zeroed, never written, written, written, never written.
    const sink = strictSink([
      ['u', CS, 2 * CS, 0],
      ['u', 3 * CS, CS, 0xaa],
      ['b', 4 * CS, 2 * CS, 5],
      ['u', 6 * CS, CS, 0xaa],
    ]);
    store.visit(CS, 6 * CS, sink);
    expect(sink.done()).toBe(4);
  });

  it('reports a written run capped at the range, then an unwritten one', () => {
    const store = new SectorStore(MiB);
    store.write(0, filled(2 * CS, 1));
    expect(store.writtenRun(0, 4 * CS)).toEqual({ written: true, bytes: 2 * CS });
    expect(store.writtenRun(CS, 512)).toEqual({ written: true, bytes: 512 });
    expect(store.writtenRun(2 * CS, 4 * CS)).toEqual({ written: false, bytes: 4 * CS });
  });

  it('raises the stamps of exactly the chunks asked for, no index outside the array', () => {
    const store = new SectorStore(MiB);
    store.write(3 * CS, filled(512, 1));
    const into = strictArray(2, 0);
    // [2 * CS + 512, 3 * CS + 1024): chunks 2 and 3, at into[0] and into[1].
    store.raiseStamps(2 * CS + 512, CS + 512, into, 2);
    const [made, written] = [into[0]!, into[1]!];
    expect(made).toBeGreaterThan(0);
    expect(written).toBe(made + 1);
  });
});
