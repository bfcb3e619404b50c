import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, parseScenarioText } from '../scenario/parseScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { differenceSignature } from './differenceSignature.js';
import type { Difference } from './diffResults.js';
import { type DifferentialRun, type ScenarioFile, checkDifferential, differentialScenarioArbitrary } from './differential.js';

/*
 * The campaign's keep-going logic on a stand-in for QEMU: a "QEMU" that answers a primary flush
 * with EIO and a secondary discard with ENOSPC, and agrees with the engine on everything else.
 */
function flagged(step: Record<string, unknown>): boolean {
  return (step.do === 'flush' && step.vm === 'primary') || (step.do === 'discard' && step.vm === 'secondary');
}

function standIn(scenario: Scenario): DifferentialRun {
  const differences: Difference[] = [];
  scenario.steps.forEach((step, i) => {
    if (step.do === 'flush' && step.vm === 'primary') differences.push({ step: String(i), field: 'ok', engine: true, qemu: false }, { step: String(i), field: 'errno', engine: undefined, qemu: 'EIO' });
    if (step.do === 'discard' && step.vm === 'secondary') differences.push({ step: String(i), field: 'errno', engine: undefined, qemu: 'ENOSPC' });
  });
  const document = { scenario: scenario.name, backend: 'engine' as const, steps: [] };
  return { engine: document, qemu: { ...document, backend: 'qemu' }, diff: { differences, compared: scenario.steps.length, skipped: 0, setCompared: 0 }, unexplained: differences, explainedBy: [] };
}

/** The stand-in's expected signature of a generated scenario (written out here, not taken from differenceSignature). */
function expectedSignature(file: ScenarioFile): string | undefined {
  const step = file.steps.find(flagged);
  if (step === undefined) return undefined;
  const node = step.node === undefined ? '' : ` ${String(step.node)}`;
  return step.do === 'flush' ? `flush primary${node}: ok true/false, errno -/EIO` : `discard secondary${node}: errno -/ENOSPC`;
}

describe('differenceSignature', () => {
  const scenario = parseScenario({
    colosim: 1,
    name: 's',
    disk: { size: 262144, pattern: 0 },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'secondary', node: 'disk', offset: 0, length: 1, pattern: 1 },
      { do: 'failover', lost: 'primary' },
    ],
  });

  it('names the first differing step by kind, VM and node, with its fields, and the values of ok, code and errno only', () => {
    const differences = [
      { step: '1', field: 'ok', engine: true, qemu: false },
      { step: '1', field: 'error', engine: undefined, qemu: 'Input/output error at 0' },
      { step: '1', field: 'errno', engine: undefined, qemu: 'EIO' },
      { step: '2', field: 'ok', engine: true, qemu: false },
    ];
    expect(differenceSignature(scenario, differences)).toBe('write secondary disk: ok true/false, error, errno -/EIO');
    expect(differenceSignature(scenario, [{ step: '2', field: 'runs', engine: [[1, 2]], qemu: [[0, 2]] }])).toBe('failover lost primary: runs');
    expect(differenceSignature(scenario, [{ step: 'run', field: 'aborted', engine: undefined, qemu: 'x' }])).toBe('run: aborted -/x');
    expect(differenceSignature(scenario, [])).toBe('');
  });

  it('names a part of a concurrent step as such, a concurrent group itself without the prefix, and a step the scenario lacks by its position', () => {
    const grouped = parseScenario({
      colosim: 1,
      name: 'g',
      disk: { size: 262144, pattern: 0 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'concurrent', steps: [{ do: 'checkpoint', side: 'both' }, { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 }] },
      ],
    });
    const okAt = (step: string) => [{ step, field: 'ok', engine: true, qemu: false }];
    expect(differenceSignature(grouped, okAt('1.1'))).toBe('concurrent.write primary: ok true/false');
    expect(differenceSignature(grouped, okAt('1.0'))).toBe('concurrent.checkpoint both: ok true/false');
    expect(differenceSignature(grouped, okAt('1'))).toBe('concurrent: ok true/false');
    expect(differenceSignature(grouped, okAt('1.7'))).toBe('concurrent: ok true/false');
    expect(differenceSignature(grouped, okAt('9'))).toBe('step 9: ok true/false');
  });
});

describe('checkDifferential keeps going to the budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-differential-campaign-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const RUNS = 120;
  const SEED = 5;
  // The scenarios fast-check generates for this seed, in order: the campaign must compare all of them.
  const generated = fc.sample(differentialScenarioArbitrary(), { numRuns: RUNS, seed: SEED });
  const signatures = generated.map(expectedSignature);
  const kinds = [...new Set(signatures.filter((s): s is string => s !== undefined))];
  const count = (signature: string) => signatures.filter((s) => s === signature).length;

  it('compares every generated scenario, groups the differences by first differing step, shrinks --keep-going of them', async () => {
    const result = await checkDifferential({ runs: RUNS, seed: SEED, reportDir: dir, keepGoing: 1, runScenario: async (s) => standIn(s) });
    expect(kinds.length).toBeGreaterThanOrEqual(2); // else the fixture shows nothing
    expect([result.scenarios, result.differing, result.generatedCompared]).toEqual([RUNS, signatures.filter((s) => s !== undefined).length, generated.reduce((n, f) => n + f.steps.length, 0)]);
    expect(result.runs).toBeGreaterThan(RUNS); // the shrinking ran too
    expect(result.distinct?.map((d) => [d.signature, d.firstScenario, d.scenarios])).toEqual(kinds.map((k) => [k, signatures.indexOf(k), count(k)]));
    const [first, ...rest] = result.distinct!;
    expect([first!.shrunk, first!.file]).toEqual([true, join(dir, `differential-seed-${SEED}.json`)]);
    expect(expectedSignature(first!.scenario)).toBe(first!.signature);
    expect(first!.scenario.steps.length).toBeLessThan(generated[first!.firstScenario]!.steps.length);
    expect(result.failure?.file).toBe(first!.file);
    // Past --keep-going 1: counted and kept as generated, not shrunk, no file.
    for (const d of rest) expect([d.shrunk, d.file, d.scenario]).toEqual([false, undefined, generated[d.firstScenario]]);
    expect(readdirSync(dir)).toEqual([`differential-seed-${SEED}.json`]);
  });

  it('with --keep-going 2 shrinks the second kind to its own file, without sliding to the first', async () => {
    const result = await checkDifferential({ runs: RUNS, seed: SEED, reportDir: dir, keepGoing: 2, runScenario: async (s) => standIn(s) });
    const second = result.distinct?.[1];
    expect([second?.signature, second?.shrunk, second?.file]).toEqual([kinds[1], true, join(dir, `differential-seed-${SEED}-2.json`)]);
    expect(expectedSignature(second!.scenario)).toBe(kinds[1]);
    const written = parseScenarioText(readFileSync(second!.file!, 'utf8'), second!.file!);
    expect(written.name).toBe(`differential-seed-${SEED}-2`);
    expect(written.steps).toEqual(parseScenario(second!.scenario).steps);
    expect(result.distinct?.slice(2).every((d) => d.file === undefined)).toBe(true);
  });

  it('stops shrinking after shrinkRunsMax runs and keeps the generated scenario when nothing smaller was tried', async () => {
    const result = await checkDifferential({ runs: RUNS, seed: SEED, reportDir: dir, keepGoing: 1, shrinkRunsMax: 1, runScenario: async (s) => standIn(s) });
    // The one run is the replay of the generated scenario itself.
    expect(result.runs).toBe(RUNS + 1);
    expect(result.distinct?.[0]?.scenario).toEqual(generated[signatures.indexOf(kinds[0])]);
  });

  it('passes with no difference and writes nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'colosim-differential-campaign-'));
    try {
      const agree = async (s: Scenario) => ({ ...standIn(s), unexplained: [], diff: { differences: [], compared: s.steps.length, skipped: 0, setCompared: 0 } });
      const result = await checkDifferential({ runs: 30, seed: SEED, reportDir: empty, runScenario: agree });
      expect([result.scenarios, result.runs, result.differing, result.distinct, result.failure]).toEqual([30, 30, 0, [], undefined]);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
