/*
 * The deterministic scheduler. Engine code is plain async TypeScript; every point where it waits
 * (an I/O completion, a timer, a wait queue, a spawned task's start) is a promise that only this
 * scheduler resolves, one at a time, in an order chosen by a SchedulePolicy. Between choices it lets
 * the resolved continuation run to its next wait (microtasks only, no real I/O anywhere), so the
 * same seed and policy give the same run, step for step. Time is simulated: when nothing is ready,
 * the clock jumps to the earliest timer, ties broken by (deadline, sequence number).
 * Limits: a maximum number of steps and of ticks; a run that stops with tasks still waiting is a
 * deadlock, reported with what waits on what. A task that ends with an error is never forgotten:
 * it is listed, in the order the tasks ended, until the caller takes the list and classifies the
 * errors (a background job nobody awaits must not die silently).
 */
import { FifoPolicy } from './FifoPolicy.js';
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';
import { SimClock } from './SimClock.js';
import { TimerHeap } from './TimerHeap.js';
import { ONE_TURN } from './oneTurn.js';

export class SimBoundError extends Error {
  readonly code = 'SIM_BOUND';
}

export class DeadlockError extends Error {
  readonly code = 'DEADLOCK';
  constructor(
    message: string,
    readonly waiting: readonly string[],
  ) {
    super(message);
  }
}

interface Entry extends ReadyEntry {
  readonly wake: () => void;
}

interface TimerEntry extends Entry {
  readonly deadline: number;
  /** Daemon timers never keep a run going; they fire only if time reaches them anyway. */
  readonly daemon: boolean;
}

export interface TaskOutcome<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: unknown;
}

export class Task<T> {
  outcome: TaskOutcome<T> | undefined;
  constructor(
    readonly id: number,
    readonly label: string,
    readonly daemon: boolean,
  ) {}
  get done(): boolean {
    return this.outcome !== undefined;
  }
  /** The task's value; rethrows its error. Only after it finished. */
  result(): T {
    if (!this.outcome) throw new Error(`task ${this.label} has not finished`);
    if (!this.outcome.ok) throw this.outcome.error;
    return this.outcome.value as T;
  }
}

export interface SchedulerOptions {
  readonly policy?: SchedulePolicy;
  /** Maximum wake-ups over the scheduler's life (default 50 million). */
  readonly maxSteps?: number;
  /** Simulated time may not pass this tick (default 1 hour). */
  readonly maxTicks?: number;
}

export interface RunStats {
  readonly steps: number;
  readonly ticks: number;
}

/** Lets every queued microtask run: a macrotask starts only once the microtask queue is empty. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The same wait from a microtask: a process.nextTick callback queued from a microtask runs only once
 * the microtask queue is empty (Node drains it before the tick queue), and costs no turn of the
 * event loop (each is an epoll call: a campaign case took about a hundred, 15 % of the engine's
 * time, then 25, one per run). Code of a run that has not awaited yet runs in its caller's context,
 * which may be no microtask (a script's top level, a tick callback): it first takes one microtask
 * turn (ONE_TURN), queued behind whatever is pending, so its tick is queued from a microtask too.
 * Every SETTLES_PER_TURN-th wait of the process still takes a macrotask, so signals, timers and
 * I/O outside the simulation are not starved (a campaign yields nowhere else between its cases).
 * None of this orders anything inside the simulation: every wait resumes once no microtask is
 * left, whichever way it waited.
 */
function settleInRun(inMicrotask: boolean): Promise<void> {
  if (++settles % SETTLES_PER_TURN === 0) return settle();
  return inMicrotask ? tickTurn() : ONE_TURN.then(tickTurn);
}

function tickTurn(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

const SETTLES_PER_TURN = 256;

/** Waits settled in this process (every scheduler's): which of them takes a macrotask. */
let settles = 0;

/** The options of a sleep given none: one shared object, not a fresh {} per sleep. */
const NO_SLEEP_OPTIONS: { daemon?: boolean } = Object.freeze({});

/** Run a task's body; a body that throws before its first await fails the task like a rejection. */
function startTask<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

export class Scheduler {
  readonly clock = new SimClock();
  policy: SchedulePolicy;
  readonly maxSteps: number;
  readonly maxTicks: number;
  private readonly ready: Entry[] = [];
  private readonly timers = new TimerHeap<TimerEntry>();
  private liveTimers = 0;
  private seq = 0;
  private stepCount = 0;
  private nextTaskId = 1;
  private readonly live = new Map<number, Task<unknown>>();
  private readonly blocked = new Map<number, string>();
  private failed: Task<unknown>[] = [];
  private running = false;

  constructor(options: SchedulerOptions = {}) {
    this.policy = options.policy ?? new FifoPolicy();
    this.maxSteps = options.maxSteps ?? 50_000_000;
    this.maxTicks = options.maxTicks ?? 3_600_000_000_000;
  }

  get steps(): number {
    return this.stepCount;
  }

  now(): number {
    return this.clock.now();
  }

  /** Start `fn` as a task at a later step. Daemon tasks (background jobs) may wait forever. */
  spawn<T>(label: string, fn: () => Promise<T>, options: { daemon?: boolean } = {}): Task<T> {
    const task = new Task<T>(this.nextTaskId++, label, options.daemon ?? false);
    if (!task.daemon) this.live.set(task.id, task as Task<unknown>);
    this.pushReady(`start:${label}`, () => {
      startTask(fn).then(
        (value) => this.finish(task, { ok: true, value }),
        (error: unknown) => this.finish(task, { ok: false, error }),
      );
    });
    return task;
  }

  /** Resolves at a later step of the current tick: a point where other ready work may run first. */
  yield(label: string): Promise<void> {
    return new Promise((resolve) => this.pushReady(label, resolve));
  }

  /** Resolves `ticks` from now (at a later step of this tick when ticks is 0). */
  sleep(label: string, ticks: number, options: { daemon?: boolean } = NO_SLEEP_OPTIONS): Promise<void> {
    if (ticks <= 0 && !options.daemon) return this.yield(label);
    // A negative delay means "now": a deadline in the past would make the clock run backwards.
    const deadline = this.clock.now() + Math.max(0, ticks);
    return new Promise((resolve) => this.pushTimer(label, deadline, resolve, options.daemon ?? false));
  }

  /** Register a blocked waiter for deadlock reports; returns the token to pass to `unblock`. */
  block(description: string): number {
    const token = this.seq++;
    this.blocked.set(token, description);
    return token;
  }

  unblock(token: number, label: string, wake: () => void): void {
    this.blocked.delete(token);
    this.pushReady(label, wake);
  }

  /**
   * Run until nothing is ready and no (non-daemon) timer is pending. With `untilTick`, also let
   * simulated time reach that tick, firing daemon timers on the way, and end with the clock there.
   * With `deadlineTick`, work that would need time past that tick is a SimBoundError (a bound on
   * how long one step may take, for liveness checks).
   */
  async run(options: { untilTick?: number; deadlineTick?: number } = {}): Promise<RunStats> {
    if (this.running) throw new Error('Scheduler.run is not reentrant');
    if (options.untilTick !== undefined && options.untilTick > this.maxTicks) {
      throw new SimBoundError(`simulated time would pass the limit of ${this.maxTicks} ticks (run until tick ${options.untilTick})`);
    }
    this.running = true;
    const startSteps = this.stepCount;
    const startTicks = this.clock.now();
    // Until its first await, a run's code runs in its caller's context (see settleInRun).
    let inMicrotask = false;
    try {
      for (;;) {
        if (this.ready.length > 0) {
          if (this.policy.choosesAmongAll) await settleInRun(inMicrotask);
          await this.step();
          // The second of the two microtask turns a step takes (see step).
          await ONE_TURN;
          inMicrotask = true;
          continue;
        }
        await settleInRun(inMicrotask);
        inMicrotask = true;
        if (this.ready.length > 0) continue;
        if (this.fireNextTimers(options.untilTick, options.deadlineTick)) continue;
        break;
      }
      if (options.untilTick !== undefined && options.untilTick > this.clock.now()) this.clock.advanceTo(options.untilTick);
      this.checkDeadlock();
      return { steps: this.stepCount - startSteps, ticks: this.clock.now() - startTicks };
    } finally {
      this.running = false;
    }
  }

  /**
   * The tasks that ended with an error since the last call, daemons included, in the order they
   * ended; the list starts empty again. Whoever runs the scheduler decides which errors are modelled.
   */
  takeFailedTasks(): Task<unknown>[] {
    const failed = this.failed;
    this.failed = [];
    return failed;
  }

  /** Tasks that have not finished (daemons excluded). */
  liveTasks(): Task<unknown>[] {
    return [...this.live.values()];
  }

  /**
   * Wake the next entry. A step takes two microtask turns before the next choice: one here, which
   * lets the woken continuation start, and one the caller awaits after it (this was an async
   * method awaiting one turn, whose promise the caller awaited: the same two turns, in the same
   * places, without an async call per step). A step that fails, fails one turn later, as the async
   * method's rejected promise did.
   */
  private step(): Promise<void> {
    try {
      this.take().wake();
    } catch (error) {
      return Promise.reject(error);
    }
    return ONE_TURN;
  }

  /** Count the step and take the entry the policy picks out of the ready list. */
  private take(): Entry {
    if (++this.stepCount > this.maxSteps) {
      throw new SimBoundError(`simulation exceeded ${this.maxSteps} steps (at tick ${this.clock.now()})`);
    }
    const ready = this.ready;
    const index = ready.length === 1 ? 0 : this.policy.choose(ready);
    if (!(index >= 0 && index < ready.length)) {
      throw new Error(`policy ${this.policy.name} chose ${index} of ${ready.length} ready entries`);
    }
    return index === 0 ? ready.shift()! : ready.splice(index, 1)[0]!;
  }

  /** Move time to the earliest timer and make every timer due then ready. False when there is none to fire. */
  private fireNextTimers(untilTick: number | undefined, deadlineTick: number | undefined): boolean {
    const next = this.timers.peek();
    if (!next) return false;
    const limit = untilTick ?? -1;
    if (this.liveTimers === 0 && next.deadline > limit) return false;
    if (deadlineTick !== undefined && next.deadline > deadlineTick && next.deadline > limit) {
      throw new SimBoundError(`work still pending at tick ${this.clock.now()} needs time past the deadline ${deadlineTick} (next timer: ${next.label} at ${next.deadline})`);
    }
    if (next.deadline > this.maxTicks) {
      throw new SimBoundError(`simulated time would pass the limit of ${this.maxTicks} ticks (next timer: ${next.label} at ${next.deadline})`);
    }
    this.clock.advanceTo(next.deadline);
    while (this.timers.peek()?.deadline === next.deadline) {
      const timer = this.timers.pop()!;
      if (!timer.daemon) this.liveTimers--;
      this.ready.push(timer);
    }
    return true;
  }

  private checkDeadlock(): void {
    if (this.live.size === 0) return;
    const tasks = [...this.live.values()].map((t) => t.label);
    const waits = [...this.blocked.values()];
    throw new DeadlockError(
      `deadlock at tick ${this.clock.now()}: ${tasks.length} task(s) cannot finish (${tasks.join(', ')}); ` +
        (waits.length > 0 ? `waiting: ${waits.join('; ')}` : 'nothing they wait on can be woken'),
      waits,
    );
  }

  private finish<T>(task: Task<T>, outcome: TaskOutcome<T>): void {
    task.outcome = outcome;
    this.live.delete(task.id);
    if (!outcome.ok) this.failed.push(task as Task<unknown>);
  }

  private pushReady(label: string, wake: () => void): void {
    this.ready.push({ seq: this.seq++, label, wake });
  }

  private pushTimer(label: string, deadline: number, wake: () => void, daemon: boolean): void {
    if (!daemon) this.liveTimers++;
    this.timers.push({ seq: this.seq++, label, wake, deadline, daemon });
  }
}
