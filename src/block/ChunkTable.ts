/*
 * SectorStore's chunk map: chunk index -> slot or marker (an integer), absent for a chunk never
 * written. A disk of DENSE_CHUNKS_MIN to DENSE_CHUNKS_MAX chunks keeps it in an Int32Array indexed by
 * chunk, others in a Map: the peer suite's 32-64 MiB writes and reads looked up and set each of 8-16
 * thousand chunks in a Map, most of what was left of their time once their bytes were no longer
 * scanned. Small disks (a fuzz campaign's, the gaps suite's 1 MiB) keep the Map: they touch few
 * chunks, and a store made per case should not pay for a table of its own.
 */
import { ascendingKeys } from '../util/ascendingKeys.js';

/** Disks of 16 MiB up to 256 MiB (4096 to 65536 chunks of 4 KiB) get a dense table (16-256 KiB). */
const DENSE_CHUNKS_MIN = 1 << 12;
const DENSE_CHUNKS_MAX = 1 << 16;
/** What a dense table holds for an absent chunk: no slot (>= 0) or marker (-1 down to -257) is this. */
const ABSENT = -0x40000000;

export class ChunkTable {
  private readonly dense: Int32Array | null;
  private readonly map: Map<number, number> | null;

  constructor(chunkCount: number) {
    if (chunkCount >= DENSE_CHUNKS_MIN && chunkCount <= DENSE_CHUNKS_MAX) {
      this.dense = new Int32Array(chunkCount).fill(ABSENT);
      this.map = null;
    } else {
      this.dense = null;
      this.map = new Map();
    }
  }

  /** The chunk's slot or marker, undefined when absent (or past the disk's end). */
  get(index: number): number | undefined {
    const dense = this.dense;
    if (dense === null) return this.map!.get(index);
    if (index < 0 || index >= dense.length) return undefined;
    const v = dense[index]!;
    return v === ABSENT ? undefined : v;
  }

  has(index: number): boolean {
    return this.get(index) !== undefined;
  }

  set(index: number, value: number): void {
    if (this.dense === null) this.map!.set(index, value);
    else this.dense[index] = value;
  }

  delete(index: number): void {
    if (this.dense === null) this.map!.delete(index);
    else this.dense[index] = ABSENT;
  }

  clear(): void {
    if (this.dense === null) this.map!.clear();
    else this.dense.fill(ABSENT);
  }

  /** The indexes present, ascending (for checkers and reports: SectorStore.writtenRanges). */
  sortedKeys(): number[] {
    if (this.dense === null) return ascendingKeys(this.map!);
    const out: number[] = [];
    for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== ABSENT) out.push(i);
    return out;
  }
}
