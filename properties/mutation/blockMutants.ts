/*
 * Mutants of the generic block-layer front (block/io.c) that every node of both sides shares: the
 * read-modify-write of unaligned edges (bdrv_padding_rmw_read).
 */
import { BlockNode } from '../../src/block/BlockNode.js';
import { type Mutant, inside, patch } from './Mutant.js';

interface FrontInside {
  readonly alignment: number;
  readEdge(edge: number, bytes: number, out: Uint8Array, start: number, requestId: number | undefined): Promise<unknown>;
}

export const BLOCK_MUTANTS: readonly Mutant[] = [
  {
    name: 'unaligned-write-not-padded',
    breaks: 'an unaligned write reaches the driver with zeros around it instead of the old edge sectors (bdrv_padding_rmw_read skipped)',
    expect: ['secondary-tracks-primary', 'no-lost-acknowledged-write', 'cow-isolation', 'checkpoint-sync', 'failover-preserves-view'],
    apply: () =>
      patch(BlockNode.prototype, 'padded', () =>
        async function (this: unknown, ...args: unknown[]) {
          const [start, end, offset, data] = args as [number, number, number, Uint8Array];
          const out = new Uint8Array(end - start);
          out.set(data, offset - start);
          return out;
        },
      ),
  },
  {
    name: 'unaligned-tail-not-read',
    breaks: 'an unaligned write reads only its head sector; the tail sector is padded with zeros',
    expect: ['secondary-tracks-primary', 'no-lost-acknowledged-write', 'cow-isolation', 'checkpoint-sync', 'failover-preserves-view'],
    apply: () =>
      patch(BlockNode.prototype, 'padded', () =>
        async function (this: unknown, ...args: unknown[]) {
          const [start, end, offset, data, requestId] = args as [number, number, number, Uint8Array, number | undefined];
          const front = inside<FrontInside>(this);
          const out = new Uint8Array(end - start);
          if (offset % front.alignment !== 0) await front.readEdge(start, front.alignment, out, start, requestId);
          out.set(data, offset - start);
          return out;
        },
      ),
  },
];
