/*
 * The comparisons leave out only chunks proven unchanged on both sides, never what the step was
 * meant to write: a byte the engine changes anywhere (here written straight into a store, outside
 * every range the steps write, in chunks an earlier comparison found right) is compared at the end
 * of the step that changed it, when that step compares the chunk's cluster, or else at the next
 * whole-disk comparison (also one that leaves out chunks an earlier one found right), and reported
 * with the wrong byte and the step.
 */
import { describe, expect, it } from 'vitest';
import type { ColoPair } from '../colo/ColoPair.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { checkScenario } from './checkScenario.js';

const PATTERN = 0x11;

/**
 * Two primary writes of cluster 0's first 4 KiB, then one of cluster 2's, then two stops without
 * failover (no commit rewrites the secondary disk), each comparing whole disks: the second leaves
 * out the chunks the first found right that nothing changed since.
 */
const scenario = parseScenario({
  colosim: 1,
  name: 'corrupted-store',
  disk: { size: 262144, pattern: PATTERN },
  steps: [
    { do: 'start', side: 'secondary' },
    { do: 'start', side: 'primary' },
    { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 0xa1 },
    { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 0xa2 },
    { do: 'write', vm: 'primary', offset: 131072, length: 4096, pattern: 0xa3 },
    { do: 'stop', side: 'secondary', failover: false },
    { do: 'stop', side: 'primary', failover: false },
  ],
});

/** Run the scenario, writing one wrong byte into a store of the pair just before step `at` runs. */
async function corruptedBefore(at: number, corrupt: (pair: ColoPair) => void) {
  let pair: ColoPair | null = null;
  return checkScenario(scenario, { observe: (_env, p) => (pair = p), beforeStep: (index) => index === at && corrupt(pair!) }, { spec: 'qemu-7.2' });
}

/** One sector of `byte` at `offset` (stores take whole sectors): its first byte is the wrong one. */
function sector(byte: number): Uint8Array {
  return new Uint8Array(512).fill(byte);
}

describe('VerifiedChunks: a corrupted store is still seen', () => {
  it('the clean run has no violation, and step 3 compares cluster 0 that step 2 found right', async () => {
    const checked = await checkScenario(scenario, {}, { spec: 'qemu-7.2' });
    expect(checked.violations).toEqual([]);
    expect(checked.dataCheck.checked).toBe(checked.dataCheck.diskSteps);
  });

  it('a byte of the secondary disk changed behind the steps, inside the cluster step 3 writes but outside its 4 KiB, fails step 3', async () => {
    const checked = await corruptedBefore(3, (pair) => pair.secondary.disks[0]!.disk.store.write(32768, sector(0x5e)));
    expect(checked.violations.map((v) => [v.step, v.invariant, v.message])).toContainEqual([3, 'secondary-tracks-primary', 'the secondary disk: byte at 32768 is 0x5e, the data model allows 0x11']);
    expect(Math.min(...checked.violations.map((v) => v.step))).toBe(3);
  });

  it('a byte of the secondary disk changed in cluster 0, which step 3 found right and step 4 does not write, is seen at the stop, which compares whole disks', async () => {
    const checked = await corruptedBefore(4, (pair) => pair.secondary.disks[0]!.disk.store.write(40960, sector(0x5e)));
    expect(checked.violations.map((v) => [v.step, v.message])).toContainEqual([5, 'the secondary disk: byte at 40960 is 0x5e, the data model allows 0x11']);
    expect(Math.min(...checked.violations.map((v) => v.step))).toBe(5);
  });

  it('a byte of the secondary disk changed after the first stop found it right is seen at the second stop', async () => {
    const checked = await corruptedBefore(6, (pair) => pair.secondary.disks[0]!.disk.store.write(40960, sector(0x5e)));
    expect(checked.violations.map((v) => [v.step, v.invariant, v.message])).toEqual([[6, 'secondary-tracks-primary', 'the secondary disk: byte at 40960 is 0x5e, the data model allows 0x11']]);
  });

  it('a byte of the primary disk rewritten with its old value is no change; with another value it fails the stop', async () => {
    const same = await corruptedBefore(4, (pair) => pair.primary.disks[0]!.local.store.write(65536, sector(PATTERN)));
    expect(same.violations).toEqual([]);
    const other = await corruptedBefore(4, (pair) => pair.primary.disks[0]!.local.store.write(65536, sector(0x5f)));
    const wrong = 'the primary disk: byte at 65536 is 0x5f, the data model allows 0x11';
    // A chunk that failed is never left out: the second stop finds it wrong again.
    expect(other.violations.map((v) => [v.step, v.invariant, v.message])).toEqual([
      [5, 'conformance', wrong],
      [6, 'conformance', wrong],
    ]);
  });
});
