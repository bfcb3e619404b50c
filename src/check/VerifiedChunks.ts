/*
 * Which 4 KiB chunks of one engine layer (the primary disk, the secondary disk, the secondary VM's
 * view) last held against the data model: the write-clock tick of that comparison (WriteClock.ts)
 * and the one set of bytes the model allowed over the whole chunk then. A chunk is left out of a
 * comparison only by proof, never by what the checker thinks the step wrote: the model allows
 * exactly that set there again, and the layer's peekStamp shows that nothing its peek reads (any
 * store's write, zero or clear, at any offset, any cluster-map or graph change, whoever made it)
 * changed since that tick. Its bytes are then the bytes that held, against the same set: comparing
 * it would hold again, so the verdict and the first wrong byte of a comparison are those of
 * comparing everything. A chunk the model allows more than one set over (a run edge inside it) is
 * always compared; so is a partial chunk at either end of a range.
 */
import type { ByteSet } from '../../models/data/ByteSet.js';
import { sameBytes } from '../../models/data/ByteSet.js';
import type { ExpectedRun } from '../../models/data/ReplicationData.js';
import type { BlockNode } from '../block/BlockNode.js';
import { CHUNK_SIZE } from '../block/SectorStore.js';
import { currentTick } from '../block/WriteClock.js';
import type { ByteRange } from './DirtyRanges.js';

/** Chunks per page of the record (1 MiB of disk): a disk's record is sized by what was compared. */
const PAGE = 256;

interface Page {
  /** The tick each chunk last held at. */
  readonly tick: Float64Array;
  /** The set the model allowed over the whole chunk then (undefined: never held). */
  readonly values: (ByteSet | undefined)[];
}

/** Per chunk of the range being planned: the tick it held at, if it held with the set the model allows now (else -1), and its stamp. */
let heldAt = new Float64Array(64);
let stamps = new Float64Array(64);
/** The plan of a range with nothing to leave out, reused (plans are used before the next is made). */
const WHOLE: ByteRange[] = [];

export class VerifiedChunks {
  private readonly pages = new Map<number, Page>();

  /**
   * The parts of `r` that must still be compared against `expected` (which covers `r` in order),
   * merged, in disk order: all of `r` but the whole chunks proven unchanged on both sides. Valid
   * until the next call.
   */
  toCompare(node: BlockNode, r: ByteRange, expected: readonly ExpectedRun[]): readonly ByteRange[] {
    const end = r.offset + r.bytes;
    const first = Math.ceil(r.offset / CHUNK_SIZE);
    const last = Math.floor(end / CHUNK_SIZE);
    WHOLE[0] = r;
    // Only chunks the model still allows the set they held with can be left out; the engine is asked only then.
    if (last <= first || !this.heldAsNow(first, last, expected)) return WHOLE;
    stamps.fill(0, 0, last - first);
    node.peekStamps(first * CHUNK_SIZE, (last - first) * CHUNK_SIZE, stamps, first);
    const out: ByteRange[] = [];
    let from = r.offset;
    for (let k = 0; k < last - first; k++) {
      if (heldAt[k]! < 0 || stamps[k]! > heldAt[k]!) continue;
      const start = (first + k) * CHUNK_SIZE;
      if (start > from) out.push({ offset: from, bytes: start - from });
      from = start + CHUNK_SIZE;
    }
    if (end > from) out.push({ offset: from, bytes: end - from });
    return out;
  }

  /**
   * `r` held against `expected` now: remember each whole chunk the model allowed one set over,
   * run by run (the whole chunks of `r` inside it), a page's stretch of them in one fill.
   */
  held(r: ByteRange, expected: readonly ExpectedRun[]): void {
    const now = currentTick();
    const first = Math.ceil(r.offset / CHUNK_SIZE);
    const last = Math.floor((r.offset + r.bytes) / CHUNK_SIZE);
    for (const run of expected) {
      const from = Math.max(first, Math.ceil(run.offset / CHUNK_SIZE));
      const to = Math.min(last, Math.floor((run.offset + run.length) / CHUNK_SIZE));
      for (let c = from; c < to; ) {
        const key = Math.floor(c / PAGE);
        const stop = Math.min(to, (key + 1) * PAGE);
        let page = this.pages.get(key);
        if (page === undefined) this.pages.set(key, (page = { tick: new Float64Array(PAGE), values: new Array<ByteSet | undefined>(PAGE).fill(undefined) }));
        page.tick.fill(now, c - key * PAGE, stop - key * PAGE);
        page.values.fill(run.values, c - key * PAGE, stop - key * PAGE);
        c = stop;
      }
    }
  }

  /** Fill heldAt for the chunks [first, last); whether any held with the set the model allows over it now. */
  private heldAsNow(first: number, last: number, expected: readonly ExpectedRun[]): boolean {
    if (heldAt.length < last - first) {
      heldAt = new Float64Array(Math.max(last - first, 2 * heldAt.length));
      stamps = new Float64Array(heldAt.length);
    }
    let any = false;
    let cursor = 0;
    let key = -1;
    let page: Page | undefined;
    for (let c = first; c < last; c++) {
      if (Math.floor(c / PAGE) !== key) {
        key = Math.floor(c / PAGE);
        page = this.pages.get(key);
      }
      const held = page?.values[c % PAGE];
      heldAt[c - first] = -1;
      if (held === undefined) continue;
      cursor = runAt(expected, cursor, c * CHUNK_SIZE);
      const set = singleSet(expected[cursor], c * CHUNK_SIZE);
      if (set === null || !sameBytes(held, set)) continue;
      heldAt[c - first] = page!.tick[c % PAGE]!;
      any = true;
    }
    return any;
  }
}

/** The index of the first run from `cursor` on that ends after `offset`. */
function runAt(expected: readonly ExpectedRun[], cursor: number, offset: number): number {
  let i = cursor;
  while (i < expected.length && expected[i]!.offset + expected[i]!.length <= offset) i++;
  return i;
}

/** The set `run` allows over the whole chunk at `start`, or null if the run does not cover it. */
function singleSet(run: ExpectedRun | undefined, start: number): ByteSet | null {
  if (run === undefined || run.offset > start || run.offset + run.length < start + CHUNK_SIZE) return null;
  return run.values;
}
