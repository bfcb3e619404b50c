/* The hunt's shape as data: where its writes go, its qcow2 option lists, and the options reaching the qcow2 nodes. */
import { describe, expect, it } from 'vitest';
import { withQcow2Options } from '../QemuPair.js';
import { DEFAULT_HUNT_SHAPE, formatQcow2Options, parseQcow2Options, primaryWrites, secondaryWrites } from './HuntShape.js';

describe('HuntShape', () => {
  it('puts the primary writes at every other cluster and one secondary write in an odd cluster of each slice', () => {
    const shape = { ...DEFAULT_HUNT_SHAPE, primaryClusters: 3, secondaryWrites: 4, diskSizeBytes: 64 * 1024 * 1024 };
    expect(primaryWrites(shape)).toEqual([
      { offset: 0, length: 4096, pattern: 0xa5 },
      { offset: 131072, length: 4096, pattern: 0xa5 },
      { offset: 262144, length: 4096, pattern: 0xa5 },
    ]);
    // 64 MiB / 4 = 16 MiB slices; each write one cluster (64 KiB) into its slice.
    expect(secondaryWrites(shape)).toEqual([
      { offset: 65536, length: 4096, pattern: 1 },
      { offset: 16842752, length: 4096, pattern: 2 },
      { offset: 33619968, length: 4096, pattern: 3 },
      { offset: 50397184, length: 4096, pattern: 4 },
    ]);
  });

  it('parses and prints qcow2 option lists', () => {
    expect(parseQcow2Options('l2-cache-entry-size=4096,l2-cache-size=8192,lazy-refcounts=on,cache-clean-interval=0')).toEqual({
      'l2-cache-entry-size': 4096,
      'l2-cache-size': 8192,
      'lazy-refcounts': true,
      'cache-clean-interval': 0,
    });
    expect(parseQcow2Options('')).toEqual({});
    expect(() => parseQcow2Options('l2-cache-size')).toThrow('qcow2 option "l2-cache-size" is not NAME=VALUE');
    expect(formatQcow2Options({ 'l2-cache-size': 8192, 'lazy-refcounts': false })).toBe('l2-cache-size=8192,lazy-refcounts=off');
  });

  it('gives the options to the active and hidden qcow2 nodes only', () => {
    const spec = {
      driver: 'replication',
      'node-name': 'replication-secondary',
      file: { driver: 'qcow2', 'node-name': 'active-disk', file: { driver: 'file', filename: 'a' }, backing: { driver: 'qcow2', 'node-name': 'hidden-disk', file: { driver: 'file', filename: 'h' }, backing: 'secondary-disk' } },
    };
    expect(withQcow2Options(spec, { 'l2-cache-size': 8192 })).toEqual({
      driver: 'replication',
      'node-name': 'replication-secondary',
      file: {
        driver: 'qcow2',
        'node-name': 'active-disk',
        'l2-cache-size': 8192,
        file: { driver: 'file', filename: 'a' },
        backing: { driver: 'qcow2', 'node-name': 'hidden-disk', 'l2-cache-size': 8192, file: { driver: 'file', filename: 'h' }, backing: 'secondary-disk' },
      },
    });
    expect(withQcow2Options(spec, undefined)).toBe(spec);
  });
});
