/*
 * Runs a scenario on the TypeScript engine: builds a COLO pair from the scenario, then performs the
 * steps one by one, each as a scheduler task run until the simulation is quiescent (a concurrent
 * step spawns one task per sub-step, so their I/O interleaves as the schedule decides). The result
 * document has the same shape as the QEMU backend's. A deadlock or a bound hit stops the run and is
 * reported in `aborted`; so is any exception nothing models (outcome.ts decides), in a step's own
 * task or in a background job nobody awaits: code ENGINE_BUG, with its stack. Only an exception of
 * an observer (a checker hooked in through the options) still propagates. Guest I/O enters here: each read, write, write-zeroes, discard or flush step gets a request id
 * (SimEnv.requestId), announced by a `request` event naming its step, that every trace event it
 * causes carries as `req`; its answer is traced as a `reply` event when the guest gets it.
 */
import { isBlockError } from '../block/BlockError.js';
import { recycleBytes } from '../block/buffers.js';
import { ColoPair } from '../colo/ColoPair.js';
import type { NbdExport } from '../colo/NbdServer.js';
import { exportName } from '../colo/PairConfig.js';
import type { Side } from '../colo/Side.js';
import { profileRules } from '../replication/Profile.js';
import type { Task } from '../sim/Scheduler.js';
import { type PolicySpec, SimEnv } from '../sim/SimEnv.js';
import type { TraceLevel } from '../sim/Trace.js';
import { type Fault } from '../sim/FaultPlan.js';
import { NoExportError, type Outcome, SideLostError, classifyError, outcomeOf } from './outcome.js';
import { encodeRuns } from './runs.js';
import type { IoTarget, Scenario, Side as SideName, Step } from './Scenario.js';
import type { ResultDocument, StepResult } from './StepResult.js';
import { WriteData } from './writeData.js';

export interface EngineRunOptions {
  readonly traceLevel?: TraceLevel;
  /** Overrides the scenario's schedule. */
  readonly policy?: PolicySpec;
  /** Overrides the scenario's fault plan. */
  readonly faults?: readonly Fault[];
  /** Attach observers (checkers, recorders) before the first step. */
  readonly observe?: (env: SimEnv, pair: ColoPair) => void;
  /** Called before each top-level step runs. */
  readonly beforeStep?: (index: number, step: Step) => void;
  /** Called after each top-level step. */
  readonly onStep?: (index: number, step: Step, result: StepResult) => void;
  readonly maxSteps?: number;
  readonly maxTicks?: number;
  /** Simulated time one step may take; past it the run aborts with SIM_BOUND (a liveness failure). */
  readonly stepBoundTicks?: number;
}

export interface EngineRun {
  readonly document: ResultDocument;
  readonly env: SimEnv;
  readonly pair: ColoPair;
}

export async function runScenarioOnEngine(scenario: Scenario, options: EngineRunOptions = {}): Promise<EngineRun> {
  const env = new SimEnv({
    seed: scenario.engine.seed,
    policy: options.policy ?? policyOf(scenario),
    traceLevel: options.traceLevel ?? 'hash',
    faults: options.faults ?? scenario.engine.faults,
    maxSteps: options.maxSteps,
    maxTicks: options.maxTicks,
  });
  const pair = new ColoPair(env, {
    disks: scenario.disks,
    sizeBytes: scenario.disk.size,
    pattern: scenario.disk.pattern,
    rules: profileRules(scenario.profile),
    timing: scenario.engine.timing,
    chain: scenario.chain,
  });
  options.observe?.(env, pair);
  const document: ResultDocument = { scenario: scenario.name, backend: 'engine', steps: [] };
  const writeData = new WriteData();
  for (const [index, step] of scenario.steps.entries()) {
    if (env.trace.enabled) env.trace.emit('step', { index, do: step.do });
    options.beforeStep?.(index, step);
    let result: StepResult;
    try {
      result = await runStep(env, pair, index, step, options.stepBoundTicks, writeData);
    } catch (error) {
      document.aborted = abortOf(error, index);
      break;
    }
    document.steps.push(result);
    if (env.trace.enabled) env.trace.emit('step-result', { index, ok: result.ok, error: result.error, errno: result.errno, code: result.code });
    options.onStep?.(index, step, result);
  }
  // An aborted run may have left a write mid-way, holding its buffer: those stay out of the pool.
  if (!document.aborted) writeData.release();
  document.traceHash = env.trace.hash();
  return { document, env, pair };
}

function policyOf(scenario: Scenario): PolicySpec {
  const schedule = scenario.engine.schedule;
  return schedule.policy === 'replay' ? { replay: schedule.choices, lenient: schedule.lenient } : schedule.policy;
}

async function runStep(env: SimEnv, pair: ColoPair, index: number, step: Step, bound: number | undefined, writeData: WriteData): Promise<StepResult> {
  if (step.do === 'wait') {
    await runScheduler(env, { untilTick: env.now() + step.ticks }, []);
    return { index, do: step.do, ok: true };
  }
  if (step.do === 'heal') {
    env.faults.active = false;
    return { index, do: step.do, ok: true };
  }
  const steps = step.do === 'concurrent' ? step.steps : [step];
  const tasks = steps.map((s, i) => {
    const at: StepAt = { step: index, member: step.do === 'concurrent' ? i : undefined };
    return env.sched.spawn(`step${index}${steps.length > 1 ? `.${i}` : ''}:${s.do}`, () => perform(pair, s, at, writeData));
  });
  await runScheduler(env, { deadlineTick: bound === undefined ? undefined : env.now() + bound }, tasks);
  // Every failure left is a modelled one (runScheduler threw on the others).
  const results = tasks.map((task, i) => {
    const outcome = task.outcome!.ok ? task.outcome!.value! : outcomeOf(task.outcome!.error);
    return { index: step.do === 'concurrent' ? i : index, do: steps[i]!.do, ...outcome };
  });
  if (step.do !== 'concurrent') return results[0]!;
  return { index, do: step.do, ok: results.every((r) => r.ok), steps: results };
}

/** Which step a task performs: the top-level index, and its place in a concurrent group. */
interface StepAt {
  readonly step: number;
  readonly member: number | undefined;
}

/** One step's operation against the pair (runs as a scheduler task). */
async function perform(pair: ColoPair, step: Step, at: StepAt, writeData: WriteData): Promise<Outcome> {
  switch (step.do) {
    case 'start':
      if (step.side === 'both') {
        await alive(pair, 'secondary').xenSetReplication(true, false);
        await alive(pair, 'primary').xenSetReplication(true, true);
      } else {
        await alive(pair, step.side).xenSetReplication(true, (step.mode ?? step.side) === 'primary');
      }
      return { ok: true };
    case 'stop':
      await alive(pair, step.side).xenSetReplication(false, step.side === 'primary', step.failover);
      return { ok: true };
    case 'checkpoint':
      for (const side of step.side === 'both' ? (['secondary', 'primary'] as const) : [step.side]) await alive(pair, side).xenColoDoCheckpoint();
      return { ok: true };
    case 'status': {
      const status = await alive(pair, step.side).queryXenReplicationStatus();
      return status.desc === undefined ? { ok: true, replicationError: status.error } : { ok: true, replicationError: status.error, desc: status.desc };
    }
    case 'write': {
      const exp = exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0);
      // The range first, as the server would check it: a write past the end must not allocate its length.
      exp.checkRange('write', step.offset, step.length);
      const req = guestRequest(pair.env, step, at);
      await answered(pair.env, req, exp.write(step.offset, writeData.filled(at.member === undefined ? 0 : 1 + at.member, step.length, step.pattern), req));
      return { ok: true };
    }
    case 'read': {
      const exp = exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0);
      const req = guestRequest(pair.env, step, at);
      const data = await answered(pair.env, req, exp.read(step.offset, step.length, req));
      const runs = encodeRuns(data);
      // The answer is the guest's alone (every node hands on a buffer it no longer holds): reuse its memory.
      recycleBytes(data);
      return { ok: true, runs };
    }
    case 'write-zeroes': {
      const exp = exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0);
      const req = guestRequest(pair.env, step, at);
      await answered(pair.env, req, exp.writeZeroes(step.offset, step.length, step.unmap ?? false, req));
      return { ok: true };
    }
    case 'discard': {
      const exp = exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0);
      // Announced for the checkers; the block layer drops a discard (discard=ignore) before any I/O.
      const req = guestRequest(pair.env, step, at);
      await answered(pair.env, req, exp.discard(step.offset, step.length));
      return { ok: true };
    }
    case 'flush': {
      const exp = exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0);
      const req = guestRequest(pair.env, { ...step, offset: 0, length: 0 }, at);
      await answered(pair.env, req, exp.flush(req));
      return { ok: true };
    }
    case 'failover': {
      const lost = step.lost ?? 'primary';
      alive(pair, lost === 'primary' ? 'secondary' : 'primary');
      await pair.failover(lost);
      return { ok: true };
    }
    case 'close':
      alive(pair, step.side);
      await pair.deleteReplication(step.side, step.disk);
      return { ok: true };
    case 'wait':
    case 'heal':
    case 'concurrent':
      throw new Error(`${step.do} cannot run as a task`);
  }
}

/** Mint the id of a guest request entering now, and say which step it is. */
type GuestRequestStep = Extract<Step, { do: 'read' | 'write' | 'write-zeroes' | 'discard' }> | (Extract<Step, { do: 'flush' }> & { offset: number; length: number });

function guestRequest(env: SimEnv, step: GuestRequestStep, at: StepAt): number {
  const req = env.requestId();
  if (env.trace.enabled) {
    const { vm, offset, length } = step;
    env.trace.emit('request', { req, step: at.step, member: at.member, op: step.do, vm, target: step.node ?? 'vm', disk: step.disk ?? 0, offset, bytes: length });
  }
  return req;
}

/** The guest's answer to request `req`, traced as a `reply` event when it comes (then passed on). */
function answered<T>(env: SimEnv, req: number, call: Promise<T>): Promise<T> {
  if (!env.trace.enabled) return call;
  return call.then(
    (value) => {
      env.trace.emit('reply', { req, ok: true });
      return value;
    },
    (error: unknown) => {
      env.trace.emit('reply', isBlockError(error) ? { req, ok: false, errno: error.errno } : { req, ok: false });
      throw error;
    },
  );
}

function alive(pair: ColoPair, name: SideName): Side {
  const side = pair.side(name);
  if (!side.alive) throw new SideLostError(name);
  return side;
}

function exportOf(pair: ColoPair, vm: SideName, target: IoTarget, disk: number): NbdExport {
  const side = alive(pair, vm);
  const name = exportName(vm, target, disk);
  const exp = side.server.get(name);
  if (!exp) throw new NoExportError(name);
  return exp;
}

/** An exception nothing models, with where it surfaced; the run aborts with ENGINE_BUG. */
class EngineBug extends Error {
  constructor(
    where: string,
    readonly error: unknown,
  ) {
    super(`${where}: ${describeError(error)}`);
  }
}

/**
 * Run the scheduler, then classify every task that failed meanwhile: the step's own tasks as
 * operations, any other (a job, a background teardown) as background. The first engine bug wins
 * over a deadlock it may have caused.
 */
async function runScheduler(env: SimEnv, options: Parameters<SimEnv['sched']['run']>[0], own: readonly Task<unknown>[]): Promise<void> {
  let stopped: { error: unknown } | undefined;
  try {
    await env.sched.run(options);
  } catch (error) {
    stopped = { error };
  }
  for (const task of env.sched.takeFailedTasks()) {
    const site = own.includes(task) ? 'operation' : 'background';
    const error = task.outcome!.error;
    if (classifyError(error, site).kind === 'engine-bug') throw new EngineBug(`${site === 'operation' ? 'step task' : 'background task'} ${task.label}`, error);
  }
  if (stopped) throw stopped.error;
}

function abortOf(error: unknown, step: number): NonNullable<ResultDocument['aborted']> {
  if (error instanceof EngineBug) return engineBug(step, error.message, error.error);
  const verdict = classifyError(error, 'run');
  if (verdict.kind === 'stop') return { step, code: verdict.code, message: (error as Error).message };
  return engineBug(step, `step ${step}: ${describeError(error)}`, error);
}

function engineBug(step: number, message: string, error: unknown): NonNullable<ResultDocument['aborted']> {
  const stack = error instanceof Error ? error.stack : undefined;
  return stack === undefined ? { step, code: 'ENGINE_BUG', message } : { step, code: 'ENGINE_BUG', message, stack };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${typeof error}: ${String(error)}`;
}
