/*
 * SectorStore throughput: 4 KiB writes and reads over a 64 MiB region whose chunks are already
 * allocated (steady state), next to a plain Buffer.copy of the same 4 KiB blocks into and out of one
 * flat 64 MiB buffer, measured in the same process in alternating slices. The ratio is what the
 * store's sparse map costs.
 */
import { SectorStore } from '../block/SectorStore.js';
import type { BenchRow } from './report.js';
import { interleavedRates } from './timing.js';

const BLOCK = 4096;
const REGION = 64 << 20;
const BLOCKS = REGION / BLOCK;
const MiB = 1 << 20;

/** Keeps results observable so no loop is optimised away. */
let sink = 0;

export function storeBench(sliceSeconds: number, rounds: number): BenchRow[] {
  const data = new Uint8Array(BLOCK).fill(0x5a);
  const store = new SectorStore(1 << 30);
  for (let b = 0; b < BLOCKS; b++) store.write(b * BLOCK, data);
  const dest = new Uint8Array(BLOCK);
  const flat = Buffer.alloc(REGION);
  const src = Buffer.from(data);
  const small = Buffer.alloc(BLOCK);

  const rates = interleavedRates(
    [
      {
        name: 'store write',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) store.write(b * BLOCK, data);
        },
      },
      {
        name: 'store read',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) sink += store.read(b * BLOCK, BLOCK)[b & (BLOCK - 1)]!;
        },
      },
      {
        name: 'store readInto',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) {
            store.readInto(b * BLOCK, dest, 0, BLOCK);
            sink += dest[b & (BLOCK - 1)]!;
          }
        },
      },
      {
        name: 'copy in',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) src.copy(flat, b * BLOCK);
        },
      },
      {
        name: 'copy out fresh',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) {
            const out = new Uint8Array(BLOCK);
            flat.copy(out, 0, b * BLOCK, b * BLOCK + BLOCK);
            sink += out[b & (BLOCK - 1)]!;
          }
        },
      },
      {
        name: 'copy out',
        units: REGION,
        pass: () => {
          for (let b = 0; b < BLOCKS; b++) {
            flat.copy(small, 0, b * BLOCK, b * BLOCK + BLOCK);
            sink += small[b & (BLOCK - 1)]!;
          }
        },
      },
    ],
    rounds,
    sliceSeconds,
  );
  if (sink === -1) console.log(sink);

  const get = (name: string): number => rates.get(name)!;
  const mibps = (bytesPerSecond: number): number => bytesPerSecond / MiB;
  const percent = (a: number, b: number): string => `${Math.round((a / b) * 100)}%`;
  const versusCopy = (name: string, store: number, copy: number): BenchRow => ({
    part: 'store',
    name,
    value: mibps(store),
    unit: 'MiB/s',
    note: `${percent(store, copy)} of Buffer.copy`,
    target: '>= 30%',
    met: store / copy >= 0.3,
  });
  return [
    versusCopy('4 KiB write (chunks allocated)', get('store write'), get('copy in')),
    versusCopy('4 KiB read (store.readInto)', get('store readInto'), get('copy out')),
    {
      part: 'store',
      name: '4 KiB read (store.read, fresh buffer)',
      value: mibps(get('store read')),
      unit: 'MiB/s',
      note: `${percent(get('store read'), get('copy out'))} of copy, ${percent(get('store read'), get('copy out fresh'))} of copy+alloc`,
    },
    { part: 'store', name: 'Buffer.copy 4 KiB into flat 64 MiB', value: mibps(get('copy in')), unit: 'MiB/s' },
    { part: 'store', name: 'Buffer.copy 4 KiB out of flat 64 MiB', value: mibps(get('copy out')), unit: 'MiB/s' },
    { part: 'store', name: 'Buffer.copy 4 KiB out into new Uint8Array', value: mibps(get('copy out fresh')), unit: 'MiB/s' },
  ];
}
