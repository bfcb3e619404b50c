/*
 * A small map of each disk of one replicated disk pair after a step, for the counterexample
 * timeline: the primary disk, the secondary disk, hidden and active, cut into cells of whole 64 KiB
 * clusters (at most MAX_CELLS cells; big disks put several clusters in a cell). A cell is
 * "differs" when some byte the engine holds there is not one the data model admits (a lost write
 * too: the model's bytes are compared wherever it has them, allocated in the engine or not), "alloc"
 * when the layer holds data there (raw disks: written since the start; overlays: allocated
 * clusters), "empty" otherwise, and "n/a" when the layer cannot be peeked (a lost side, an ejected
 * node). The engine is only peeked, never read through the simulation. Limits: buffers are compared
 * only where the model holds data (after a failover the model may drop them first).
 */
import { admits, isAnyByte } from '../../models/data/ByteSet.js';
import { type ExpectedRun, COW_CLUSTER_BYTES, type ReplicationData, bufferDisk, primaryDisk, secondaryDisk } from '../../models/data/ReplicationData.js';
import { PeekUnavailable } from '../block/BlockNode.js';
import type { ColoPair } from '../colo/ColoPair.js';

export const MAX_CELLS = 64;
export const DISK_LAYERS = ['primary', 'secondary', 'hidden', 'active'] as const;
export type DiskLayer = (typeof DISK_LAYERS)[number];
export type CellState = 'empty' | 'alloc' | 'differs' | 'n/a';

export interface DiskMap {
  readonly layer: DiskLayer;
  readonly cellBytes: number;
  readonly cells: readonly CellState[];
  /** Bytes the engine holds that the data model does not admit. */
  readonly differingBytes: number;
}

interface Range {
  readonly offset: number;
  readonly bytes: number;
}

/** The four maps of disk `index` as the engine and the model hold it now; a lost side's layers are n/a. */
export function clusterMaps(pair: ColoPair, model: ReplicationData | undefined, lost: ReadonlySet<string>, index = 0): DiskMap[] {
  const size = model?.sizeBytes ?? pair.primary.disks[index]?.local.length ?? 0;
  const cellBytes = Math.max(1, Math.ceil(size / COW_CLUSTER_BYTES / MAX_CELLS)) * COW_CLUSTER_BYTES;
  const pd = pair.primary.disks[index];
  const sd = pair.secondary.disks[index];
  const layers: Record<DiskLayer, () => LayerView> = {
    primary: () => ({ allocated: pd!.local.store.writtenRanges(), peek: (o, n) => pd!.local.peek(o, n), expected: model ? (o, n) => primaryDisk(model, o, n) : undefined }),
    secondary: () => ({ allocated: sd!.disk.store.writtenRanges(), peek: (o, n) => sd!.disk.peek(o, n), expected: model ? (o, n) => secondaryDisk(model, o, n) : undefined }),
    hidden: () => bufferView(sd!.hidden, model, 'hidden'),
    active: () => bufferView(sd!.active, model, 'active'),
  };
  return DISK_LAYERS.map((layer) => {
    const alive = layer === 'primary' ? pd !== undefined && !lost.has('primary') : sd !== undefined && !lost.has('secondary');
    if (!alive) return { layer, cellBytes, cells: cellsOf(size, cellBytes).map(() => 'n/a'), differingBytes: 0 };
    try {
      return mapOf(layer, layers[layer](), size, cellBytes);
    } catch (error) {
      if (error instanceof PeekUnavailable) return { layer, cellBytes, cells: cellsOf(size, cellBytes).map(() => 'n/a'), differingBytes: 0 };
      throw error;
    }
  });
}

interface LayerView {
  readonly allocated: readonly Range[];
  readonly peek: (offset: number, bytes: number) => Uint8Array;
  /** The model's runs over a range (undefined: no model to compare with). */
  readonly expected: ((offset: number, bytes: number) => readonly ExpectedRun[]) | undefined;
}

function bufferView(node: { allocatedRanges(): Range[]; peekLayer(offset: number, out: Uint8Array): Uint8Array }, model: ReplicationData | undefined, disk: 'active' | 'hidden'): LayerView {
  const modelRuns = model ? bufferDisk(model, disk) : undefined;
  return {
    allocated: node.allocatedRanges(),
    peek: (offset, bytes) => node.peekLayer(offset, new Uint8Array(bytes)),
    expected: modelRuns ? (offset, bytes) => modelRuns.filter((r) => r.offset < offset + bytes && r.offset + r.length > offset) : undefined,
  };
}

function mapOf(layer: DiskLayer, view: LayerView, size: number, cellBytes: number): DiskMap {
  let differingBytes = 0;
  const cells = cellsOf(size, cellBytes).map((cell): CellState => {
    const held = view.allocated.some((r) => r.offset < cell.offset + cell.bytes && r.offset + r.bytes > cell.offset);
    const differs = differingIn(view, cell);
    differingBytes += differs;
    return differs > 0 ? 'differs' : held ? 'alloc' : 'empty';
  });
  return { layer, cellBytes, cells, differingBytes };
}

/** Bytes of `range` the engine holds that the model's runs there do not admit (only where the model has runs). */
function differingIn(view: LayerView, range: Range): number {
  if (!view.expected) return 0;
  const runs = view.expected(range.offset, range.bytes).filter((run) => !isAnyByte(run.values));
  if (runs.length === 0) return 0;
  const bytes = view.peek(range.offset, range.bytes);
  let n = 0;
  for (const run of runs) {
    const start = Math.max(run.offset, range.offset) - range.offset;
    const end = Math.min(run.offset + run.length, range.offset + range.bytes) - range.offset;
    const only = run.values.length === 1 ? run.values[0]! : undefined;
    if (only !== undefined) for (let at = start; at < end; at++) n += bytes[at] === only ? 0 : 1;
    else for (let at = start; at < end; at++) if (!admits(run.values, bytes[at]!)) n++;
  }
  return n;
}

function cellsOf(size: number, cellBytes: number): Range[] {
  const out: Range[] = [];
  for (let offset = 0; offset < size; offset += cellBytes) out.push({ offset, bytes: Math.min(cellBytes, size - offset) });
  return out;
}
