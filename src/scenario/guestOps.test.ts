/*
 * Write-zeroes, discard and flush on the engine, through the scenario steps a guest issues: what
 * QEMU 7.2's block layer does for a replication node that implements none of them (zero writes as
 * writes of zeros, discard dropped, flush passed to every child), checked exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Fault } from '../sim/FaultPlan.js';
import { parseScenario } from './parseScenario.js';
import { runScenarioOnEngine } from './runScenarioOnEngine.js';
import type { ScenarioStep } from './Scenario.js';

function scenario(steps: readonly ScenarioStep[], faults: readonly Fault[] = []) {
  return parseScenario({ colosim: 1, name: 'guest-ops', disk: { size: 262144, pattern: 17 }, engine: { faults }, steps });
}

const flushFault = (node: string, errno: 'EIO' | 'ENOSPC' | 'EPERM'): Fault => ({ kind: 'io-error', node, op: 'flush', errno });

describe('flush on the secondary\'s replication node', () => {
  const steps: ScenarioStep[] = [
    { do: 'start', side: 'both' },
    { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 },
    { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 2 },
    { do: 'flush', vm: 'secondary' },
  ];
  const flushResult = async (faults: Fault[]) => {
    const { document, env } = await runScenarioOnEngine(scenario(steps, faults));
    return [document.steps[3]!.errno ?? 'ok', env.faults.firedPerFault()];
  };

  it('flushes the secondary disk, hidden and active, in QEMU\'s child order, every one even after a failure', async () => {
    const all = [flushFault('active-disk', 'EPERM'), flushFault('hidden-disk', 'EIO'), flushFault('secondary-disk', 'ENOSPC')];
    expect(await flushResult(all)).toEqual(['ENOSPC', [1, 1, 1]]);
    expect(await flushResult(all.slice(0, 2))).toEqual(['EIO', [1, 1]]);
    expect(await flushResult(all.slice(0, 1))).toEqual(['EPERM', [1]]);
  });
});

describe('guest operations before start', () => {
  it('a flush and a discard succeed in stage NONE, where write-zeroes fails like a write', async () => {
    const { document } = await runScenarioOnEngine(
      scenario([
        { do: 'flush', vm: 'secondary' },
        { do: 'discard', vm: 'secondary', offset: 0, length: 4096 },
        { do: 'write-zeroes', vm: 'secondary', offset: 0, length: 4096 },
        { do: 'write-zeroes', vm: 'primary', offset: 0, length: 4096, unmap: true },
        { do: 'read', vm: 'primary', offset: 0, length: 8192 },
      ]),
    );
    expect(document.steps.map((s) => [s.ok, s.errno ?? null])).toEqual([
      [true, null],
      [true, null],
      [false, 'EIO'],
      [true, null],
      [true, null],
    ]);
    // The primary's quorum: the local disk took the zeros, the replication child refused them (NONE), one success is enough.
    expect(document.steps[4]!.runs).toEqual([
      [0, 4096],
      [17, 4096],
    ]);
  });
});
