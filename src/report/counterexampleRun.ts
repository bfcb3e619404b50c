/*
 * A counterexample rerun on the engine at report time, under the campaign's checker (QEMU 7.2's
 * rules, the same step bound as runCase), recording for every step what each lane did: the primary
 * and the secondary (replication operations, stage changes, a lost side, faults on their nodes) and
 * each block job (start, checkpoint, end, copies), the step's result, the violations found at that
 * step, and the cluster maps of disk 0 after it. The scenario's pinned schedule makes the rerun the
 * failing run itself; `traceHash` lets the report say whether it drifted.
 */
import { CaseChecker } from '../check/CaseChecker.js';
import type { Violation } from '../check/Invariant.js';
import type { ColoPair } from '../colo/ColoPair.js';
import { STEP_BOUND_TICKS } from '../fuzz/runCase.js';
import type { Scenario } from '../scenario/Scenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import { type DiskMap, clusterMaps } from './clusterMaps.js';
import { describeResult, describeStep } from './formatResult.js';

export interface TimelineStep {
  readonly index: number;
  readonly what: string;
  readonly result: string;
  /** A concurrent step's parts, each with its result (".1 write secondary 0+512 = 0x01: ok"); else none. */
  readonly parts: readonly string[];
  /** Lane name -> what happened in it during the step, in order. */
  readonly lanes: ReadonlyMap<string, readonly string[]>;
  readonly violations: readonly Violation[];
  readonly maps: readonly DiskMap[];
}

export interface Timeline {
  readonly lanes: readonly string[];
  readonly steps: readonly TimelineStep[];
  /** Violations after the last step (the liveness phase, the final whole-disk checks). */
  readonly after: readonly Violation[];
  readonly traceHash: string;
}

/** Lanes come first the two sides, then the jobs in the order they started. */
export async function rerunCounterexample(scenario: Scenario): Promise<Timeline> {
  const checker = new CaseChecker(scenario, { spec: 'qemu-7.2' });
  const lanes = ['primary', 'secondary'];
  const steps: TimelineStep[] = [];
  const lost = new Set<string>();
  let current = new Map<string, string[]>();
  let pairRef: ColoPair | undefined;
  const note = (lane: string, text: string) => {
    if (!lanes.includes(lane)) lanes.push(lane);
    current.set(lane, [...(current.get(lane) ?? []), text]);
  };
  const run = await runScenarioOnEngine(scenario, {
    traceLevel: 'hash',
    stepBoundTicks: STEP_BOUND_TICKS,
    observe: (env, pair) => {
      checker.attach(env, pair);
      pairRef = pair;
      env.trace.subscribe((event) => laneNote(event, note, lost));
    },
    beforeStep: (index, step) => {
      current = new Map();
      checker.beginStep(index, step);
    },
    onStep: (index, step, result) => {
      checker.endStep(index, step, result);
      const maps = pairRef ? clusterMaps(pairRef, checker.dataModel(0), lost) : [];
      const parts = step.do === 'concurrent' ? step.steps.map((sub, j) => `.${j} ${describeStep(sub)}: ${result.steps?.[j] ? describeResult(result.steps[j]) : 'not run'}`) : [];
      steps.push({ index, what: describeStep(step), result: describeResult(result), parts, lanes: current, violations: [], maps });
    },
  });
  const { violations } = checker.finish();
  const byStep = (i: number) => violations.filter((v) => v.step === i);
  const withViolations = steps.map((s) => ({ ...s, violations: byStep(s.index) }));
  const shown = new Set(steps.map((s) => s.index));
  const after = violations.filter((v) => !shown.has(v.step));
  if (run.document.aborted) after.push({ invariant: run.document.aborted.code === 'ENGINE_BUG' ? 'engine-error' : 'liveness', kind: 'liveness', step: run.document.aborted.step, message: `${run.document.aborted.code}: ${run.document.aborted.message}` });
  return { lanes, steps: withViolations, after, traceHash: run.document.traceHash ?? '' };
}

/** The lane an event belongs to and what it says there (I/O and data events are left to the maps). */
function laneNote(event: TypedTraceEvent, note: (lane: string, text: string) => void, lost: Set<string>): void {
  switch (event.kind) {
    case 'repl-op': {
      const f = event.fields;
      const arg = f.arg === undefined ? '' : `(${String(f.arg)})`;
      return note(f.mode, `${f.node} ${f.op}${arg}: ${f.ok ? 'ok' : `error: ${f.error ?? ''}`}`);
    }
    case 'stage':
      return note(event.fields.mode, `${event.fields.node} ${event.fields.from} -> ${event.fields.to}`);
    case 'side':
      lost.add(event.fields.side);
      return note(event.fields.side, `${event.fields.event}${event.fields.reason ? `: ${event.fields.reason}` : ''}`);
    case 'job': {
      const f = event.fields;
      return note(f.job, `${f.event}${f.errno ? ` ${f.errno}` : ''}${f.copied !== undefined && f.event !== 'start' ? ` (${f.copied} bytes copied)` : ''}`);
    }
    case 'cow':
      return note(event.fields.job, `copy cluster ${event.fields.cluster}`);
    case 'commit-copy':
      return note(event.fields.job, `copy ${event.fields.offset}+${event.fields.bytes}`);
    case 'fault': {
      const f = event.fields;
      if (f.kind === 'io-error') return note(/primary|quorum|nbd|link/.test(f.node) ? 'primary' : 'secondary', `fault: ${f.op} ${f.errno} on ${f.node}`);
      if (f.kind === 'crash') return note(f.point.split(':')[0] ?? 'secondary', `fault: crash at ${f.point}`);
      if (f.kind === 'link-drop') return note('primary', `fault: link ${f.link} dropped`);
      return note(f.job, `fault: ${f.job} job fails`);
    }
    default:
      return;
  }
}
