/*
 * Everything a simulated run shares: the scheduler (and its clock), the trace, the fault injector
 * and the root PRNG. Built once per run from a seed; engine objects receive it explicitly.
 */
import type { Fault } from './FaultPlan.js';
import { FaultInjector } from './FaultInjector.js';
import { FifoPolicy } from './FifoPolicy.js';
import { Prng } from './Prng.js';
import { RandomPolicy } from './RandomPolicy.js';
import { RecordingPolicy } from './RecordingPolicy.js';
import { ReplayPolicy } from './ReplayPolicy.js';
import { Scheduler } from './Scheduler.js';
import type { SchedulePolicy } from './SchedulePolicy.js';
import { Trace, type TraceLevel } from './Trace.js';

export type PolicySpec = 'fifo' | 'random' | { readonly replay: readonly number[]; readonly lenient?: boolean } | SchedulePolicy;

export interface SimEnvOptions {
  readonly seed?: number;
  readonly policy?: PolicySpec;
  readonly traceLevel?: TraceLevel;
  readonly faults?: readonly Fault[];
  readonly maxSteps?: number;
  readonly maxTicks?: number;
}

export class SimEnv {
  readonly sched: Scheduler;
  readonly trace: Trace;
  readonly faults: FaultInjector;
  readonly prng: Prng;
  /** Every scheduling decision of this run, replayable with { replay: choices }. */
  readonly recording: RecordingPolicy;
  private nextRequestId = 1;

  constructor(options: SimEnvOptions = {}) {
    this.prng = Prng.fromSeed(options.seed ?? 0);
    this.recording = new RecordingPolicy(makePolicy(options.policy ?? 'fifo', this.prng));
    this.sched = new Scheduler({ policy: this.recording, maxSteps: options.maxSteps, maxTicks: options.maxTicks });
    this.trace = new Trace(options.traceLevel ?? 'hash', this.sched.clock);
    this.faults = new FaultInjector(options.faults ?? [], this.sched.clock, this.trace);
  }

  now(): number {
    return this.sched.clock.now();
  }

  /**
   * A run-unique id for a guest request, minted where it enters (the scenario runner's I/O steps);
   * every trace event the request causes, on either side, carries it as `req`.
   */
  requestId(): number {
    return this.nextRequestId++;
  }
}

function makePolicy(spec: PolicySpec, prng: Prng): SchedulePolicy {
  if (spec === 'fifo') return new FifoPolicy();
  if (spec === 'random') return new RandomPolicy(prng.derive('schedule'));
  if ('replay' in spec) return new ReplayPolicy(spec.replay, !spec.lenient);
  return spec;
}
