/*
 * A counterexample as a scenario file that replays without the generator: the shrunk steps and
 * faults, the scheduling decisions the failing run actually took (a strict replay schedule, so a
 * drift is reported, not absorbed), and where it came from, including the trace hash a faithful
 * replay reproduces, and for an engine-error the stack of the exception.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Violation } from '../check/Invariant.js';
import type { Scenario } from '../scenario/Scenario.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { type CaseResult, THREW_TRACE_HASH, caseWhere, runCaseSafely } from './runCase.js';

export interface CounterexampleInput {
  readonly scenario: Scenario;
  readonly campaignSeed: number;
  readonly index: number;
  readonly caseSeed: number;
  readonly invariant: string;
  readonly command: string;
}

export interface Counterexample {
  readonly scenario: Scenario;
  readonly violation: Violation;
}

/** Rerun the shrunk case, pin its schedule and describe the violation it shows. */
export async function buildCounterexample(input: CounterexampleInput): Promise<Counterexample> {
  const where = caseWhere(input.index, input.caseSeed);
  const first = await runCaseSafely(input.scenario, where);
  const violation = first.violations.find((v) => v.invariant === input.invariant) ?? first.violations[0];
  if (!violation) throw new Error('counterexample: the shrunk case passes when run again');
  const pinned: Scenario = {
    ...input.scenario,
    name: `counterexample/${input.invariant}`,
    description: `Found by colosim fuzz (seed ${input.campaignSeed}, case ${input.index}), shrunk: ${violation.invariant} at step ${violation.step}.`,
    // A run that threw recorded no decisions: it keeps its own schedule.
    engine: threw(first) ? input.scenario.engine : { ...input.scenario.engine, schedule: { policy: 'replay', choices: first.choices } },
  };
  const replayed = await runCaseSafely(pinned, where);
  const stack = replayed.document.aborted?.code === 'ENGINE_BUG' ? replayed.document.aborted.stack : undefined;
  const scenario: Scenario = {
    ...pinned,
    origin: {
      campaignSeed: input.campaignSeed,
      case: input.index,
      caseSeed: input.caseSeed,
      invariant: violation.invariant,
      kind: violation.kind,
      step: violation.step,
      message: violation.message,
      traceHash: replayed.traceHash,
      command: input.command,
      ...(stack === undefined ? {} : { stack }),
    },
  };
  // The file must parse back to exactly what replays.
  parseScenario(JSON.parse(JSON.stringify(scenario)));
  return { scenario, violation };
}

/** A case whose run threw rather than returned (runCaseSafely's stand-in result). */
function threw(result: CaseResult): boolean {
  return result.traceHash === THREW_TRACE_HASH;
}

export function writeCounterexample(dir: string, scenario: Scenario): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `counterexample-${scenario.origin?.invariant ?? 'unknown'}-seed-${scenario.origin?.campaignSeed}-case-${scenario.origin?.case}.json`);
  writeFileSync(path, `${JSON.stringify(scenario, null, 1)}\n`);
  return path;
}
