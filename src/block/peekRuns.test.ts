import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { PeekUnavailable } from './BlockNode.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { CHUNK_SIZE, type PeekSink, SectorStore } from './SectorStore.js';
import { filled, run } from './testing/simHelpers.js';

const KiB = 1024;
const MiB = 1 << 20;

/** Records each piece as handed over: ['b', offset, n, its bytes as [value, count] runs] or ['u', offset, n, byte]. */
class Recorder implements PeekSink {
  readonly pieces: (readonly ['b', number, number, [number, number][]] | readonly ['u', number, number, number])[] = [];
  bytes(offset: number, data: Uint8Array, at: number, n: number): void {
    const runs: [number, number][] = [];
    for (let i = at; i < at + n; i++) {
      const last = runs[runs.length - 1];
      if (last && last[0] === data[i]) last[1]++;
      else runs.push([data[i]!, 1]);
    }
    this.pieces.push(['b', offset, n, runs]);
  }
  uniform(offset: number, n: number, byte: number): void {
    this.pieces.push(['u', offset, n, byte]);
  }
}

function visit(store: SectorStore, offset: number, bytes: number) {
  const sink = new Recorder();
  store.visit(offset, bytes, sink);
  return sink.pieces;
}

function peekRuns(node: RawNode | OverlayNode, offset: number, bytes: number) {
  const sink = new Recorder();
  node.peekRuns(offset, bytes, sink);
  return sink.pieces;
}

describe('SectorStore.visit', () => {
  it('hands never-written chunks as one uniform piece of the background byte', () => {
    expect(visit(new SectorStore(MiB, 0xaa), 512, 5 * CHUNK_SIZE)).toEqual([['u', 512, 5 * CHUNK_SIZE, 0xaa]]);
  });

  it('joins written chunks in consecutive slots into one piece and cuts at a state change and at the range ends', () => {
    const store = new SectorStore(MiB, 0xaa, { uniformChunks: false });
    store.write(CHUNK_SIZE + 512, filled(2 * CHUNK_SIZE, 1));
    // Chunks 1..3 written (3 partly: 512 bytes of 1, the rest background in the chunk).
    expect(visit(store, 1024, 5 * CHUNK_SIZE)).toEqual([
      ['u', 1024, CHUNK_SIZE - 1024, 0xaa],
      ['b', CHUNK_SIZE, 3 * CHUNK_SIZE, [[0xaa, 512], [1, 2 * CHUNK_SIZE], [0xaa, CHUNK_SIZE - 512]]],
      ['u', 4 * CHUNK_SIZE, CHUNK_SIZE + 1024, 0xaa],
    ]);
    // A range starting and ending inside written chunks.
    expect(visit(store, CHUNK_SIZE + 1024, 2 * CHUNK_SIZE)).toEqual([['b', CHUNK_SIZE + 1024, 2 * CHUNK_SIZE, [[1, 2 * CHUNK_SIZE - 512], [0xaa, 512]]]]);
  });

  it('hands zeroed chunks as uniform 0, apart from the background', () => {
    const store = new SectorStore(MiB, 0xaa);
    store.zero(2 * CHUNK_SIZE, 2 * CHUNK_SIZE);
    expect(visit(store, 0, 6 * CHUNK_SIZE)).toEqual([
      ['u', 0, 2 * CHUNK_SIZE, 0xaa],
      ['u', 2 * CHUNK_SIZE, 2 * CHUNK_SIZE, 0],
      ['u', 4 * CHUNK_SIZE, 2 * CHUNK_SIZE, 0xaa],
    ]);
  });

  it('splits neighbouring written chunks whose slots are not consecutive', () => {
    const store = new SectorStore(MiB, 0, { uniformChunks: false });
    store.write(CHUNK_SIZE, filled(CHUNK_SIZE, 2)); // chunk 1 takes the first slot
    store.write(0, filled(CHUNK_SIZE, 1)); // chunk 0 the second
    expect(visit(store, 0, 2 * CHUNK_SIZE)).toEqual([
      ['b', 0, CHUNK_SIZE, [[1, CHUNK_SIZE]]],
      ['b', CHUNK_SIZE, CHUNK_SIZE, [[2, CHUNK_SIZE]]],
    ]);
  });

  it('rejects a range past the end as read does', () => {
    const store = new SectorStore(MiB, 0);
    expect(() => visit(store, MiB - 512, 1024)).toThrow(RangeError);
  });
});

describe('BlockNode.peekRuns', () => {
  it('a raw node hands its store pieces over, exactly as they lie', async () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [] });
    const raw = new RawNode(env, 'raw', MiB, { fill: 0x5a });
    await run(env, () => raw.write(8 * KiB, filled(4 * KiB, 7)));
    expect(peekRuns(raw, 4 * KiB, 12 * KiB)).toEqual([
      ['u', 4 * KiB, 4 * KiB, 0x5a],
      // A chunk written whole with one byte is kept as that byte (SectorStore's uniform marker).
      ['u', 8 * KiB, 4 * KiB, 7],
      ['u', 12 * KiB, 4 * KiB, 0x5a],
    ]);
  });

  it('an overlay hands its own clusters, its backing where unallocated, zeros past a shorter backing and for zeroed clusters', async () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [] });
    const raw = new RawNode(env, 'raw', 64 * KiB, { fill: 0xaa });
    const top = new OverlayNode(env, 'top', 128 * KiB, { clusterSize: 16 * KiB });
    top.attach('backing', raw);
    await run(env, () => raw.write(0, filled(8 * KiB, 1)));
    await run(env, () => top.write(16 * KiB + 512, filled(1024, 2)));
    await run(env, () => top.writeZeroes(96 * KiB, 16 * KiB));
    // [0,16K) backing; [16K,32K) top's cluster (copied up from backing 0xaa around the write: its
    // first chunk holds bytes, the three after it one byte each, kept as uniform markers);
    // [32K,64K) backing; [64K,96K) past the backing: zeros; [96K,112K) zeroed; [112K,128K) zeros.
    expect(peekRuns(top, 0, 128 * KiB)).toEqual([
      ['u', 0, 8 * KiB, 1],
      ['u', 8 * KiB, 8 * KiB, 0xaa],
      ['b', 16 * KiB, 4 * KiB, [[0xaa, 512], [2, 1024], [0xaa, 4 * KiB - 1536]]],
      ['u', 20 * KiB, 12 * KiB, 0xaa],
      ['u', 32 * KiB, 32 * KiB, 0xaa],
      ['u', 64 * KiB, 32 * KiB, 0],
      ['u', 96 * KiB, 16 * KiB, 0],
      ['u', 112 * KiB, 16 * KiB, 0],
    ]);
  });

  it('a read across cluster ends of a chain of two overlays walks each layer in disk order', async () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [] });
    const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
    const hidden = new OverlayNode(env, 'hidden', MiB, { clusterSize: 4 * KiB });
    hidden.attach('backing', raw);
    const active = new OverlayNode(env, 'active', MiB, { clusterSize: 4 * KiB });
    active.attach('backing', hidden);
    await run(env, () => hidden.write(4 * KiB, filled(8 * KiB, 2)));
    await run(env, () => active.write(8 * KiB, filled(4 * KiB, 3)));
    expect(peekRuns(active, 2 * KiB, 12 * KiB)).toEqual([
      ['u', 2 * KiB, 2 * KiB, 0xaa],
      // Whole chunks of one byte: uniform markers in each overlay's store.
      ['u', 4 * KiB, 4 * KiB, 2],
      ['u', 8 * KiB, 4 * KiB, 3],
      ['u', 12 * KiB, 2 * KiB, 0xaa],
    ]);
  });

  it('refuses an ejected node as peek does, with the same message', () => {
    const env = new SimEnv({ traceLevel: 'full', faults: [] });
    const raw = new RawNode(env, 'raw', MiB, { fill: 0 });
    raw.eject();
    expect(() => peekRuns(raw, 0, 512)).toThrow(new PeekUnavailable('raw is ejected'));
  });
});

