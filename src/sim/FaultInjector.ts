/*
 * The runtime side of a fault plan: the engine asks it at explicit fault points ("may this write on
 * node hidden fail?", "how late is this read?", "does the primary crash here?") and it answers
 * from the plan alone, counting matches and firings and tracing every fault that fires.
 */
import type { Clock } from './Clock.js';
import type { Errno } from './errno.js';
import type { CrashFault, Fault, FaultKind, IoErrorFault, IoOp, JobFailFault, LatencyFault, LinkDropFault } from './FaultPlan.js';
import type { Trace } from './Trace.js';
import type { FaultTraceFields } from './TraceEvents.js';

/** What a fired fault's trace event says besides its plan index. */
type FaultDetail = FaultTraceFields extends infer F ? (F extends { fault: number } ? Omit<F, 'fault'> : never) : never;

interface Armed<F extends Fault> {
  readonly fault: F;
  readonly index: number;
  matched: number;
  fired: number;
}

export class FaultInjector {
  /** Every planned fault, in plan order; the lists below hold the same objects by kind. */
  private readonly armed: readonly Armed<Fault>[];
  private readonly ioErrors: readonly Armed<IoErrorFault>[];
  private readonly latencies: readonly Armed<LatencyFault>[];
  private readonly linkDrops: readonly Armed<LinkDropFault>[];
  private readonly crashes: readonly Armed<CrashFault>[];
  private readonly jobFailures: readonly Armed<JobFailFault>[];
  private readonly firedByKind = new Map<FaultKind, number>();
  /** Set to false to end the safety phase: no fault fires after this (the liveness phase). */
  active = true;

  constructor(
    readonly plan: readonly Fault[],
    private readonly clock: Clock,
    private readonly trace: Trace,
  ) {
    this.armed = plan.map((fault, index) => ({ fault, index, matched: 0, fired: 0 }));
    const ofKind = <F extends Fault>(kind: F['kind']) => this.armed.filter((a): a is Armed<F> => a.fault.kind === kind);
    this.ioErrors = ofKind<IoErrorFault>('io-error');
    this.latencies = ofKind<LatencyFault>('latency');
    this.linkDrops = ofKind<LinkDropFault>('link-drop');
    this.crashes = ofKind<CrashFault>('crash');
    this.jobFailures = ofKind<JobFailFault>('job-fail');
  }

  static none(clock: Clock, trace: Trace): FaultInjector {
    return new FaultInjector([], clock, trace);
  }

  get isEmpty(): boolean {
    return this.plan.length === 0;
  }

  /** The errno an I/O on `node` fails with, or null when it succeeds; `requestId` names the guest request hit. */
  ioError(node: string, op: IoOp, offset: number, bytes: number, requestId?: number): Errno | null {
    if (this.ioErrors.length === 0 || !this.active) return null;
    const now = this.clock.now();
    for (const armed of this.ioErrors) {
      const f = armed.fault;
      if (f.node !== node || !opMatches(f.op, op)) continue;
      if (f.fromTick !== undefined && now < f.fromTick) continue;
      if (f.offset !== undefined || f.bytes !== undefined) {
        // A range given only by its length starts at 0; one given only by its offset runs to the end.
        const from = f.offset ?? 0;
        if (!overlaps(offset, bytes, from, f.bytes ?? Number.MAX_SAFE_INTEGER - from)) continue;
      }
      armed.matched++;
      if (armed.matched <= (f.afterOps ?? 0)) continue;
      if (f.times !== undefined && armed.fired >= f.times) continue;
      this.fire(armed, { kind: 'io-error', node, op, offset, bytes, errno: f.errno, req: requestId });
      return f.errno;
    }
    return null;
  }

  /** Extra ticks an I/O on `node` takes. */
  latencyTicks(node: string, op: IoOp): number {
    if (this.latencies.length === 0 || !this.active) return 0;
    const now = this.clock.now();
    let extra = 0;
    for (const armed of this.latencies) {
      const f = armed.fault;
      if (f.node !== node || !opMatches(f.op, op)) continue;
      if (f.fromTick !== undefined && now < f.fromTick) continue;
      if (f.untilTick !== undefined && now >= f.untilTick) continue;
      extra += f.ticks;
      armed.fired++;
      this.count('latency');
    }
    return extra;
  }

  /**
   * Whether the link has dropped by the time of this request. Once dropped, it stays down. A request
   * is checked when it is sent and when its reply comes back, and counts once against `afterOps`, at
   * its first check at or after `fromTick`: `request` remembers which drops have counted it (without
   * it, every call is a request of its own).
   */
  linkDropped(link: string, request?: Set<object>): boolean {
    if (this.linkDrops.length === 0) return false;
    const now = this.clock.now();
    for (const armed of this.linkDrops) {
      const f = armed.fault;
      if (f.link !== link) continue;
      if (armed.fired > 0) return true;
      if (!this.active) continue;
      if (f.fromTick !== undefined && now < f.fromTick) continue;
      if (!request?.has(armed)) {
        armed.matched++;
        request?.add(armed);
      }
      if (armed.matched <= (f.afterOps ?? 0)) continue;
      this.fire(armed, { kind: 'link-drop', link });
      return true;
    }
    return false;
  }

  /** Whether the process crashes at this crash point now. */
  crashAt(point: string): boolean {
    if (this.crashes.length === 0 || !this.active) return false;
    for (const armed of this.crashes) {
      const f = armed.fault;
      if (f.point !== point || armed.fired > 0) continue;
      armed.matched++;
      if (armed.matched <= (f.afterHits ?? 0)) continue;
      this.fire(armed, { kind: 'crash', point });
      return true;
    }
    return false;
  }

  /** Whether the job of `node` fails before its next copy-before-write. */
  jobFails(job: 'backup' | 'commit', node: string): boolean {
    if (this.jobFailures.length === 0 || !this.active) return false;
    for (const armed of this.jobFailures) {
      const f = armed.fault;
      if (f.job !== job || (f.node !== undefined && f.node !== node) || armed.fired > 0) continue;
      armed.matched++;
      if (armed.matched <= (f.afterOps ?? 0)) continue;
      this.fire(armed, { kind: 'job-fail', job, node });
      return true;
    }
    return false;
  }

  /** How often each kind of fault fired (latency counts every delayed operation). */
  firedCounts(): ReadonlyMap<FaultKind, number> {
    return this.firedByKind;
  }

  /** How often each planned fault fired, in plan order. */
  firedPerFault(): number[] {
    return this.armed.map((a) => a.fired);
  }

  /** `detail` names the kind first, so the event's fields keep their order: fault, kind, where. */
  private fire(armed: Armed<Fault>, detail: FaultDetail): void {
    armed.fired++;
    this.count(armed.fault.kind);
    if (this.trace.enabled) this.trace.emit('fault', { fault: armed.index, ...detail });
  }

  private count(kind: FaultKind): void {
    this.firedByKind.set(kind, (this.firedByKind.get(kind) ?? 0) + 1);
  }
}

function overlaps(aOffset: number, aBytes: number, bOffset: number, bBytes: number): boolean {
  return aOffset < bOffset + bBytes && bOffset < aOffset + aBytes;
}

/** "any" means the data operations; make-empty (a metadata operation) must be named to match. */
function opMatches(wanted: IoOp | 'any', op: IoOp): boolean {
  return wanted === op || (wanted === 'any' && op !== 'make-empty');
}
