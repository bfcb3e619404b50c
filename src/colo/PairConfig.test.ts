/* The node-name suffixes and the export names through which scenario I/O reaches each side's nodes. */
import { describe, expect, it } from 'vitest';
import { IO_TARGETS } from '../scenario/Scenario.js';
import { diskSuffix, exportName } from './PairConfig.js';

describe('PairConfig: names', () => {
  it('disk 0 has no suffix, the others .N', () => {
    expect([0, 1, 2, 10].map(diskSuffix)).toEqual(['', '.1', '.2', '.10']);
  });

  it("each side exports the VM disk and its disk; the primary its replication node, while the secondary's replication target is its VM disk (a BlockBackend on the replication node)", () => {
    const names = (index: number) => IO_TARGETS.map((t) => [t, exportName('primary', t, index), exportName('secondary', t, index)]);
    expect(names(0)).toEqual([
      ['vm', 'primary-vm', 'secondary-vm'],
      ['replication', 'replication-primary', 'secondary-vm'],
      ['disk', 'primary-disk', 'secondary-disk'],
    ]);
    expect(names(2)).toEqual([
      ['vm', 'primary-vm.2', 'secondary-vm.2'],
      ['replication', 'replication-primary.2', 'secondary-vm.2'],
      ['disk', 'primary-disk.2', 'secondary-disk.2'],
    ]);
  });
});
