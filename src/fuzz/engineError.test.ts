/*
 * Engine bugs are loud: a TypeError injected into a background job (the failover commit's copy loop)
 * or into a step's own operation aborts the run with ENGINE_BUG at the step it happened in, is
 * reported by runCase as exactly one engine-error violation, and makes a campaign write a
 * counterexample that replays. An exception escaping the run itself (here, from the checker) is an
 * engine-error finding of the campaign too, never a crash. Bugs are injected by patching
 * prototypes for one test, as properties/mutation/mutants.ts does.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaseChecker } from '../check/CaseChecker.js';
import { CommitJob } from '../jobs/CommitJob.js';
import { ReplicationNode } from '../replication/ReplicationNode.js';
import { parseScenario, parseScenarioText } from '../scenario/parseScenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import { runCampaign } from './Campaign.js';
import { caseSeed } from './caseScenario.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { runCase } from './runCase.js';

const undos: (() => void)[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const undo of undos.splice(0)) undo();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Make `method` of `proto` throw `error` until the test ends. */
function breakMethod(proto: object, method: string, error: () => Error): void {
  const target = proto as Record<string, unknown>;
  const original = target[method];
  target[method] = () => {
    throw error();
  };
  undos.push(() => {
    target[method] = original;
  });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-engine-error-'));
  dirs.push(dir);
  return dir;
}

const COPY_LOOP_BUG = 'injected: the copy loop lost its chunk';

/** Step 3's failover starts the commit; active holds a cluster, so the commit copies at least once. */
const failoverScenario = parseScenario({
  colosim: 1,
  name: 'engine-error/commit-copy-loop',
  disk: { size: 1048576, pattern: 17 },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'write', vm: 'primary', offset: 0, length: 65536, pattern: 34 },
    { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 51 },
    { do: 'failover' },
    { do: 'status', side: 'secondary' },
  ],
});

describe('an exception nothing models aborts the run: ENGINE_BUG, engine-error', () => {
  it('a TypeError in the commit job\'s copy loop (a background task) aborts at the failover step', async () => {
    breakMethod(CommitJob.prototype, 'copy', () => new TypeError(COPY_LOOP_BUG));
    const { document } = await runScenarioOnEngine(failoverScenario);
    expect(document.steps.map((s) => [s.do, s.ok])).toEqual([
      ['start', true],
      ['write', true],
      ['write', true],
    ]);
    const { stack, ...aborted } = document.aborted!;
    expect(aborted).toEqual({ step: 3, code: 'ENGINE_BUG', message: `background task commit: TypeError: ${COPY_LOOP_BUG}` });
    expect(stack!.split('\n')[0]).toBe(`TypeError: ${COPY_LOOP_BUG}`);
    expect(stack).toContain('CommitJob.copyDirty');

    const result = await runCase(failoverScenario);
    expect(result.violations).toEqual([
      { invariant: 'engine-error', kind: 'safety', step: 3, message: `ENGINE_BUG: background task commit: TypeError: ${COPY_LOOP_BUG}` },
    ]);
    expect(result.checks.get('engine-error')).toBe(1);
  });

  it('the same scenario without the bug runs to its end with no engine-error', async () => {
    const result = await runCase(failoverScenario);
    expect(result.document.aborted).toBeUndefined();
    expect(result.document.steps.at(-1)).toEqual({ index: 4, do: 'status', ok: true, replicationError: false });
    expect(result.violations).toEqual([]);
    expect(result.checks.get('engine-error')).toBe(1);
  });

  it('a TypeError in a step\'s own operation aborts at that step', async () => {
    breakMethod(ReplicationNode.prototype, 'getError', () => new TypeError('injected: get_error lost its node'));
    const scenario = parseScenario({
      colosim: 1,
      name: 'engine-error/get-error',
      steps: [{ do: 'start', side: 'both' }, { do: 'status', side: 'secondary' }, { do: 'checkpoint', side: 'both' }],
    });
    const result = await runCase(scenario);
    expect(result.document.steps.length).toBe(1);
    expect(result.document.aborted?.code).toBe('ENGINE_BUG');
    expect(result.document.aborted?.message).toBe('step task step1:status: TypeError: injected: get_error lost its node');
    expect(result.violations).toEqual([
      { invariant: 'engine-error', kind: 'safety', step: 1, message: 'ENGINE_BUG: step task step1:status: TypeError: injected: get_error lost its node' },
    ]);
  });

  it('a campaign shrinks a background TypeError to a counterexample that replays', { timeout: 120_000 }, async () => {
    breakMethod(CommitJob.prototype, 'copy', () => new TypeError(COPY_LOOP_BUG));
    const outDir = tempDir();
    const summary = await runCampaign({ seed: 1, runs: 300, fuzz: DEFAULT_FUZZ_OPTIONS, outDir, command: 'engine-error test' });
    const found = summary.counterexample!;
    expect(found.invariant).toBe('engine-error');
    expect(found.message).toBe(`ENGINE_BUG: background task commit: TypeError: ${COPY_LOOP_BUG}`);
    expect(summary.invariants['engine-error']).toEqual({ checks: summary.cases, violations: 1 });
    expect(existsSync(found.path)).toBe(true);
    const scenario = parseScenarioText(readFileSync(found.path, 'utf8'));
    expect(scenario.origin?.invariant).toBe('engine-error');
    expect(scenario.origin?.stack?.split('\n')[0]).toBe(`TypeError: ${COPY_LOOP_BUG}`);
    const replay = await runCase(scenario);
    expect(replay.traceHash).toBe(scenario.origin?.traceHash);
    expect(replay.violations.map((v) => [v.invariant, v.step, v.message])).toEqual([['engine-error', found.step, found.message]]);
  });

  it('a campaign reports an exception escaping runCase as an engine-error finding naming the case and its seed', { timeout: 120_000 }, async () => {
    breakMethod(CaseChecker.prototype, 'endStep', () => new TypeError('injected: the checker broke'));
    const outDir = tempDir();
    const summary = await runCampaign({ seed: 1, runs: 50, fuzz: DEFAULT_FUZZ_OPTIONS, outDir, command: 'engine-error test' });
    expect(summary.cases).toBe(1);
    expect(summary.counterexample?.invariant).toBe('engine-error');
    expect(summary.counterexample?.message).toBe(`ENGINE_BUG: case 0 (case seed ${caseSeed(1, 0)}): TypeError: injected: the checker broke`);
    expect(existsSync(summary.counterexample!.path)).toBe(true);
  });
});
