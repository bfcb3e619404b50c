/*
 * Validates a scenario file before anything runs. Every problem is reported with the path of the
 * offending field ("steps[2].side: must be one of ..."), unknown fields are errors, and defaults
 * are filled in so every backend sees the same complete scenario.
 */
import { type Fault, parseFaultPlan } from '../sim/FaultPlan.js';
import { FieldReader, compact } from '../util/FieldReader.js';
import { JsonInputError, parseStrictJson } from '../util/strictJson.js';
import {
  CHAIN_VARIANTS,
  DEFAULT_DISK_SIZE_BYTES,
  IO_TARGETS,
  MAX_DISK_SIZE_BYTES,
  MAX_IO_BYTES,
  DEFAULT_TIMING,
  type EngineSettings,
  type ExpectedResult,
  PROFILES,
  SCENARIO_FORMAT_VERSION,
  STEP_KINDS,
  type Scenario,
  type ScenarioStep,
  type ScheduleSpec,
  type Step,
  type TimingSpec,
} from './Scenario.js';
import { faultTargets, unknownTarget } from './faultTargets.js';

export class ScenarioError extends Error {
  readonly code = 'BAD_SCENARIO';
}

const fail = (message: string): Error => new ScenarioError(message);
const SIDES = ['primary', 'secondary'] as const;
const SIDES_OR_BOTH = ['primary', 'secondary', 'both'] as const;
export const MAX_DISKS = 8;

/** Parse scenario text (JSON). `source` names the file in messages. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseStrictJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) throw new ScenarioError(`${source}: ${error.message}`);
    throw error;
  }
  return parseScenario(raw);
}

export function parseScenario(raw: unknown): Scenario {
  const f = FieldReader.of(raw, 'scenario', fail);
  const version = f.raw('colosim');
  if (version !== SCENARIO_FORMAT_VERSION) throw f.error('colosim', `must be ${SCENARIO_FORMAT_VERSION} (the format version)`, version);
  const name = f.string('name');
  const description = f.optString('description');
  const origin = parseOrigin(f.raw('origin'));
  const disk = parseDisk(f.raw('disk'));
  const disks = f.optInt('disks', 1, MAX_DISKS) ?? 1;
  const profile = f.oneOf('profile', PROFILES, 'qemu-7.2');
  const chain = f.oneOf('chain', CHAIN_VARIANTS, 'standard');
  const engine = parseEngine(f.raw('engine'), disks);
  const rawSteps = f.raw('steps');
  if (!Array.isArray(rawSteps)) throw f.error('steps', 'must be an array of steps', rawSteps);
  f.finish();
  const context: StepContext = { disks, diskSizeBytes: disk.size };
  const steps = rawSteps.map((s, i) => parseStep(s, `steps[${i}]`, context, true) as ScenarioStep);
  return compact({ colosim: 1 as const, name, description, origin, disk, chain, disks, profile, engine, steps });
}

function parseOrigin(raw: unknown): Scenario['origin'] {
  if (raw === undefined) return undefined;
  const f = FieldReader.of(raw, 'scenario.origin', fail);
  const origin = {
    campaignSeed: f.int('campaignSeed', -0x80000000, 0xffffffff),
    case: f.int('case'),
    caseSeed: f.int('caseSeed', -0x80000000, 0xffffffff),
    invariant: f.string('invariant'),
    kind: f.string('kind'),
    step: f.int('step'),
    message: f.string('message'),
    traceHash: f.string('traceHash'),
    command: f.string('command'),
  };
  const stack = f.optString('stack');
  f.finish();
  return stack === undefined ? origin : { ...origin, stack };
}

function parseDisk(raw: unknown): Scenario['disk'] {
  if (raw === undefined) return { size: DEFAULT_DISK_SIZE_BYTES, pattern: 0 };
  const f = FieldReader.of(raw, 'scenario.disk', fail);
  const size = f.optInt('size', 512) ?? DEFAULT_DISK_SIZE_BYTES;
  if (size > MAX_DISK_SIZE_BYTES) throw f.error('size', `must be at most ${MAX_DISK_SIZE_BYTES} (4 TiB, the largest disk the engine takes)`, size);
  if (size % 512 !== 0) throw f.error('size', 'must be a multiple of 512', size);
  const pattern = f.optInt('pattern', 0, 255) ?? 0;
  f.finish();
  return { size, pattern };
}

function parseEngine(raw: unknown, disks: number): EngineSettings {
  const base: EngineSettings = { seed: 0, schedule: { policy: 'fifo' }, timing: DEFAULT_TIMING, faults: [] };
  if (raw === undefined) return base;
  const f = FieldReader.of(raw, 'scenario.engine', fail);
  const seed = f.optInt('seed', -0x80000000, 0xffffffff) ?? 0;
  const schedule = parseSchedule(f.raw('schedule'));
  const timing = parseTiming(f.raw('timing'));
  let faults;
  try {
    faults = parseFaultPlan(f.raw('faults'), 'scenario.engine.faults');
  } catch (error) {
    throw new ScenarioError((error as Error).message);
  }
  checkFaultTargets(faults, disks, 'scenario.engine.faults');
  f.finish();
  return { seed, schedule, timing, faults };
}

/** A fault on a name the pair does not have would never fire: name the field and list what exists. */
function checkFaultTargets(faults: readonly Fault[], disks: number, where: string): void {
  const targets = faultTargets(disks);
  for (const [i, fault] of faults.entries()) {
    const unknown = unknownTarget(fault, targets);
    if (unknown === null) continue;
    const [field, value, allowed] = unknown;
    throw fail(`${where}[${i}].${field}: no ${fault.kind} target ${JSON.stringify(value)} with ${disks} disk(s); expected one of ${allowed.join(', ')}`);
  }
}

function parseSchedule(raw: unknown): ScheduleSpec {
  if (raw === undefined) return { policy: 'fifo' };
  const f = FieldReader.of(raw, 'scenario.engine.schedule', fail);
  const policy = f.oneOf('policy', ['fifo', 'random', 'replay'] as const);
  if (policy !== 'replay') {
    f.finish();
    return { policy };
  }
  const choices = f.raw('choices');
  if (!Array.isArray(choices) || !choices.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)) {
    throw f.error('choices', 'must be an array of integers >= 0', choices);
  }
  const lenient = f.optBool('lenient');
  f.finish();
  return compact({ policy, choices: choices as number[], lenient });
}

function parseTiming(raw: unknown): TimingSpec {
  if (raw === undefined) return DEFAULT_TIMING;
  const f = FieldReader.of(raw, 'scenario.engine.timing', fail);
  const timing: TimingSpec = {
    diskLatencyTicks: f.optInt('diskLatencyTicks') ?? DEFAULT_TIMING.diskLatencyTicks,
    linkLatencyTicks: f.optInt('linkLatencyTicks') ?? DEFAULT_TIMING.linkLatencyTicks,
    commitChunkBytes: f.optInt('commitChunkBytes', 512) ?? DEFAULT_TIMING.commitChunkBytes,
    commitPaceTicks: f.optInt('commitPaceTicks') ?? DEFAULT_TIMING.commitPaceTicks,
  };
  const scan = f.optInt('commitScanTicksPerCluster');
  if (scan !== undefined && scan > 0) Object.assign(timing, { commitScanTicksPerCluster: scan });
  if (timing.commitChunkBytes % 512 !== 0) throw f.error('commitChunkBytes', 'must be a multiple of 512', timing.commitChunkBytes);
  f.finish();
  return timing;
}

interface StepContext {
  readonly disks: number;
  readonly diskSizeBytes: number;
}

function parseStep(raw: unknown, where: string, ctx: StepContext, topLevel: boolean): Step | ScenarioStep {
  const f = FieldReader.of(raw, where, fail);
  const kind = f.oneOf('do', STEP_KINDS);
  const step = readStep(kind, f, where, ctx);
  if ((step.do === 'read' || step.do === 'write') && step.length > MAX_IO_BYTES && step.offset + step.length <= ctx.diskSizeBytes) {
    // Past the end it is the server's to refuse (EINVAL); inside the disk the engine would have to buffer it all.
    throw fail(`${where}.length: must be at most ${MAX_IO_BYTES} (256 MiB, the largest request the engine buffers), got ${step.length}`);
  }
  const expect = topLevel || kind !== 'concurrent' ? parseExpect(f.raw('expect'), `${where}.expect`) : undefined;
  const note = f.optString('note');
  f.finish();
  return compact({ ...step, expect, note }) as ScenarioStep;
}

function readStep(kind: Step['do'], f: FieldReader, where: string, ctx: StepContext): Step {
  switch (kind) {
    case 'start':
      return compact({ do: kind, side: f.oneOf('side', SIDES_OR_BOTH), mode: f.optOneOf('mode', SIDES) });
    case 'stop':
      return { do: kind, side: f.oneOf('side', SIDES), failover: f.optBool('failover') ?? false };
    case 'checkpoint':
      return { do: kind, side: f.oneOf('side', SIDES_OR_BOTH) };
    case 'status':
      return { do: kind, side: f.oneOf('side', SIDES) };
    case 'write':
      return compact({ do: kind, ...guestRange(f), pattern: f.int('pattern', 0, 255), ...entry(f, ctx) });
    case 'read':
    case 'discard':
      return compact({ do: kind, ...guestRange(f), ...entry(f, ctx) });
    case 'write-zeroes':
      return compact({ do: kind, ...guestRange(f), unmap: f.optBool('unmap'), ...entry(f, ctx) });
    case 'flush':
      return compact({ do: kind, vm: f.oneOf('vm', SIDES), ...entry(f, ctx) });
    case 'failover':
      return compact({ do: kind, lost: f.optOneOf('lost', SIDES) });
    case 'wait':
      return { do: kind, ticks: f.int('ticks') };
    case 'heal':
      return { do: kind };
    case 'close':
      return compact({ do: kind, side: f.oneOf('side', SIDES), disk: f.optInt('disk', 0, ctx.disks - 1) });
    case 'concurrent': {
      const inner = f.raw('steps');
      if (!Array.isArray(inner) || inner.length === 0) throw f.error('steps', 'must be a non-empty array of steps', inner);
      // Checked before parsing the inner steps, so a deep nest fails here rather than deep in the stack.
      if (inner.some((s) => ['concurrent', 'wait', 'heal'].includes((s as { do?: unknown } | null)?.do as string))) {
        throw fail(`${where}.steps: concurrent steps cannot contain "concurrent", "wait" or "heal"`);
      }
      const steps = inner.map((s, i) => parseStep(s, `${where}.steps[${i}]`, ctx, false) as Step);
      return { do: kind, steps };
    }
  }
}

/** The VM and byte range of a guest operation, read in the order the format lists them. */
function guestRange(f: FieldReader): { vm: (typeof SIDES)[number]; offset: number; length: number } {
  return { vm: f.oneOf('vm', SIDES), offset: f.int('offset'), length: f.int('length', 1) };
}

/** Which disk a guest operation targets and where it enters (the VM's disk unless `node` says otherwise). */
function entry(f: FieldReader, ctx: StepContext): { disk: number | undefined; node: (typeof IO_TARGETS)[number] | undefined } {
  return { disk: f.optInt('disk', 0, ctx.disks - 1), node: f.optOneOf('node', IO_TARGETS) };
}

function parseExpect(raw: unknown, where: string): ExpectedResult | undefined {
  if (raw === undefined) return undefined;
  const f = FieldReader.of(raw, where, fail);
  const runs = f.raw('runs');
  if (runs !== undefined && !isRuns(runs)) throw f.error('runs', 'must be an array of [byte, count] pairs', runs);
  const expect: ExpectedResult = compact({
    ok: f.optBool('ok'),
    error: f.optString('error'),
    code: f.optString('code'),
    errno: f.optString('errno'),
    runs: runs as ExpectedResult['runs'],
    replicationError: f.optBool('replicationError'),
    desc: f.optString('desc'),
  });
  f.finish();
  return expect;
}

function isRuns(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (r) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && r[0] >= 0 && r[0] <= 255 && Number.isSafeInteger(r[1]) && r[1] > 0,
    )
  );
}
