/*
 * Memory of a sparse store: a 1 TiB SectorStore with 1 MiB written in 4 KiB chunks scattered over
 * the whole disk. Reports what the store says it holds and what the process actually gained
 * (ArrayBuffer and heap bytes after a full garbage collection).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SectorStore } from '../block/SectorStore.js';
import type { BenchRow } from './report.js';

const MiB = 1 << 20;
const TiB = 2 ** 40;

/** A handle on V8's collector without restarting node with --expose-gc. */
export function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Collect until the numbers settle: ArrayBuffer memory is released after the sweep, not during it. */
export async function settle(gc: () => void): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

export async function memoryBench(): Promise<BenchRow[]> {
  const gc = collector();
  const before = await settle(gc);
  const store = new SectorStore(TiB, 0xaa);
  const chunk = new Uint8Array(4096).fill(1);
  for (let i = 0; i < 256; i++) store.write(i * 2 ** 32, chunk);
  const after = await settle(gc);
  const held = (after.arrayBuffers - before.arrayBuffers) + (after.heapUsed - before.heapUsed);
  const rows: BenchRow[] = [
    { part: 'memory', name: '1 TiB store, 1 MiB written: allocated chunks', value: store.allocatedBytes / MiB, unit: 'MiB' },
    { part: 'memory', name: '1 TiB store, 1 MiB written: slabs reserved', value: store.reservedBytes / MiB, unit: 'MiB' },
    {
      part: 'memory',
      name: '1 TiB store, 1 MiB written: process growth',
      value: held / MiB,
      unit: 'MiB',
      note: 'ArrayBuffers + heap, after gc',
      target: '<= 4 MiB',
      met: held <= 4 * MiB,
    },
  ];
  // Keep the store alive until after the measurement.
  if (store.sizeBytes !== TiB) throw new Error('unreachable');
  return rows;
}
