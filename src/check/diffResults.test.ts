import { describe, expect, it } from 'vitest';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { diffResults } from './diffResults.js';

function doc(backend: 'engine' | 'qemu', steps: StepResult[], extra: Partial<ResultDocument> = {}): ResultDocument {
  return { scenario: 's', backend, steps, ...extra };
}

describe('diffResults', () => {
  it('finds nothing in identical documents and counts what it compared', () => {
    const steps: StepResult[] = [
      { index: 0, do: 'start', ok: true },
      { index: 1, do: 'read', ok: true, runs: [[17, 512]] },
      { index: 2, do: 'status', ok: true, replicationError: true, desc: 'I/O error occurred' },
    ];
    expect(diffResults(doc('engine', steps), doc('qemu', structuredClone(steps)))).toEqual({ differences: [], compared: 3, skipped: 0, setCompared: 0 });
  });

  it('reports each differing field with both values', () => {
    const engine = doc('engine', [{ index: 0, do: 'read', ok: true, runs: [[17, 512]] }]);
    const qemu = doc('qemu', [{ index: 0, do: 'read', ok: false, errno: 'EINVAL' }]);
    expect(diffResults(engine, qemu).differences).toEqual([
      { step: '0', field: 'ok', engine: true, qemu: false },
      { step: '0', field: 'errno', engine: undefined, qemu: 'EINVAL' },
      { step: '0', field: 'runs', engine: [[17, 512]], qemu: undefined },
    ]);
  });

  it('compares the sub-steps of a concurrent step, named "step.sub"', () => {
    const engine = doc('engine', [{ index: 0, do: 'concurrent', ok: true, steps: [{ index: 0, do: 'failover', ok: true }, { index: 1, do: 'close', ok: true }] }]);
    const qemu = doc('qemu', [
      { index: 0, do: 'concurrent', ok: false, steps: [{ index: 0, do: 'failover', ok: true }, { index: 1, do: 'close', ok: false, error: 'busy' }] },
    ]);
    const diff = diffResults(engine, qemu);
    expect(diff.differences).toEqual([
      { step: '0', field: 'ok', engine: true, qemu: false },
      { step: '0.1', field: 'ok', engine: true, qemu: false },
      { step: '0.1', field: 'error', engine: undefined, qemu: 'busy' },
    ]);
    expect(diff.compared).toBe(3);
  });

  it('does not compare a step either side skipped, but counts it (with its sub-steps)', () => {
    const engine = doc('engine', [
      { index: 0, do: 'write', ok: true },
      { index: 1, do: 'concurrent', ok: true, steps: [{ index: 0, do: 'read', ok: true, runs: [[1, 1]] }] },
    ]);
    const qemu = doc('qemu', [
      { index: 0, do: 'write', ok: false, code: 'SKIPPED', skipped: 'read-only export' },
      { index: 1, do: 'concurrent', ok: false, code: 'SKIPPED', skipped: 'not run', steps: [] },
    ]);
    expect(diffResults(engine, qemu)).toEqual({ differences: [], compared: 0, skipped: 3, setCompared: 0 });
  });

  it('compares a crash by its code only', () => {
    const engine = doc('engine', [{ index: 0, do: 'stop', ok: false, error: 'colosim: NULL dereference in make_empty', code: 'CRASH' }]);
    const same = doc('qemu', [{ index: 0, do: 'stop', ok: false, error: 'colosim: the secondary side crashed: killed by SIGSEGV', code: 'CRASH' }]);
    expect(diffResults(engine, same).differences).toEqual([]);
    const notCrashed = doc('qemu', [{ index: 0, do: 'stop', ok: false, error: 'Backup job was cancelled unexpectedly' }]);
    expect(diffResults(engine, notCrashed).differences).toEqual([{ step: '0', field: 'code', engine: 'CRASH', qemu: undefined }]);
  });

  it('counts an aborted run as a difference, and the steps it never ran', () => {
    const aborted = { step: 1, code: 'DEADLOCK', message: 'nothing can run' };
    const engine = doc('engine', [{ index: 0, do: 'start', ok: true }], { aborted });
    const qemu = doc('qemu', [
      { index: 0, do: 'start', ok: true },
      { index: 1, do: 'write', ok: true },
    ]);
    expect(diffResults(engine, qemu).differences).toEqual([
      { step: 'run', field: 'aborted', engine: aborted, qemu: undefined },
      { step: '1', field: '(step)', engine: 'not run', qemu: 'run' },
    ]);
  });
});
