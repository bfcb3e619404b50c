import { describe, expect, it } from 'vitest';
import { layOutFaults, parseEngineNode, rulesFor } from './FaultMapping.js';

describe('parseEngineNode', () => {
  it('reads the disk index from the ".N" suffix', () => {
    expect(parseEngineNode('secondary-disk')).toEqual({ node: 'secondary-disk', disk: 0 });
    expect(parseEngineNode('link.2')).toEqual({ node: 'link', disk: 2 });
    expect(parseEngineNode('hidden-disk.0')).toBeUndefined();
    expect(parseEngineNode('quorum')).toBeUndefined();
  });
});

describe('layOutFaults', () => {
  it('turns a sector range into one blkdebug rule per sector, armed at open (event none)', () => {
    const layout = layOutFaults([{ kind: 'io-error', node: 'primary-disk.1', op: 'write', errno: 'ENOSPC', offset: 1000, bytes: 100 }], 2, 1 << 20);
    expect(rulesFor(layout, 'primary-disk', 1)).toEqual([
      { event: 'none', iotype: 'write', errno: 28, sector: 1 },
      { event: 'none', iotype: 'write', errno: 28, sector: 2 },
    ]);
    expect(rulesFor(layout, 'primary-disk', 0)).toEqual([]);
    expect(layout.skipped).toEqual([]);
  });

  it('maps whole-disk, once-only and make-empty faults', () => {
    const layout = layOutFaults(
      [
        { kind: 'io-error', node: 'link', op: 'any', errno: 'EIO', times: 1 },
        { kind: 'io-error', node: 'hidden-disk', op: 'make-empty', errno: 'EIO' },
      ],
      1,
      1 << 20,
    );
    expect(rulesFor(layout, 'link', 0)).toEqual([{ event: 'none', errno: 5, once: true }]);
    // persistent: the first make_empty fails (blkdebug stays in state 1)
    expect(rulesFor(layout, 'hidden-disk', 0)).toEqual([{ event: 'empty_image_prepare', state: 1, iotype: 'write-zeroes', errno: 5, once: true }]);
  });

  it('counts make_empty calls with blkdebug states for afterOps and times', () => {
    const layout = layOutFaults([{ kind: 'io-error', node: 'active-disk.1', op: 'make-empty', errno: 'ENOSPC', afterOps: 1, times: 1 }], 2, 1 << 20);
    expect(rulesFor(layout, 'active-disk', 1)).toEqual([
      { event: 'empty_image_prepare', state: 1, new_state: 2 },
      { event: 'empty_image_prepare', state: 2, new_state: 3 },
      { event: 'empty_image_prepare', state: 2, iotype: 'write-zeroes', errno: 28, once: true },
    ]);
    expect(layout.blocking).toEqual([]);
  });

  it('marks every skipped fault but latency as blocking (the scenario cannot run without it)', () => {
    const layout = layOutFaults(
      [
        { kind: 'latency', node: 'link', op: 'any', ticks: 5 },
        { kind: 'job-fail', job: 'backup' },
      ],
      1,
      1 << 20,
    );
    expect(layout.skipped.map((s) => s.where)).toEqual(['engine.faults[0]', 'engine.faults[1]']);
    expect(layout.blocking.map((s) => s.where)).toEqual(['engine.faults[1]']);
  });

  it('skips what blkdebug cannot express, with the reason and the fault path', () => {
    const layout = layOutFaults(
      [
        { kind: 'crash', point: 'x' },
        { kind: 'io-error', node: 'active-disk', op: 'write', errno: 'EIO' },
        { kind: 'io-error', node: 'secondary-disk', op: 'read', errno: 'EIO', afterOps: 3 },
        { kind: 'io-error', node: 'secondary-disk', op: 'read', errno: 'EIO', offset: 0, bytes: 1024, times: 1 },
        { kind: 'io-error', node: 'secondary-disk.1', op: 'read', errno: 'EIO' },
        { kind: 'io-error', node: 'secondary-disk', op: 'read', errno: 'EIO', fromTick: 10 },
      ],
      1,
      1 << 20,
    );
    expect(layout.skipped.map((s) => s.where)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `engine.faults[${i}]`));
    expect(layout.skipped[3]!.reason).toBe('a once-only fault over more than one sector would fire once per sector in blkdebug');
    expect(layout.skipped[4]!.reason).toBe('node "secondary-disk.1" names disk 1 but the scenario has 1 disk(s)');
    expect(layout.rules.size).toBe(0);
  });
});
