/*
 * Runs a scenario on the TypeScript engine: builds a COLO pair from the scenario, then performs the
 * steps one by one, each as a scheduler task run until the simulation is quiescent (a concurrent
 * step spawns one task per sub-step, so their I/O interleaves as the schedule decides). The result
 * document has the same shape as the QEMU backend's. A deadlock or a bound hit stops the run and is
 * reported in `aborted`.
 */
import { ColoPair } from '../colo/ColoPair.js';
import type { NbdExport } from '../colo/NbdServer.js';
import { exportName } from '../colo/PairConfig.js';
import type { Side } from '../colo/Side.js';
import { profileRules } from '../replication/Profile.js';
import { type PolicySpec, SimEnv } from '../sim/SimEnv.js';
import type { TraceLevel } from '../sim/Trace.js';
import { type Fault } from '../sim/FaultPlan.js';
import { NoExportError, type Outcome, SideLostError, outcomeOf } from './outcome.js';
import { encodeRuns } from './runs.js';
import type { IoTarget, Scenario, Side as SideName, Step } from './Scenario.js';
import type { ResultDocument, StepResult } from './StepResult.js';

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
  for (const [index, step] of scenario.steps.entries()) {
    if (env.trace.enabled) env.trace.emit('step', { index, do: step.do });
    options.beforeStep?.(index, step);
    let result: StepResult;
    try {
      result = await runStep(env, pair, index, step, options.stepBoundTicks);
    } catch (error) {
      const aborted = abortOf(error, index);
      if (!aborted) throw error;
      document.aborted = aborted;
      break;
    }
    document.steps.push(result);
    if (env.trace.enabled) env.trace.emit('step-result', { index, ok: result.ok, error: result.error, errno: result.errno, code: result.code });
    options.onStep?.(index, step, result);
  }
  document.traceHash = env.trace.hash();
  return { document, env, pair };
}

function policyOf(scenario: Scenario): PolicySpec {
  const schedule = scenario.engine.schedule;
  return schedule.policy === 'replay' ? { replay: schedule.choices, lenient: schedule.lenient } : schedule.policy;
}

async function runStep(env: SimEnv, pair: ColoPair, index: number, step: Step, bound: number | undefined): Promise<StepResult> {
  if (step.do === 'wait') {
    await env.sched.run({ untilTick: env.now() + step.ticks });
    return { index, do: step.do, ok: true };
  }
  if (step.do === 'heal') {
    env.faults.active = false;
    return { index, do: step.do, ok: true };
  }
  const steps = step.do === 'concurrent' ? step.steps : [step];
  const tasks = steps.map((s, i) => env.sched.spawn(`step${index}${steps.length > 1 ? `.${i}` : ''}:${s.do}`, () => perform(pair, s)));
  await env.sched.run({ deadlineTick: bound === undefined ? undefined : env.now() + bound });
  const results = tasks.map((task, i) => {
    const outcome = task.outcome!.ok ? task.outcome!.value! : outcomeOf(task.outcome!.error);
    return { index: step.do === 'concurrent' ? i : index, do: steps[i]!.do, ...outcome };
  });
  if (step.do !== 'concurrent') return results[0]!;
  return { index, do: step.do, ok: results.every((r) => r.ok), steps: results };
}

/** One step's operation against the pair (runs as a scheduler task). */
async function perform(pair: ColoPair, step: Step): Promise<Outcome> {
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
    case 'write':
      await exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0).write(step.offset, new Uint8Array(step.length).fill(step.pattern));
      return { ok: true };
    case 'read':
      return { ok: true, runs: encodeRuns(await exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0).read(step.offset, step.length)) };
    case 'write-zeroes':
      await exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0).writeZeroes(step.offset, step.length, step.unmap ?? false);
      return { ok: true };
    case 'discard':
      await exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0).discard(step.offset, step.length);
      return { ok: true };
    case 'flush':
      await exportOf(pair, step.vm, step.node ?? 'vm', step.disk ?? 0).flush();
      return { ok: true };
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

function abortOf(error: unknown, step: number): ResultDocument['aborted'] {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'DEADLOCK' || code === 'SIM_BOUND' || code === 'SCHEDULE_DRIFT') {
    return { step, code, message: (error as Error).message };
  }
  return undefined;
}
