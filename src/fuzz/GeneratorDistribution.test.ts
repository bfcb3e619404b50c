/*
 * The generator's distribution counts exactly what a case's scenario and swarm say.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, type Scenario } from '../scenario/Scenario.js';
import { emptyDistribution, recordCase, sizeBucket } from './GeneratorDistribution.js';

const scenario: Scenario = {
  colosim: 1,
  name: 'd',
  disk: { size: 65536 + 512, pattern: 0 },
  chain: 'standard',
  disks: 2,
  profile: 'qemu-7.2',
  engine: {
    seed: 0,
    schedule: { policy: 'fifo' },
    timing: DEFAULT_TIMING,
    faults: [
      { kind: 'io-error', node: 'hidden-disk.1', op: 'flush', errno: 'EIO' },
      { kind: 'crash', point: 'secondary:during-commit' },
    ],
  },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'write', vm: 'primary', offset: 1, length: 100, pattern: 3, disk: 1 },
    { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'status', side: 'secondary' }, { do: 'read', vm: 'secondary', offset: 0, length: 8192 }] },
    { do: 'stop', side: 'secondary', failover: true },
  ],
};

describe('GeneratorDistribution', () => {
  it('counts steps (group members included), sizes, faults, widths, disks, disk size and swarm', () => {
    const d = emptyDistribution();
    recordCase(d, { scenario, swarm: { ops: ['write-primary', 'concurrent'], faults: ['crash'], slowCommit: true } });
    expect(d).toEqual({
      ops: { 'start:both': 1, 'write:primary': 1, concurrent: 1, 'failover:primary-lost': 1, 'status:secondary': 1, 'read:secondary': 1, 'stop:secondary:failover': 1 },
      ioSizes: { '<512': 1, unaligned: 1, '<=64KiB': 1 },
      faults: { 'io-error:flush': 1, 'crash:secondary:during-commit': 1 },
      concurrencyWidths: { '3': 1 },
      disks: { '2': 1 },
      diskSizes: { 'partial last cluster': 1 },
      swarm: { 'op:write-primary': 1, 'op:concurrent': 1, 'fault:crash': 1, 'slow-commit': 1 },
    });
  });

  it('buckets sizes at one sector, 4 KiB and one cluster', () => {
    expect([1, 511, 512, 513, 4096, 4097, 65536, 65537].map(sizeBucket)).toEqual(['<512', '<512', '512', '<=4KiB', '<=4KiB', '<=64KiB', '<=64KiB', '>64KiB']);
  });
});
