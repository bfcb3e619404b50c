/*
 * Sparse storage for one virtual disk in 512-byte sectors. Data lives in 4 KiB chunks carved out of
 * slabs (16 KiB growing to 1 MiB), allocated on first write, so memory follows what was written, not
 * the virtual size (a 1 TiB disk with 1 MiB written holds about 1 MiB). A chunk never written reads as the store's
 * background byte (0, or a fill pattern standing for a pre-filled image); a chunk zeroed as a whole
 * is kept as a marker, not as 4 KiB of zeros. Each chunk keeps the write-clock tick of its last change
 * (WriteClock.ts), so a checker can prove a range unchanged since it last compared it (raiseStamps).
 * Limits: offsets and lengths must be sector-aligned (the block node above pads unaligned requests).
 */

import { allocUnfilled, heldByte, heldBytes } from './buffers.js';
import { type ByteRuns, MARK_MIN_BYTES, appendRun, markRuns, uniformByteOf } from './knownRuns.js';
import { ChunkTable } from './ChunkTable.js';
import { nextTick } from './WriteClock.js';
import { indexOfOther } from '../util/bytes.js';

export const SECTOR_SIZE = 512;
export const CHUNK_SIZE = 4096;
const CHUNKS_PER_SLAB = 256;
/** Slabs a cleared store keeps for reuse. */
const RETAINED_SLABS = 2;
/** Marker in the chunk map: the chunk is all zeros (distinct from the background when fill != 0). */
const ZERO_CHUNK = -1;
/**
 * Markers in the chunk map from UNIFORM_BASE - b down: the chunk was written whole with the byte b
 * repeated, and holds no slab memory (a 64 MiB pattern write made 64 MiB of slabs, then copied each
 * byte in and out again). It reads and is stamped as a written chunk holding those bytes would be;
 * a part of it written later gets a slab chunk filled with b first.
 */
const UNIFORM_BASE = -2;

/** The marker of a chunk written whole with `byte`. */
function uniformMarker(byte: number): number {
  return UNIFORM_BASE - byte;
}
/** Chunk stamps are kept in pages of this many chunks (1 MiB of disk), made when first stamped. */
const STAMP_PAGE = 256;

/**
 * Receives peeked bytes piece by piece, in disk order: `bytes` are data[at, at + n) for the disk's
 * [offset, offset + n) (a view valid only during the call), `uniform` is `byte` repeated n times.
 */
export interface PeekSink {
  bytes(offset: number, data: Uint8Array, at: number, n: number): void;
  uniform(offset: number, n: number, byte: number): void;
}

export class SectorStore {
  private readonly chunks: ChunkTable;
  private readonly slabs: Uint8Array[] = [];
  private readonly freeSlots: number[] = [];
  /** The slab being filled and the next unused chunk in it (slot = slab << 8 | chunk). */
  private slabIndex = -1;
  private chunkInSlab = CHUNKS_PER_SLAB;
  private liveChunks = 0;
  /** Slabs kept by the last clear: their memory holds old data, unlike slabs created since. */
  private reusedSlabs = 0;
  /** Write-clock tick (WriteClock.ts) of each chunk's last write, zero or touch, by page of STAMP_PAGE chunks. */
  private readonly stampPages = new Map<number, Float64Array>();
  /** The tick the store was made or last cleared at: every chunk changed then. */
  private clearedAt = nextTick();
  private readonly uniformChunks: boolean;

  /**
   * @param sizeBytes virtual size, a multiple of 512
   * @param fill the byte unwritten sectors read as (a pre-filled image)
   * @param options.uniformChunks false keeps every written chunk in slab memory, uniform or not (for
   *   tests of the slab memory itself, which write one byte repeated); true (the default) keeps a
   *   chunk written whole with one repeated byte as a marker
   */
  constructor(
    readonly sizeBytes: number,
    readonly fill = 0,
    options: { uniformChunks?: boolean } = {},
  ) {
    this.uniformChunks = options.uniformChunks ?? true;
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0 || sizeBytes % SECTOR_SIZE !== 0) {
      throw new RangeError(`store size must be a multiple of ${SECTOR_SIZE}, got ${sizeBytes}`);
    }
    this.chunks = new ChunkTable(Math.ceil(sizeBytes / CHUNK_SIZE));
  }

  /** Bytes of chunk memory in use. */
  get allocatedBytes(): number {
    return this.liveChunks * CHUNK_SIZE;
  }

  /** Bytes of slab memory reserved (what the process actually holds). */
  get reservedBytes(): number {
    let bytes = 0;
    for (const slab of this.slabs) bytes += slab.length;
    return bytes;
  }

  /**
   * Whether the chunk holding `offset` was ever written (or zeroed), and how far from `offset` (at
   * most `bytes`) the chunks after it share that state: a file's data and holes, for block status.
   */
  writtenRun(offset: number, bytes: number): { written: boolean; bytes: number } {
    const end = offset + bytes;
    const first = Math.floor(offset / CHUNK_SIZE);
    const written = this.chunks.has(first);
    let c = first + 1;
    while (
      this.chunks.has(c) === written &&
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: the bound only ends the scan at the range's end, where Math.min below caps the run anyway: with no bound (true, or c / CHUNK_SIZE) the answer is the same or the scan never ends
      c * CHUNK_SIZE < end
    )
      c++;
    return { written, bytes: Math.min(c * CHUNK_SIZE, end) - offset };
  }

  /**
   * The byte ranges that may read other than the background (chunks written or zeroed), merged, in
   * order: an observation hook for checkers, sized by what was written, not by the disk.
   */
  writtenRanges(): { offset: number; bytes: number }[] {
    const out: { offset: number; bytes: number }[] = [];
    for (const index of this.chunks.sortedKeys()) {
      const offset = index * CHUNK_SIZE;
      const last = out[out.length - 1];
      if (last && last.offset + last.bytes === offset) last.bytes += CHUNK_SIZE;
      else out.push({ offset, bytes: CHUNK_SIZE });
    }
    return out;
  }

  /**
   * Raise into[c - base], for each chunk c that [offset, offset + bytes) overlaps, to the latest
   * write-clock tick at which the chunk may have changed (a write, a zero, a touch, a clear, the
   * store's making): its bytes read as they did at tick t while that is at most t. For checkers.
   */
  raiseStamps(offset: number, bytes: number, into: Float64Array, base: number): void {
    const end = Math.ceil((offset + bytes) / CHUNK_SIZE);
    for (let c = Math.floor(offset / CHUNK_SIZE); c < end; c++) {
      const page = this.stampPages.get(Math.floor(c / STAMP_PAGE));
      into[c - base] = Math.max(into[c - base]!, this.clearedAt, page === undefined ? 0 : page[c % STAMP_PAGE]!);
    }
  }

  /** Stamp [offset, offset + bytes) as changed now without changing a byte (an overlay mapped clusters over it). */
  touch(offset: number, bytes: number): void {
    const tick = nextTick();
    if (bytes <= 0) return;
    const end = Math.ceil((offset + bytes) / CHUNK_SIZE);
    // One page lookup per page, not per chunk (an overlay touches every cluster it links).
    let pageKey = -1;
    let page: Float64Array | undefined;
    for (let index = Math.floor(offset / CHUNK_SIZE); index < end; index++) {
      const key = Math.floor(index / STAMP_PAGE);
      if (key !== pageKey) {
        page = this.stampPage(key);
        pageKey = key;
      }
      page![index % STAMP_PAGE] = tick;
    }
  }

  read(offset: number, bytes: number): Uint8Array {
    // readInto sets every byte, so the buffer need not be zeroed first (a 64 MiB read zeroed 64 MiB, then filled it).
    // A large buffer given back whole with one byte throughout (a read's answer, once encoded) still holds
    // it, so the fills of chunks reading as that byte are skipped.
    const out = allocUnfilled(bytes, this.firstByte(offset));
    const runs: ByteRuns | null = bytes >= MARK_MIN_BYTES ? [] : null;
    if (this.readInto(offset, out, 0, bytes, heldByte(), heldBytes(), runs) && runs !== null) markRuns(out, runs);
    return out;
  }

  /**
   * Copy [offset, offset + bytes) into dest from destOffset on. `holds` is a byte that dest[0,
   * holdsEnd) already holds (-1: unknown), so pieces reading as it are filled only past that.
   * Returns whether every piece is a run of unwritten, zeroed or uniform chunks (no slab memory);
   * if so, and `runs` is given, the range's runs were appended to it (knownRuns.ts).
   */
  readInto(offset: number, dest: Uint8Array, destOffset: number, bytes: number, holds = -1, holdsEnd = 0, runs: ByteRuns | null = null): boolean {
    this.checkRange(offset, bytes);
    const end = offset + bytes;
    const shift = destOffset - offset;
    let known = true;
    // Neighbouring chunks in one state go as one fill or one copy, the pieces visit hands out (a
    // large read made one call per 4 KiB chunk). The end of each piece is set by the loop's body
    // (a body that set nothing would end the loop, not spin).
    let stop = end;
    for (let pos = offset; pos < end; pos = stop) {
      const index = Math.floor(pos / CHUNK_SIZE);
      const slot = this.chunks.get(index);
      stop = this.pieceEnd(index, slot, end);
      if (slot === undefined || slot < 0) {
        const byte = this.markerByte(slot);
        const from = byte === holds ? Math.max(pos + shift, holdsEnd) : pos + shift;
        if (from < stop + shift) dest.fill(byte, from, stop + shift);
        if (known && runs !== null) appendRun(runs, byte, stop - pos);
      } else {
        // Where the chunk's bytes lie in its slab, less the chunk's offset on disk.
        const base = (slot & (CHUNKS_PER_SLAB - 1)) * CHUNK_SIZE - index * CHUNK_SIZE;
        dest.set(this.slabs[slot >>> 8]!.subarray(base + pos, base + stop), pos + shift);
        known = false;
      }
    }
    return known;
  }

  /**
   * Hands [offset, offset + bytes) to `sink` in disk order without copying anything: a run of chunks
   * never written as the background byte, zeroed chunks as 0, written chunks as a view into slab
   * memory (valid only during the call). Neighbouring chunks in one state (written ones: in
   * consecutive slots of one slab) go as one piece. For checkers, like readInto.
   */
  visit(offset: number, bytes: number, sink: PeekSink): void {
    this.checkRange(offset, bytes);
    const end = offset + bytes;
    // The end of each piece, set by the loop's body (a body that set nothing would end the loop, not spin).
    let stop = end;
    for (let pos = offset; pos < end; pos = stop) {
      const index = Math.floor(pos / CHUNK_SIZE);
      const slot = this.chunks.get(index);
      stop = this.pieceEnd(index, slot, end);
      if (slot === undefined || slot < 0) sink.uniform(pos, stop - pos, this.markerByte(slot));
      else sink.bytes(pos, this.slabs[slot >>> 8]!, (slot & (CHUNKS_PER_SLAB - 1)) * CHUNK_SIZE + (pos - index * CHUNK_SIZE), stop - pos);
    }
  }

  /** The byte the chunk holding `offset` reads as throughout if it holds no slab memory, else -1. */
  firstByte(offset: number): number {
    const slot = this.chunks.get(Math.floor(offset / CHUNK_SIZE));
    return slot === undefined || slot < 0 ? this.markerByte(slot) : -1;
  }

  /** The byte every byte of a chunk holding marker `slot` reads as. */
  private markerByte(slot: number | undefined): number {
    if (slot === undefined) return this.fill;
    return slot === ZERO_CHUNK ? 0 : UNIFORM_BASE - slot;
  }

  /**
   * Where the piece that starts in chunk `index` (holding `slot`) ends, at most at `end`: the run of
   * chunks after it that read the same way (unwritten, zeroed or uniform, like it), or whose data lies in the
   * slots right after its own in one slab, so one fill or one copy serves them all.
   */
  private pieceEnd(index: number, slot: number | undefined, end: number): number {
    let next = index + 1;
    if (slot === undefined || slot < 0) {
      while (
        this.chunks.get(next) === slot &&
        // Stryker disable next-line ConditionalExpression,ArithmeticOperator: the bound only ends the scan at the range's end, where Math.min below caps the piece anyway: with no bound (true, or next / CHUNK_SIZE) the pieces are the same or the scan never ends
        next * CHUNK_SIZE < end
      )
        next++;
    } else {
      // A slot number past its slab's last chunk is never handed out, so slot + k found in the map lies in the same slab.
      while (
        ((slot + next - index) & (CHUNKS_PER_SLAB - 1)) !== 0 &&
        this.chunks.get(next) === slot + next - index &&
        // Stryker disable next-line ConditionalExpression,ArithmeticOperator: the bound only ends the scan at the range's end, where Math.min below caps the piece anyway: with no bound (true, or next / CHUNK_SIZE) the slab's end stops the scan and the pieces are the same
        next * CHUNK_SIZE < end
      )
        next++;
    }
    return Math.min(next * CHUNK_SIZE, end);
  }

  write(offset: number, data: Uint8Array, dataOffset = 0, bytes = data.length - dataOffset): void {
    this.checkRange(offset, bytes);
    const tick = nextTick();
    const shift = dataOffset - offset;
    // The copy is made per run of chunks in consecutive slots of one slab (a large write made one
    // view and one copy per 4 KiB chunk): `runSlab` is -1 or the run's slab, whose bytes
    // [runBase, runBase + runBytes) take data from `runAt` on.
    let runSlab = -1;
    let runBase = 0;
    let runAt = 0;
    let runBytes = 0;
    // The byte the whole source range repeats, or -1: then each whole chunk is looked at on its own.
    // Data marked as one byte throughout (knownRuns.ts) is not scanned again.
    const first = data[dataOffset]!;
    const marked = this.uniformChunks && bytes >= CHUNK_SIZE ? uniformByteOf(data) : -1;
    const repeated =
      marked >= 0 ? marked : this.uniformChunks && bytes >= CHUNK_SIZE && indexOfOther(data, dataOffset, dataOffset + bytes, first) === dataOffset + bytes ? first : -1;
    if (repeated >= 0 && offset % CHUNK_SIZE === 0 && bytes % CHUNK_SIZE === 0) return this.writeUniform(offset / CHUNK_SIZE, bytes / CHUNK_SIZE, repeated, tick);
    this.forEachChunk(offset, bytes, (index, within, n) => {
      const at = index * CHUNK_SIZE + within + shift;
      let slot = this.chunks.get(index);
      if (slot === undefined || slot === ZERO_CHUNK) {
        const background = slot === ZERO_CHUNK ? 0 : this.fill;
        // Writing the background over the background changes nothing; keep the chunk sparse.
        if (repeated === background || indexOfOther(data, at, at + n, background) === at + n) return;
      }
      if (this.uniformChunks && n === CHUNK_SIZE) {
        const byte = repeated >= 0 ? repeated : data[at]!;
        if (repeated >= 0 || indexOfOther(data, at, at + n, byte) === at + n) {
          this.release(index);
          this.chunks.set(index, uniformMarker(byte));
          this.stamp(index, tick);
          return;
        }
      }
      if (slot !== undefined && slot <= UNIFORM_BASE && (repeated === this.markerByte(slot) || indexOfOther(data, at, at + n, this.markerByte(slot)) === at + n)) {
        // Part of a uniform chunk written with its own byte: its bytes stay as they are, but it was written now.
        this.stamp(index, tick);
        return;
      }
      if (slot === undefined || slot < 0) {
        slot = this.allocate(this.markerByte(slot));
        this.chunks.set(index, slot);
      }
      const slab = slot >>> 8;
      const base = (slot & (CHUNKS_PER_SLAB - 1)) * CHUNK_SIZE + within;
      if (slab === runSlab && base === runBase + runBytes && at === runAt + runBytes) {
        runBytes += n;
      } else {
        if (runSlab >= 0) this.copyIn(runSlab, runBase, data, runAt, runBytes);
        runSlab = slab;
        runBase = base;
        runAt = at;
        runBytes = n;
      }
      this.stamp(index, tick);
    });
    if (runSlab >= 0) this.copyIn(runSlab, runBase, data, runAt, runBytes);
  }

  /**
   * write's loop for `count` whole chunks from chunk `first` on, all written with `byte` (a large
   * pattern write): the same chunk states and stamps, without looking at the data, and with one
   * stamp page lookup per page rather than per chunk.
   */
  private writeUniform(first: number, count: number, byte: number, tick: number): void {
    const marker = uniformMarker(byte);
    let pageKey = -1;
    let page: Float64Array | undefined;
    for (let index = first; index < first + count; index++) {
      const slot = this.chunks.get(index);
      // Writing the background over the background changes nothing; keep the chunk sparse.
      if ((slot === undefined && byte === this.fill) || (slot === ZERO_CHUNK && byte === 0)) continue;
      if (slot !== undefined && slot >= 0) {
        this.freeSlots.push(slot);
        this.liveChunks--;
      }
      if (slot !== marker) this.chunks.set(index, marker);
      const key = Math.floor(index / STAMP_PAGE);
      if (key !== pageKey) {
        page = this.stampPage(key);
        pageKey = key;
      }
      page![index % STAMP_PAGE] = tick;
    }
  }

  private copyIn(slab: number, base: number, data: Uint8Array, at: number, bytes: number): void {
    this.slabs[slab]!.set(data.subarray(at, at + bytes), base);
  }

  /** Make [offset, offset + bytes) read as zeros. */
  zero(offset: number, bytes: number): void {
    this.checkRange(offset, bytes);
    const tick = nextTick();
    this.forEachChunk(offset, bytes, (index, within, n) => {
      this.stamp(index, tick);
      if (n === CHUNK_SIZE) {
        this.release(index);
        if (this.fill !== 0) this.chunks.set(index, ZERO_CHUNK);
      } else {
        this.write(index * CHUNK_SIZE + within, new Uint8Array(n));
      }
    });
  }

  /** Forget everything written: the whole store reads as its background again. */
  clear(): void {
    this.chunks.clear();
    this.stampPages.clear();
    this.clearedAt = nextTick();
    // Keep a few slabs for the writes that follow (a checkpoint empties active and hidden, which
    // then fill again): dropping and reallocating 1 MiB slabs every epoch dominated the profile.
    this.slabs.length = Math.min(this.slabs.length, RETAINED_SLABS);
    this.reusedSlabs = this.slabs.length;
    this.freeSlots.length = 0;
    this.slabIndex = -1;
    this.chunkInSlab = CHUNKS_PER_SLAB;
    this.liveChunks = 0;
  }

  /** Calls fn for each chunk [offset, offset + bytes) overlaps, in order, with the part of it overlapped: [within, within + n). */
  private forEachChunk(offset: number, bytes: number, fn: (index: number, within: number, n: number) => void): void {
    const end = offset + bytes;
    // The start of the chunk after the current one, set by the loop's body (a body that set nothing would end the loop, not spin).
    let next = end;
    for (let pos = offset; pos < end; pos = next) {
      const index = Math.floor(pos / CHUNK_SIZE);
      next = (index + 1) * CHUNK_SIZE;
      fn(index, pos - index * CHUNK_SIZE, Math.min(next, end) - pos);
    }
  }

  private allocate(background: number): number {
    let slot = this.freeSlots.pop();
    // Slab memory handed out for the first time since its slab was created is still all zeros.
    let fresh = false;
    if (slot === undefined) {
      if (this.chunkInSlab >= slabChunks(this.slabIndex)) {
        this.slabIndex++;
        this.chunkInSlab = 0;
        if (this.slabIndex >= this.slabs.length) this.slabs.push(newSlab(slabChunks(this.slabIndex) * CHUNK_SIZE));
      }
      fresh = this.slabIndex >= this.reusedSlabs;
      slot = (this.slabIndex << 8) | this.chunkInSlab++;
    }
    this.liveChunks++;
    if (!fresh || background !== 0) {
      const base = (slot & (CHUNKS_PER_SLAB - 1)) * CHUNK_SIZE;
      this.slabs[slot >>> 8]!.fill(background, base, base + CHUNK_SIZE);
    }
    return slot;
  }


  private stamp(index: number, tick: number): void {
    this.stampPage(Math.floor(index / STAMP_PAGE))[index % STAMP_PAGE] = tick;
  }

  /** The stamps of page `key`, made when first needed. */
  private stampPage(key: number): Float64Array {
    let page = this.stampPages.get(key);
    if (page === undefined) {
      page = new Float64Array(STAMP_PAGE);
      this.stampPages.set(key, page);
    }
    return page;
  }

  private release(index: number): void {
    const slot = this.chunks.get(index);
    if (slot !== undefined && slot >= 0) {
      this.freeSlots.push(slot);
      this.liveChunks--;
    }
    this.chunks.delete(index);
  }

  private checkRange(offset: number, bytes: number): void {
    if (offset % SECTOR_SIZE !== 0 || bytes % SECTOR_SIZE !== 0 || offset < 0 || bytes < 0 || offset + bytes > this.sizeBytes) {
      throw new RangeError(`store access [${offset}, +${bytes}) is not sector-aligned or exceeds ${this.sizeBytes} bytes`);
    }
  }
}

/**
 * Chunks in slab `k`: slabs start small (16 KiB) and double up to 1 MiB, so a small disk costs little
 * and a large one is not carved into many tiny slabs. A slab never exceeds 256 chunks (the slot encoding).
 * slabChunks(-1), asked while a store has no slab yet (its chunkInSlab at 256), answers slab 0's
 * size: anything up to 256 makes allocate open slab 0.
 */
function slabChunks(k: number): number {
  // Cap the shift: 4 << k overflows int32 from k = 29 on (a negative slab size, about 24 MiB in).
  return Math.min(CHUNKS_PER_SLAB, 4 << Math.min(Math.max(k, 0), 6));
}

/** Slabs up to this size are carved from a shared arena; larger ones are buffers of their own. */
const ARENA_SLAB_MAX = 256 * 1024;
const ARENA_BYTES = 1 << 20;
let arena = new Uint8Array(0);
let arenaUsed = 0;

/**
 * A zeroed slab of `bytes` bytes. The small slabs a store starts with (16 KiB, doubling) come from
 * a shared 1 MiB arena, carved once and never handed out again (so still zeros): a library run made
 * about 200 buffers of their own per pass, each a backing store for the GC to track and free.
 */
function newSlab(bytes: number): Uint8Array {
  if (bytes > ARENA_SLAB_MAX) return new Uint8Array(bytes);
  if (arenaUsed + bytes > arena.length) {
    arena = new Uint8Array(ARENA_BYTES);
    arenaUsed = 0;
  }
  const slab = arena.subarray(arenaUsed, arenaUsed + bytes);
  arenaUsed += bytes;
  return slab;
}
