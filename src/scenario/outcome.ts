/*
 * Which exceptions are modelled, decided in one place (classifyError). A step's own operation may
 * end in QEMU's message for a command error, the errno for failed guest I/O, or colosim's own coded
 * errors for a lost or crashed side. A background job nobody awaits may only die with its process
 * (a simulated crash). The scheduler itself may stop the run on a deadlock, a bound or a drifted
 * replay (liveness). Anything else is a bug in the engine: the run aborts with ENGINE_BUG.
 */
import { isBlockError } from '../block/BlockError.js';
import { isQemuError } from '../replication/QemuError.js';
import { DeadlockError, SimBoundError } from '../sim/Scheduler.js';
import { ScheduleDriftError } from '../sim/ReplayPolicy.js';
import { type SimulatedCrash, isSimulatedCrash } from '../sim/SimulatedCrash.js';
import { OutcomeError } from '../util/OutcomeError.js';
import type { StepResult } from './StepResult.js';

export type Outcome = Omit<StepResult, 'index' | 'do'>;

/** A step addressed to a side whose process is gone. */
export class SideLostError extends OutcomeError {
  readonly code = 'SIDE_LOST';
  constructor(readonly side: string) {
    super(sideLostMessage(side));
  }
}

/** I/O aimed at an export the side does not have (e.g. a chain variant without a secondary disk export). */
export class NoExportError extends OutcomeError {
  readonly code = 'NO_EXPORT';
  constructor(readonly exportName: string) {
    super(`colosim: no NBD export named ${exportName}`);
  }
}

export function sideLostMessage(side: string): string {
  return `colosim: the ${side} side is lost`;
}

/** Where an exception surfaced: a step's own operation, a task nobody awaits, or the scheduler's run. */
export type ErrorSite = 'operation' | 'background' | 'run';

/** The codes a run stops with when the scheduler cannot go on (liveness, or a replay that drifted). */
export type StopCode = 'DEADLOCK' | 'SIM_BOUND' | 'SCHEDULE_DRIFT';

export type ErrorClass =
  /** A modelled end of an operation (for a background task: its process died under it). */
  | { readonly kind: 'outcome'; readonly outcome: Outcome }
  /** The scheduler stopped the run. */
  | { readonly kind: 'stop'; readonly code: StopCode }
  /** Nothing models it: a bug in the engine. */
  | { readonly kind: 'engine-bug' };

const ENGINE_BUG: ErrorClass = { kind: 'engine-bug' };

export function classifyError(error: unknown, site: ErrorSite): ErrorClass {
  if (site === 'run') return stopOf(error) ?? ENGINE_BUG;
  if (site === 'background') return isSimulatedCrash(error) ? { kind: 'outcome', outcome: crashOutcome(error) } : ENGINE_BUG;
  const outcome = operationOutcome(error);
  return outcome ? { kind: 'outcome', outcome } : ENGINE_BUG;
}

/** A step operation's modelled end; throws the error back when it is not modelled (a bug). */
export function outcomeOf(error: unknown): Outcome {
  const outcome = operationOutcome(error);
  if (!outcome) throw error;
  return outcome;
}

function operationOutcome(error: unknown): Outcome | undefined {
  if (isQemuError(error)) return { ok: false, error: error.message };
  if (isBlockError(error)) return { ok: false, errno: error.errno };
  if (error instanceof SideLostError || error instanceof NoExportError) return { ok: false, error: error.message, code: error.code };
  if (isSimulatedCrash(error)) return crashOutcome(error);
  return undefined;
}

/** A planned crash fault loses the side; any other crash is what QEMU itself would have done. */
function crashOutcome(error: SimulatedCrash): Outcome {
  return error.injected
    ? { ok: false, error: sideLostMessage(error.side), code: 'SIDE_LOST' }
    : { ok: false, error: `colosim: ${error.message}`, code: 'CRASH' };
}

function stopOf(error: unknown): ErrorClass | undefined {
  if (error instanceof DeadlockError || error instanceof SimBoundError || error instanceof ScheduleDriftError) return { kind: 'stop', code: error.code };
  return undefined;
}
