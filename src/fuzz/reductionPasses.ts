/*
 * Candidate reductions of a failing scenario, each a pure function from a scenario to the smaller
 * scenarios worth trying, in order of preference. They do what fast-check's integrated shrinking
 * cannot (fast-check #254: a shrunk command list keeps commands the failure does not need, and a
 * concurrent group never becomes sequential steps): drop steps anywhere, including the liveness
 * phase, split concurrent groups, pull I/O to one sector at offset 0 on disk 0, drop faults, fall
 * back to FIFO and the default timing, and shrink the disk. Whether a candidate still fails is
 * decided by the caller (reduceScenario.ts); nothing here runs the engine.
 */
import type { Scenario, ScenarioStep, Step } from '../scenario/Scenario.js';
import { DEFAULT_TIMING } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';

/** Reductions given where the failure showed (its top-level step), when known. */
export type ReductionPass = (scenario: Scenario, violationStep: number) => Scenario[];

const SECTOR = 512;

function withSteps(s: Scenario, steps: readonly ScenarioStep[]): Scenario {
  return { ...s, steps };
}

/** Everything after the failing step, then windows of steps (halving sizes, as ddmin does), then single steps. */
export const dropSteps: ReductionPass = (s, violationStep) => {
  const out: Scenario[] = [];
  const n = s.steps.length;
  if (violationStep >= 0 && violationStep + 1 < n) out.push(withSteps(s, s.steps.slice(0, violationStep + 1)));
  for (let size = Math.floor(n / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let start = n - size; start >= 0; start -= size) out.push(withSteps(s, [...s.steps.slice(0, start), ...s.steps.slice(start + size)]));
  }
  return out;
};

/** A concurrent group becomes its members in sequence, then one member alone, then loses one member. */
export const splitConcurrent: ReductionPass = (s) => {
  const out: Scenario[] = [];
  s.steps.forEach((step, i) => {
    if (step.do !== 'concurrent') return;
    const replace = (by: readonly ScenarioStep[]) => withSteps(s, [...s.steps.slice(0, i), ...by, ...s.steps.slice(i + 1)]);
    out.push(replace(step.steps));
    for (const member of step.steps) out.push(replace([member]));
    if (step.steps.length > 2) step.steps.forEach((_, j) => out.push(replace([{ do: 'concurrent', steps: step.steps.filter((__, k) => k !== j) }])));
  });
  return out;
};

/** Simpler versions of one step: I/O of 512 bytes then 1 byte, at offset 0, on disk 0, through the VM; one side instead of both. */
function simplerStep(step: Step): Step[] {
  switch (step.do) {
    case 'write':
    case 'read':
    case 'write-zeroes':
    case 'discard': {
      const { disk: _disk, node: _node, ...plain } = step;
      const out: Step[] = [];
      if (step.length > SECTOR) out.push({ ...step, length: SECTOR });
      if (step.length > 1) out.push({ ...step, length: 1 });
      if (step.offset > 0) out.push({ ...step, offset: 0 });
      if (step.disk !== undefined || step.node !== undefined) out.push(plain);
      if (step.do === 'write' && step.pattern !== 1) out.push({ ...step, pattern: 1 });
      if (step.do === 'write-zeroes' && step.unmap) out.push({ ...step, unmap: undefined });
      return out;
    }
    case 'flush':
      return step.disk !== undefined || step.node !== undefined ? [{ do: 'flush', vm: step.vm }] : [];
    case 'checkpoint':
      return step.side === 'both' ? [{ ...step, side: 'secondary' }, { ...step, side: 'primary' }] : [];
    case 'start':
      return step.mode !== undefined ? [{ do: 'start', side: step.side }] : [];
    case 'close':
      return step.disk !== undefined ? [{ do: 'close', side: step.side }] : [];
    case 'wait':
      return step.ticks > 1 ? [{ do: 'wait', ticks: 1 }] : [];
    case 'concurrent':
      return step.steps.flatMap((member, j) => simplerStep(member).map((m) => ({ do: 'concurrent' as const, steps: step.steps.map((x, k) => (k === j ? m : x)) })));
    default:
      return [];
  }
}

export const simplifySteps: ReductionPass = (s) =>
  s.steps.flatMap((step, i) => simplerStep(step).map((simpler) => withSteps(s, s.steps.map((x, k) => (k === i ? simpler : x)))));

export const dropFaults: ReductionPass = (s) => {
  const faults = s.engine.faults;
  const out: Scenario[] = [];
  if (faults.length > 1) out.push({ ...s, engine: { ...s.engine, faults: [] } });
  faults.forEach((_, i) => out.push({ ...s, engine: { ...s.engine, faults: faults.filter((__, k) => k !== i) } }));
  return out;
};

/** FIFO, then a shorter list of choices, then all choices 0 (FIFO's pick at each point). */
export const simplifySchedule: ReductionPass = (s) => {
  const schedule = s.engine.schedule;
  if (schedule.policy === 'fifo') return [];
  const fifo: Scenario = { ...s, engine: { ...s.engine, schedule: { policy: 'fifo' } } };
  if (schedule.policy !== 'replay') return [fifo];
  const choices = schedule.choices;
  const out = [fifo];
  for (let keep = Math.floor(choices.length / 2); keep >= 1 && keep < choices.length; keep = Math.floor(keep / 2)) out.push({ ...s, engine: { ...s.engine, schedule: { ...schedule, choices: choices.slice(0, keep) } } });
  if (choices.some((c) => c !== 0)) out.push({ ...s, engine: { ...s.engine, schedule: { ...schedule, choices: choices.map(() => 0) } } });
  return out;
};

export const simplifyTiming: ReductionPass = (s) => {
  const timing = s.engine.timing;
  const keys = Object.keys(DEFAULT_TIMING) as (keyof typeof DEFAULT_TIMING)[];
  const differing = keys.filter((k) => timing[k] !== DEFAULT_TIMING[k]);
  const out: Scenario[] = [];
  if (differing.length > 1) out.push({ ...s, engine: { ...s.engine, timing: DEFAULT_TIMING } });
  for (const k of differing) out.push({ ...s, engine: { ...s.engine, timing: { ...timing, [k]: DEFAULT_TIMING[k] } } });
  if (s.engine.seed !== 0) out.push({ ...s, engine: { ...s.engine, seed: 0 } });
  return out;
};

/** One disk: disk fields dropped and fault nodes of further disks mapped to the first. */
export const oneDisk: ReductionPass = (s) => {
  if (s.disks <= 1) return [];
  const strip = (step: Step): Step => {
    if (step.do === 'concurrent') return { ...step, steps: step.steps.map(strip) };
    if ('disk' in step) {
      const { disk: _disk, ...rest } = step;
      return rest as Step;
    }
    return step;
  };
  const faults = s.engine.faults.map(firstDiskFault);
  return [{ ...s, disks: 1, steps: s.steps.map(strip), engine: { ...s.engine, faults } }];
};

function firstDiskFault(fault: Fault): Fault {
  const base = (name: string) => name.replace(/\.\d+$/, '');
  if (fault.kind === 'link-drop') return { ...fault, link: base(fault.link) };
  if ('node' in fault && typeof fault.node === 'string') return { ...fault, node: base(fault.node) } as Fault;
  return fault;
}

/** The disk: the smallest size that holds every request (a sector at least), and no initial pattern. */
export const shrinkDisk: ReductionPass = (s) => {
  const out: Scenario[] = [];
  const needed = Math.max(SECTOR, Math.ceil(maxIoEnd(s.steps) / SECTOR) * SECTOR);
  for (const size of [SECTOR, needed, 65536]) {
    if (size < s.disk.size && !out.some((c) => c.disk.size === size)) out.push({ ...s, disk: { ...s.disk, size } });
  }
  if (s.disk.pattern !== 0) out.push({ ...s, disk: { ...s.disk, pattern: 0 } });
  return out;
};

function maxIoEnd(steps: readonly Step[]): number {
  let end = 0;
  for (const step of steps) {
    if (step.do === 'concurrent') end = Math.max(end, maxIoEnd(step.steps));
    else if ('offset' in step && 'length' in step) end = Math.max(end, step.offset + step.length);
  }
  return end;
}

/** The passes in the order they run: the big cuts first, so later passes have fewer steps to try. */
export const REDUCTION_PASSES: readonly ReductionPass[] = [dropSteps, splitConcurrent, dropFaults, simplifySchedule, dropSteps, oneDisk, simplifySteps, simplifyTiming, shrinkDisk];
