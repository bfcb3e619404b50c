/*
 * fast-check arbitraries in the public API: steps, fault plans and whole cases, the very
 * generators `colosim fuzz` draws from (swarm testing, the liveness phase at the end of every
 * case). Each takes plain options with the campaign's defaults; cases shrink like the campaign's.
 */
import type fc from 'fast-check';
import { DEFAULT_FUZZ_OPTIONS, type FaultMode, type FuzzOptions } from '../fuzz/FuzzOptions.js';
import { faultPlanArbitrary } from '../fuzz/faultArbitrary.js';
import { scenarioArbitrary } from '../fuzz/scenarioArbitrary.js';
import { type StepShape, stepArbitrary as shapedStepArbitrary } from '../fuzz/stepArbitrary.js';
import type { Scenario, ScenarioStep } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';

/** Options of a generated case; each defaults to what `colosim fuzz` uses (DEFAULT_FUZZ_OPTIONS). */
export type CaseOptions = Partial<FuzzOptions> & { readonly name?: string };

/** Whole cases: a swarm, disks, an opening, steps, a fault plan, timing, a schedule, and the liveness phase. */
export function caseArbitrary(options: CaseOptions = {}): fc.Arbitrary<Scenario> {
  const { name, ...fuzz } = options;
  return scenarioArbitrary({ ...DEFAULT_FUZZ_OPTIONS, ...fuzz }, name ?? 'property');
}

/** Single steps for disks of `diskBytes` (default the campaign's 256 KiB), `disks` per side (default 1). */
export function stepArbitrary(shape: Partial<StepShape> = {}): fc.Arbitrary<ScenarioStep> {
  return shapedStepArbitrary({ diskBytes: shape.diskBytes ?? DEFAULT_FUZZ_OPTIONS.diskBytes, disks: shape.disks ?? 1, ...(shape.ops ? { ops: shape.ops } : {}) });
}

export interface FaultOptions {
  /** "tolerated": faults the invariants must survive; "all" (default): also faults that must be reported. */
  readonly mode?: Exclude<FaultMode, 'none'>;
  readonly disks?: number;
  readonly diskBytes?: number;
}

/** Fault plans of up to three faults (scenario `engine.faults`), every fault point reachable. */
export function faultsArbitrary(options: FaultOptions = {}): fc.Arbitrary<Fault[]> {
  return faultPlanArbitrary(options.mode ?? 'all', options.disks ?? 1, options.diskBytes ?? DEFAULT_FUZZ_OPTIONS.diskBytes);
}
