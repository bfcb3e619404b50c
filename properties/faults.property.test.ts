/*
 * Each fault kind gets the outcome it deserves. Tolerated faults (latency, a lost primary) leave
 * every invariant intact and nothing reported beyond the lost side; reported faults surface where
 * QEMU surfaces them: get_error's "I/O error occurred" on the side that swallowed or lost something,
 * a named error for a failed checkpoint, the guest's errno for its own disk, FAILOVER_FAILED for a
 * failed commit. "Reported" is checked only when the fault actually fired.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCase } from '../src/fuzz/runCase.js';
import type { Scenario, ScenarioStep } from '../src/scenario/Scenario.js';
import type { StepResult } from '../src/scenario/StepResult.js';
import type { Fault } from '../src/sim/FaultPlan.js';
import { runs, seed } from './budget.js';

const SIZE = 262144;
const CLUSTER = 65536;
const IO_ERROR = 'I/O error occurred';

const range = fc.tuple(fc.integer({ min: 0, max: SIZE / 512 - 64 }), fc.integer({ min: 1, max: 64 })).map(([s, n]) => ({ offset: s * 512, length: n * 512 }));
const pattern = fc.integer({ min: 1, max: 255 });
const primaryWrite = fc.tuple(range, pattern).map(([r, p]): ScenarioStep => ({ do: 'write', vm: 'primary', ...r, pattern: p }));
const secondaryWrite = fc.tuple(range, pattern).map(([r, p]): ScenarioStep => ({ do: 'write', vm: 'secondary', ...r, pattern: p }));
const read = fc.tuple(fc.constantFrom('primary' as const, 'secondary' as const), range).map(([vm, r]): ScenarioStep => ({ do: 'read', vm, ...r }));
const body = fc.array(fc.oneof(primaryWrite, primaryWrite, secondaryWrite, read), { minLength: 2, maxLength: 12 });

function scenario(name: string, faults: Fault[], steps: ScenarioStep[]): Scenario {
  return {
    colosim: 1,
    name,
    disk: { size: SIZE, pattern: 0x11 },
    chain: 'standard',
    disks: 1,
    profile: 'qemu-7.2',
    engine: { seed: 1, schedule: { policy: 'fifo' }, timing: { diskLatencyTicks: 1000, linkLatencyTicks: 2000, commitChunkBytes: CLUSTER, commitPaceTicks: 1000 }, faults },
    steps,
  };
}

const status = (side: 'primary' | 'secondary'): ScenarioStep => ({ do: 'status', side });
const startBoth: ScenarioStep = { do: 'start', side: 'both' };

/** Run, require no violation, and hand the results and fired faults to the outcome check. */
async function runChecked(s: Scenario): Promise<{ results: StepResult[]; fired: number }> {
  const result = await runCase(s);
  expect(result.violations, JSON.stringify(s)).toEqual([]);
  const fired = [...result.faultsFired.entries()].filter(([k]) => k !== 'latency').reduce((n, [, c]) => n + c, 0);
  return { results: result.document.steps, fired };
}

describe('faults: tolerated ones change nothing, reported ones are reported', () => {
  it('latency anywhere: every step answers as without it', { timeout: 300_000 }, async () => {
    const latency = fc.record({
      node: fc.constantFrom('primary-disk', 'secondary-disk', 'hidden-disk', 'active-disk', 'link'),
      ticks: fc.integer({ min: 1, max: 5_000_000 }),
    });
    await fc.assert(
      fc.asyncProperty(latency, body, async (l, steps) => {
        const plan: Fault[] = [{ kind: 'latency', node: l.node, op: 'any', ticks: l.ticks }];
        const all = [startBoth, ...steps, status('primary'), status('secondary'), { do: 'checkpoint', side: 'both' }, { do: 'failover' }] as ScenarioStep[];
        const slow = await runChecked(scenario('latency', plan, all));
        const fast = await runChecked(scenario('no-latency', [], all));
        expect(slow.results.map(({ index: _, ...r }) => r)).toEqual(fast.results.map(({ index: _, ...r }) => r));
      }),
      { numRuns: runs(60), seed: seed(11) },
    );
  });

  it('a forwarded write that fails (link, secondary disk, hidden disk, dropped link) makes the primary report it', { timeout: 300_000 }, async () => {
    const fault = fc.oneof(
      fc.constantFrom<Fault>(
        { kind: 'io-error', node: 'link', op: 'write', errno: 'EIO' },
        { kind: 'io-error', node: 'secondary-disk', op: 'write', errno: 'EIO' },
        { kind: 'io-error', node: 'secondary-disk', op: 'read', errno: 'EIO' },
        { kind: 'io-error', node: 'hidden-disk', op: 'write', errno: 'ENOSPC' },
        { kind: 'link-drop', link: 'link' },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fault, primaryWrite, body, async (f, write, steps) => {
        const { results, fired } = await runChecked(scenario('forward-fails', [f], [startBoth, ...steps, write, status('primary')]));
        expect(results.at(-2)).toMatchObject({ do: 'write', ok: true });
        if (fired > 0) expect(results.at(-1)).toMatchObject({ ok: true, replicationError: true, desc: IO_ERROR });
      }),
      { numRuns: runs(80), seed: seed(12) },
    );
  });

  it('a failed primary disk read reaches the primary guest as its errno', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(range, body, async (r, steps) => {
        const plan: Fault[] = [{ kind: 'io-error', node: 'primary-disk', op: 'read', errno: 'EIO', offset: r.offset, bytes: r.length }];
        const { results } = await runChecked(scenario('primary-read-fails', plan, [startBoth, ...steps, { do: 'read', vm: 'primary', ...r }]));
        expect(results.at(-1)).toMatchObject({ ok: false, errno: 'EIO' });
      }),
      { numRuns: runs(40), seed: seed(13) },
    );
  });

  it('a failed active disk write reaches the secondary guest, and nothing else', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(secondaryWrite, body, async (write, steps) => {
        const plan: Fault[] = [{ kind: 'io-error', node: 'active-disk', op: 'write', errno: 'EIO', times: 1 }];
        const all = [startBoth, ...steps.filter((s) => !(s.do === 'write' && s.vm === 'secondary')), write, status('secondary')];
        const { results } = await runChecked(scenario('active-write-fails', plan, all));
        expect(results.at(-2)).toMatchObject({ ok: false, errno: 'EIO' });
        expect(results.at(-1)).toMatchObject({ ok: true, replicationError: false });
      }),
      { numRuns: runs(40), seed: seed(14) },
    );
  });

  it('a failed make_empty fails the checkpoint with bdrv_make_empty\'s message', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('active-disk', 'hidden-disk'), body, async (disk, steps) => {
        const plan: Fault[] = [{ kind: 'io-error', node: disk, op: 'make-empty', errno: 'EIO', afterOps: 1, times: 1 }];
        const { results } = await runChecked(scenario('make-empty-fails', plan, [startBoth, ...steps, { do: 'checkpoint', side: 'secondary' }]));
        expect(results.at(-1)).toMatchObject({ ok: false, error: `Failed to empty ${disk}.qcow2: Input/output error` });
      }),
      { numRuns: runs(30), seed: seed(15) },
    );
  });

  it('a backup job that dies is reported by get_error and by the next checkpoint', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(primaryWrite, body, async (write, steps) => {
        const plan: Fault[] = [{ kind: 'job-fail', job: 'backup' }];
        const { results, fired } = await runChecked(scenario('backup-dies', plan, [startBoth, ...steps, write, status('secondary'), { do: 'checkpoint', side: 'secondary' }]));
        expect(fired).toBeGreaterThan(0);
        expect(results.at(-2)).toMatchObject({ ok: true, replicationError: true, desc: IO_ERROR });
        expect(results.at(-1)).toMatchObject({ ok: false, error: 'Backup job was cancelled unexpectedly' });
      }),
      { numRuns: runs(30), seed: seed(16) },
    );
  });

  it('a commit that fails part way leaves FAILOVER_FAILED, reported and refusing start', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), secondaryWrite, body, async (afterOps, write, steps) => {
        const plan: Fault[] = [{ kind: 'job-fail', job: 'commit', afterOps }];
        const all = [startBoth, ...steps, write, { do: 'failover' }, status('secondary'), { do: 'start', side: 'secondary' }] as ScenarioStep[];
        const { results, fired } = await runChecked(scenario('commit-fails', plan, all));
        if (fired === 0) return;
        expect(results.at(-2)).toMatchObject({ ok: true, replicationError: true, desc: IO_ERROR });
        expect(results.at(-1)).toMatchObject({ ok: false, error: 'Block replication is running or done' });
      }),
      { numRuns: runs(40), seed: seed(17) },
    );
  });

  it('a primary lost at any crash point: its steps answer "lost", the secondary takes over cleanly', { timeout: 300_000 }, async () => {
    const point = fc.constantFrom('primary:before-forward', 'primary:after-local-write');
    await fc.assert(
      fc.asyncProperty(point, fc.integer({ min: 0, max: 6 }), body, async (p, afterHits, steps) => {
        const plan: Fault[] = [{ kind: 'crash', point: p, afterHits }];
        const all = [startBoth, ...steps, status('primary'), { do: 'failover' }, status('secondary')] as ScenarioStep[];
        const { results, fired } = await runChecked(scenario('primary-lost', plan, all));
        if (fired > 0) expect(results.at(-3)).toMatchObject({ ok: false, code: 'SIDE_LOST' });
        expect(results.at(-2)).toMatchObject({ ok: true });
        expect(results.at(-1)).toMatchObject({ ok: true, replicationError: false });
      }),
      { numRuns: runs(60), seed: seed(18) },
    );
  });

  it('a secondary lost at any crash point: the primary reports it, then carries on alone after its failover', { timeout: 300_000 }, async () => {
    const point = fc.constantFrom('secondary:before-cow', 'secondary:between-make-empty');
    await fc.assert(
      fc.asyncProperty(point, primaryWrite, body, async (p, write, steps) => {
        // afterHits 1 for make_empty: the first hit is start's own initial checkpoint, before the primary starts.
        const plan: Fault[] = [{ kind: 'crash', point: p, afterHits: p === 'secondary:between-make-empty' ? 1 : 0 }];
        const all = [startBoth, ...steps, { do: 'checkpoint', side: 'both' }, write, { do: 'failover', lost: 'secondary' }, status('primary'), write] as ScenarioStep[];
        const { results } = await runChecked(scenario('secondary-lost', plan, all));
        expect(results.at(-3)).toMatchObject({ ok: true });
        expect(results.at(-2)).toMatchObject({ ok: true, replicationError: false });
        expect(results.at(-1)).toMatchObject({ ok: true });
      }),
      { numRuns: runs(40), seed: seed(19) },
    );
  });
});
