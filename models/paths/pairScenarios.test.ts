/*
 * Pair paths as scenario files: the expectations come from the models (hand-checked here for the
 * peer suite's failover case), steps that depend on when the commit ends carry none, and the files
 * under models/scenarios/ are exactly what the generator writes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Scenario } from '../../src/scenario/Scenario.js';
import type { PairEvent } from '../colo/pairEvents.js';
import type { ModelPath } from './coveringPaths.js';
import { generatedScenarioFiles } from './generatedScenarios.js';
import { READ_RANGE, pairPathToScenario } from './pairScenarios.js';

const path = (profile: 'qemu-7.2' | 'v24', events: PairEvent[]): ModelPath => ({ model: 'pair', profile, input: { profile }, events });
const scenarioOf = (p: ModelPath) => {
  const converted = pairPathToScenario(p, 'test');
  if (!('scenario' in converted)) throw new Error(converted.skipped);
  return converted.scenario;
};
const withoutNotes = (s: Scenario) => s.steps.map(({ note: _note, ...step }) => step);

describe('pair path -> scenario', () => {
  test('failover after an un-checkpointed primary write keeps the SVM view (0x21 discarded, 0x41 kept)', () => {
    const scenario = scenarioOf(
      path('qemu-7.2', [
        { type: 'START', side: 'secondary' },
        { type: 'START', side: 'primary' },
        { type: 'WRITE', vm: 'primary' },
        { type: 'WRITE', vm: 'secondary' },
        { type: 'FAILOVER', lost: 'primary' },
        { type: 'COMMIT_OK' },
        { type: 'STATUS', side: 'secondary' },
      ]),
    );
    expect(withoutNotes(scenario)).toEqual([
      { do: 'start', side: 'secondary', expect: { ok: true } },
      { do: 'start', side: 'primary', expect: { ok: true } },
      { do: 'write', vm: 'primary', offset: 61440, length: 8192, pattern: 0x21, expect: { ok: true } },
      { do: 'write', vm: 'secondary', offset: 0, length: 4096, pattern: 0x41, expect: { ok: true } },
      { do: 'failover', lost: 'primary', expect: { ok: true } },
      { do: 'wait', ticks: 1_000_000_000 },
      { do: 'status', side: 'secondary', expect: { ok: true, replicationError: false } },
      { do: 'read', vm: 'primary', ...READ_RANGE, expect: { ok: false } },
      {
        do: 'read',
        vm: 'secondary',
        ...READ_RANGE,
        expect: {
          ok: true,
          runs: [
            [0x41, 4096],
            [0x11, 192512],
          ],
        },
      },
    ]);
    expect(scenario.engine.faults).toEqual([]);
  });

  test('a status while the commit may or may not have finished carries no expectation (7.2: I/O error vs clean)', () => {
    const scenario = scenarioOf(
      path('qemu-7.2', [{ type: 'START', side: 'secondary' }, { type: 'WRITE', vm: 'secondary' }, { type: 'FAILOVER', lost: 'primary' }, { type: 'STATUS', side: 'secondary' }, { type: 'COMMIT_OK' }]),
    );
    const status = scenario.steps[3]!;
    expect([status.do, status.expect, status.note]).toEqual([
      'status',
      undefined,
      'model: STATUS(secondary) -> primary LOST, secondary FAILOVER; no expectation: depends on when the failover commit finishes',
    ]);
  });

  test('link loss and commit failure become engine faults', () => {
    const scenario = scenarioOf(
      path('qemu-7.2', [
        { type: 'START', side: 'secondary' },
        { type: 'START', side: 'primary' },
        { type: 'WRITE', vm: 'primary' },
        { type: 'LINK_DOWN' },
        { type: 'WRITE', vm: 'primary' },
        { type: 'FAILOVER', lost: 'primary' },
        { type: 'COMMIT_FAILED' },
      ]),
    );
    expect(scenario.engine.faults).toEqual([
      { kind: 'link-drop', link: 'link', afterOps: 1 },
      { kind: 'job-fail', job: 'commit' },
    ]);
  });

  test('a link that comes back cannot be written as a scenario', () => {
    expect(pairPathToScenario(path('v24', [{ type: 'LINK_DOWN' }, { type: 'LINK_UP' }]), 'x')).toEqual({ skipped: 'LINK_UP: the fault plan cannot bring a dropped link back' });
  });
});

describe('generated scenario files', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
  const generated = generatedScenarioFiles();

  test('models/scenarios holds exactly the generator output (run models/scripts/generateScenarios.ts after changing a chart)', () => {
    const onDisk = new Map<string, string>();
    for (const folder of ['pair', 'start-checks']) {
      for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) {
          const file = join(entry.parentPath, entry.name);
          onDisk.set(relative(root, file), readFileSync(file, 'utf8'));
        }
      }
    }
    expect([...onDisk.keys()].sort()).toEqual([...generated.files.keys()].sort());
    for (const [file, text] of generated.files) expect(onDisk.get(file), file).toBe(text);
    expect(generated.skipped).toEqual([]);
  });

  test('every read expectation covers the read range and every scenario has a unique name', () => {
    const names = new Set<string>();
    for (const text of generated.files.values()) {
      const scenario = JSON.parse(text) as Scenario;
      names.add(scenario.name);
      for (const step of scenario.steps) {
        if (step.do === 'read' && step.expect?.runs) expect(step.expect.runs.reduce((n, [, count]) => n + count, 0)).toBe(READ_RANGE.length);
      }
    }
    expect(names.size).toBe(generated.files.size);
  });
});
