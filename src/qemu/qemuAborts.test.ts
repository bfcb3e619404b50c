import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.js';
import { documentedAbort } from './qemuAborts.js';

const race = { do: 'concurrent', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 2 }, { do: 'checkpoint', side: 'both' }] };
const scenario = parseScenario({ colosim: 1, name: 's', disk: { size: 262144 }, steps: [{ do: 'start', side: 'both' }, race, { do: 'status', side: 'secondary' }, { do: 'status', side: 'secondary' }] });
const abrt = (output: string) => `killed by SIGABRT, its last output: ${output}`;
const idOf = (step: number, seen: string) => documentedAbort(scenario, step, seen)?.id;

describe('documentedAbort', () => {
  it("knows each abort by its exact last output, on 7.2's and 10.0's paths", () => {
    expect(idOf(1, abrt("qemu-system-x86_64: ../../block/block-copy.c:203: block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed."))).toBe('block-copy-conflict-after-checkpoint');
    expect(idOf(1, abrt("qemu-system-x86_64: block/block-copy.c:208: block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed."))).toBe('block-copy-conflict-after-checkpoint');
    expect(idOf(1, abrt("qemu-system-x86_64: ../../block/qcow2-cache.c:330: qcow2_cache_do_get: Assertion `offset != 0' failed."))).toBe('qcow2-cache-offset-zero-after-checkpoint');
    expect(idOf(1, abrt('First cluster in emptied image is in use'))).toBe('qcow2-first-cluster-in-use-after-checkpoint');
  });

  it('at the racing step or the one after it, and nowhere else', () => {
    const first = abrt('First cluster in emptied image is in use');
    expect([idOf(0, first), idOf(1, first), idOf(2, first), idOf(3, first)]).toEqual([undefined, 'qcow2-first-cluster-in-use-after-checkpoint', 'qcow2-first-cluster-in-use-after-checkpoint', undefined]);
  });

  it('a qcow2 image the race left corrupt, met by a SIGSEGV at any later step', () => {
    const corrupt = 'killed by SIGSEGV, its last output: qcow2: Marking image as corrupt: Preventing invalid write on metadata (overlaps with active L2 table); further corruption events will be suppressed';
    expect([idOf(0, corrupt), idOf(1, corrupt), idOf(3, corrupt)]).toEqual([undefined, 'qcow2-corrupt-after-checkpoint-race', 'qcow2-corrupt-after-checkpoint-race']);
    expect(idOf(3, corrupt.replace('SIGSEGV', 'SIGABRT'))).toBeUndefined();
  });

  it('not by another signal, other words, or more output around them', () => {
    expect(idOf(1, 'killed by SIGSEGV, its last output: First cluster in emptied image is in use')).toBeUndefined();
    expect(idOf(1, 'killed by SIGABRT')).toBeUndefined();
    expect(idOf(1, abrt('warning: x | First cluster in emptied image is in use'))).toBeUndefined();
    expect(idOf(1, abrt("qemu-system-x86_64: ../block/io.c:12: f: Assertion `x' failed."))).toBeUndefined();
  });
});
