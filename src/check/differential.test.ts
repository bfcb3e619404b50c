import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { QemuSession } from '../qemu/QemuBackend.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../qemu/qemuTestSupport.js';
import { parseScenario, parseScenarioText } from '../scenario/parseScenario.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { DIFFERENTIAL_DISK_BYTES, compareDocuments, differentialScenarioArbitrary, runDifferential, unpredictedCrash, writeMinimalScenario } from './differential.js';

describe('differentialScenarioArbitrary', () => {
  it('draws valid one-disk scenarios of the steps both backends run, aligned and unaligned', () => {
    const files = fc.sample(differentialScenarioArbitrary(), { numRuns: 300, seed: 42 });
    const kinds = new Set<string>();
    let unaligned = 0;
    for (const file of files) {
      const scenario = parseScenario(file);
      expect(scenario.disks).toBe(1);
      expect(scenario.disk.size).toBe(DIFFERENTIAL_DISK_BYTES);
      expect(scenario.engine.faults).toEqual([]);
      for (const step of scenario.steps) {
        kinds.add(step.do);
        if ((step.do === 'read' || step.do === 'write') && (step.offset % 512 !== 0 || step.length % 512 !== 0)) unaligned++;
        if ((step.do === 'write' || step.do === 'write-zeroes' || step.do === 'discard') && step.vm === 'primary') expect(step.node).toBeUndefined();
      }
    }
    expect([...kinds].sort()).toEqual(['checkpoint', 'discard', 'failover', 'flush', 'read', 'start', 'status', 'stop', 'write', 'write-zeroes']);
    expect(unaligned).toBeGreaterThan(0);
  });

  it('draws one fault QEMU can express when asked to', () => {
    const files = fc.sample(differentialScenarioArbitrary({ faults: true }), { numRuns: 200, seed: 7 });
    const faulted = files.map((f) => parseScenario(f)).filter((s) => s.engine.faults.length > 0);
    expect(faulted.length).toBeGreaterThan(50);
    for (const s of faulted) expect(s.engine.faults).toHaveLength(1);
  });
});

describe('unpredictedCrash', () => {
  const doc = (backend: 'engine' | 'qemu', steps: StepResult[]): ResultDocument => ({ scenario: 's', backend, steps });
  const ok = (index: number, what: string): StepResult => ({ index, do: what, ok: true });
  const crash = (index: number, what: string, side: string, seen: string): StepResult => ({
    index,
    do: what,
    ok: false,
    error: `colosim: the ${side} side crashed: ${seen}`,
    code: 'CRASH',
  });

  it('names the process, how it died and the step of a QEMU crash the engine does not predict', () => {
    const engine = doc('engine', [ok(0, 'start'), ok(1, 'write'), ok(2, 'read')]);
    const qemu = doc('qemu', [ok(0, 'start'), crash(1, 'write', 'secondary', 'killed by SIGKILL'), { index: 2, do: 'read', ok: false, code: 'SIDE_LOST' }]);
    const failure = unpredictedCrash(engine, qemu);
    expect([failure?.code, failure?.step, failure?.message]).toEqual([
      'QEMU_CRASHED',
      '1',
      'the secondary QEMU crashed (killed by SIGKILL) at step 1 (write), where the engine predicts no crash',
    ]);
  });

  it('finds it inside a concurrent step', () => {
    const engine = doc('engine', [ok(0, 'start'), { index: 1, do: 'concurrent', ok: true, steps: [ok(0, 'write'), ok(1, 'read')] }]);
    const qemu = doc('qemu', [ok(0, 'start'), { index: 1, do: 'concurrent', ok: false, steps: [ok(0, 'write'), crash(1, 'read', 'primary', 'exit code 1')] }]);
    expect(unpredictedCrash(engine, qemu)?.message).toBe('the primary QEMU crashed (exit code 1) at step 1.1 (read), where the engine predicts no crash');
  });

  it('leaves a crash the engine predicts at that step to the comparison', () => {
    const engine = doc('engine', [ok(0, 'start'), crash(1, 'stop', 'secondary', 'crash point hit')]);
    const qemu = doc('qemu', [ok(0, 'start'), crash(1, 'stop', 'secondary', 'killed by SIGSEGV')]);
    expect(unpredictedCrash(engine, qemu)).toBeUndefined();
    expect(unpredictedCrash(engine, doc('qemu', [ok(0, 'start'), ok(1, 'stop')]))).toBeUndefined();
  });
});

describe('compareDocuments: a QEMU that died of a documented abort', () => {
  const doc = (backend: 'engine' | 'qemu', steps: StepResult[]): ResultDocument => ({ scenario: 's', backend, steps });
  const ok = (index: number, what: string): StepResult => ({ index, do: what, ok: true });
  const ASSERTION = "qemu-system-x86_64: ../../block/block-copy.c:203: block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed.";
  const crashed = (index: number, what: string, output: string): StepResult => ({ index, do: what, ok: false, error: `colosim: the secondary side crashed: killed by SIGABRT, its last output: ${output}`, code: 'CRASH' });
  const round = { do: 'concurrent', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 2 }, { do: 'checkpoint', side: 'secondary' }] };
  const scenario = parseScenario({ colosim: 1, name: 's', disk: { size: DIFFERENTIAL_DISK_BYTES }, steps: [{ do: 'start', side: 'both' }, round, round, { do: 'status', side: 'secondary' }] });
  const group = (index: number, second: StepResult): StepResult => ({ index, do: 'concurrent', ok: second.ok, steps: [ok(0, 'write'), second] });
  const engine = doc('engine', [ok(0, 'start'), group(1, ok(1, 'checkpoint')), group(2, ok(1, 'checkpoint')), { index: 3, do: 'status', ok: true, replicationError: false }]);
  const lost: StepResult = { index: 3, do: 'status', ok: false, error: 'colosim: the secondary side is lost', code: 'SIDE_LOST' };

  it('compares the steps before it and names it, with the step it was met at', async () => {
    const qemu = doc('qemu', [ok(0, 'start'), group(1, ok(1, 'checkpoint')), group(2, crashed(1, 'checkpoint', ASSERTION)), lost]);
    const run = await compareDocuments(scenario, engine, qemu);
    expect([run.qemuAbort, run.explainedBy, run.unexplained, run.diff.differences, run.diff.compared]).toEqual([
      { id: 'block-copy-conflict-after-checkpoint', step: '2.1', stepsNotCompared: 2 },
      ['block-copy-conflict-after-checkpoint'],
      [],
      [],
      4,
    ]);
  });

  it('still finds a difference before it', async () => {
    const qemu = doc('qemu', [ok(0, 'start'), group(1, { index: 1, do: 'checkpoint', ok: false, error: 'Backup job was cancelled unexpectedly' }), group(2, crashed(1, 'checkpoint', 'First cluster in emptied image is in use')), lost]);
    const run = await compareDocuments(scenario, engine, qemu);
    expect(run.qemuAbort).toEqual({ id: 'qcow2-first-cluster-in-use-after-checkpoint', step: '2.1', stepsNotCompared: 2 });
    expect(run.unexplained.map((d) => [d.step, d.field])).toEqual([['1', 'ok'], ['1.1', 'ok'], ['1.1', 'error']]);
  });

  it('is a QEMU failure when the output is another, or no secondary checkpoint races there', async () => {
    const other = doc('qemu', [ok(0, 'start'), group(1, ok(1, 'checkpoint')), group(2, crashed(1, 'checkpoint', "qemu-system-x86_64: ../block/io.c:1: f: Assertion `x' failed.")), lost]);
    await expect(compareDocuments(scenario, engine, other)).rejects.toThrow(
      "the secondary QEMU crashed (killed by SIGABRT, its last output: qemu-system-x86_64: ../block/io.c:1: f: Assertion `x' failed.) at step 2.1 (checkpoint), where the engine predicts no crash",
    );
    const quiet = parseScenario({ colosim: 1, name: 's', disk: { size: DIFFERENTIAL_DISK_BYTES }, steps: [{ do: 'start', side: 'both' }, { do: 'status', side: 'secondary' }, { do: 'status', side: 'secondary' }, { do: 'status', side: 'secondary' }] });
    const atStatus = doc('qemu', [ok(0, 'start'), ok(1, 'status'), crashed(2, 'status', ASSERTION), lost]);
    await expect(compareDocuments(quiet, doc('engine', [ok(0, 'start'), ok(1, 'status'), ok(2, 'status'), ok(3, 'status')]), atStatus)).rejects.toThrow('at step 2 (status), where the engine predicts no crash');
  });
});

describe('writeMinimalScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-differential-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a scenario file that parses back, naming the seed and the differences', () => {
    const scenario = { colosim: 1, name: 'differential', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'start', side: 'both' }] };
    const file = writeMinimalScenario(scenario, 77, '3:1:0', [{ step: '0', field: 'ok', engine: true, qemu: false }], dir);
    expect(file).toBe(join(dir, 'differential-seed-77.json'));
    const parsed = parseScenarioText(readFileSync(file, 'utf8'), file);
    expect(parsed.name).toBe('differential-seed-77');
    expect(parsed.description).toContain('seed 77');
    expect(parsed.description).toContain('step 0 ok: engine true, qemu false');
    expect(parsed.steps).toEqual([{ do: 'start', side: 'both' }]);
  });
});

describe.runIf(RUN_QEMU_TESTS)(`runDifferential${QEMU_SUITE_NOTE}`, () => {
  it('runs one scenario on both backends and finds them equal', async () => {
    const session = new QemuSession();
    try {
      const scenario = parseScenario({
        colosim: 1,
        name: 'agree',
        disk: { size: 262144, pattern: 0x11 },
        steps: [
          { do: 'start', side: 'both' },
          { do: 'write', vm: 'primary', offset: 4096, length: 512, pattern: 0x22 },
          { do: 'read', vm: 'secondary', offset: 4096, length: 512 },
          { do: 'checkpoint', side: 'both' },
          { do: 'read', vm: 'secondary', offset: 4096, length: 512 },
        ],
      });
      const run = await runDifferential(scenario, session);
      expect(run.diff).toEqual({ differences: [], compared: 5, skipped: 0, setCompared: 0 });
      expect(run.unexplained).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
