/*
 * The checker's cost: the same generated cases (a default campaign's, seed 4243) run three ways in
 * one process, in alternating rounds so load drift hits all three alike: the engine alone (trace
 * hashed, nothing checking), the checker without its data model, and the whole checker as a
 * campaign runs it (runCase's options). The ratios say what the checker and its data model add
 * to a campaign's time; the bound is 20 % for the data check. CPU time of this thread's
 * process is reported beside wall time, since other work on a shared machine inflates the wall.
 */
import { checkScenario } from '../check/checkScenario.js';
import { caseArbitrary, caseSeed, generateCase } from '../fuzz/caseScenario.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { STEP_BOUND_TICKS } from '../fuzz/runCase.js';
import type { Scenario } from '../scenario/Scenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { BenchRow } from './report.js';
import { cpuNow, cpuSecondsSince, median } from './timing.js';

const SEED = 4243;

type Variant = 'engine' | 'no-data-model' | 'full';
const VARIANTS: readonly Variant[] = ['engine', 'no-data-model', 'full'];

async function runAs(variant: Variant, scenario: Scenario): Promise<void> {
  const engine = { traceLevel: 'hash' as const, stepBoundTicks: STEP_BOUND_TICKS };
  if (variant === 'engine') await runScenarioOnEngine(scenario, engine);
  else await checkScenario(scenario, engine, variant === 'full' ? { spec: 'qemu-7.2' } : { spec: 'qemu-7.2', benchWithoutDataModel: true });
}

/** CPU seconds (user + system) of one pass of every case under one variant. */
async function pass(variant: Variant, cases: readonly Scenario[]): Promise<{ cpu: number; wall: number }> {
  const cpu0 = cpuNow();
  const wall0 = performance.now();
  for (const c of cases) await runAs(variant, c);
  return { cpu: cpuSecondsSince(cpu0), wall: (performance.now() - wall0) / 1000 };
}

export async function checkerCostBench(quick: boolean): Promise<BenchRow[]> {
  const count = quick ? 200 : 1000;
  const rounds = quick ? 2 : 5;
  const cases = Array.from({ length: count }, (_, i) => generateCase(caseArbitrary(DEFAULT_FUZZ_OPTIONS, SEED, i), caseSeed(SEED, i)));
  for (const v of VARIANTS) await pass(v, cases.slice(0, 50));
  const cpu = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const wall = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (const v of VARIANTS) {
      const t = await pass(v, cases);
      cpu.get(v)!.push(t.cpu);
      wall.get(v)!.push(t.wall);
    }
  }
  const c = (v: Variant) => median(cpu.get(v)!);
  const w = (v: Variant) => median(wall.get(v)!);
  const note = (v: Variant) => `${c(v).toFixed(2)} CPU s, ${w(v).toFixed(2)} wall s for ${count} cases (median of ${rounds} rounds)`;
  const dataShare = c('full') / c('no-data-model') - 1;
  return [
    { part: 'checker', name: `${count} default cases, engine alone`, value: count / c('engine'), unit: 'cases/CPU s', note: note('engine') },
    { part: 'checker', name: 'the same, checker without the data model', value: count / c('no-data-model'), unit: 'cases/CPU s', note: note('no-data-model') },
    { part: 'checker', name: 'the same, whole checker (as a campaign runs)', value: count / c('full'), unit: 'cases/CPU s', note: note('full') },
    { part: 'checker', name: 'the data check adds (whole / without data model - 1)', value: dataShare * 100, unit: '%', note: `wall: ${((w('full') / w('no-data-model') - 1) * 100).toFixed(1)} %`, target: '<= 20', met: dataShare <= 0.2 },
    { part: 'checker', name: 'the whole checker adds (whole / engine alone - 1)', value: (c('full') / c('engine') - 1) * 100, unit: '%', note: `wall: ${((w('full') / w('engine') - 1) * 100).toFixed(1)} %` },
  ];
}
