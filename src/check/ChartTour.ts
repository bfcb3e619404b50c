/*
 * Coverage of the COLO pair, backup-job and commit-job charts: the steps of a run and the job events
 * of its trace are replayed through those charts (XState's own transition selection, as
 * paths/replayPath.ts does), and every state and transition taken is counted under the keys coverage
 * files use. It checks nothing (NodeConformance and DataConformance do); it says which parts of the
 * readable specification a campaign exercised. Limits: the pair chart models one disk, so it follows
 * the steps and disk 0's commit job; the link never comes back in the engine (no LINK_UP); a backup
 * source write is a write the NBD server applied (the chart decides which clusters it copies), a
 * failing copy is not mapped (copyFails stays unvisited); the engine reports no READY, so a commit
 * job that completed took SYNCED then AUTO_COMPLETE and a cancelled one is cancelled while RUNNING.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import { initialTransition } from 'xstate';
import type { PairEvent } from '../../models/colo/pairEvents.js';
import type { BackupJobEvent } from '../../models/jobs/backupJob.js';
import type { CommitJobEvent } from '../../models/jobs/commitJob.js';
import { activeStateIds, describeTransition } from '../../models/paths/chartTransitions.js';
import { EventMemo, eventKey } from '../../models/paths/eventMemo.js';
import { type AnySnapshot, MODELS } from '../../models/paths/modelCatalog.js';
import { pureTransition } from '../../models/paths/pureTransition.js';
import type { Profile, Step } from '../scenario/Scenario.js';
import { type TypedTraceEvent } from '../sim/TraceEvents.js';
import type { ChartCoverage } from './NodeConformance.js';
import { nodeName } from './pairNames.js';
import { type Visit, VisitCounts } from './VisitCounts.js';

/** The backup job's cluster (block/backup.c's default for a 64 KiB-cluster target). */
const BACKUP_CLUSTER_BYTES = 65536;
/** Cached answers per chart are bounded, like NodeConformance's. */
const CACHE_LIMIT = 100_000;

interface Answer {
  readonly next: AnySnapshot;
  readonly taken: readonly string[];
  /** What the coverage counts for it: the transitions taken and, if any was, the states reached. */
  readonly visit: Visit;
}

/** A chart event with its EventMemo key, for the events that are the same object every time. */
interface KeyedEvent {
  readonly event: EventObject;
  readonly key: string;
}

function keyed(event: EventObject): KeyedEvent {
  return { event, key: eventKey(event) };
}

/** (control state, event) -> answer, per machine: a campaign asks the same questions again and again. */
const answers = new Map<string, Map<string, Answer>>();
const initials = new Map<string, { readonly snapshot: AnySnapshot; readonly visit: Visit }>();
/** Snapshots come from the caches above, so each one's control key is computed once. */
const keys = new WeakMap<AnySnapshot, string>();
/**
 * Each snapshot's answers by event, as the control-key cache gave them: a question asked again of
 * the same snapshot builds no control key (long, for the pair chart) and hashes no long string.
 */
const byEvent = new EventMemo<AnySnapshot, Answer, EventObject>();

/** One chart followed through a run: its snapshot and the visits it adds to the coverage. */
class Follower {
  private snapshot: AnySnapshot;
  /** This follower's answer to an event not yet remembered for its snapshot (made once, passed to byEvent.answer). */
  private readonly compute = (_snapshot: AnySnapshot, event: EventObject, key: string): Answer => this.answer(event, key);

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly serialize: (s: AnySnapshot) => string,
    input: unknown,
    private readonly visits: VisitCounts,
  ) {
    const key = `${machine.id}|${JSON.stringify(input)}`;
    let initial = initials.get(key);
    if (!initial) {
      const snapshot = initialTransition(machine, input)[0] as AnySnapshot;
      initial = { snapshot, visit: { transitions: [], states: activeStateIds(machine.id, snapshot.value) } };
      initials.set(key, initial);
    }
    this.snapshot = initial.snapshot;
    visits.add(initial.visit);
  }

  get done(): boolean {
    return this.snapshot.status !== 'active';
  }

  /** Take `event`, whose EventMemo key is `key` (eventKey(event), made once for an interned event). */
  sendKeyed(event: EventObject, key: string): void {
    if (this.done) return;
    const answer = byEvent.answerKeyed(this.snapshot, event, key, this.compute);
    this.snapshot = answer.next;
    this.visits.add(answer.visit);
  }

  /** The answer to `event` in the current snapshot's control state: cached, or taken through the chart. */
  private answer(event: EventObject, keyOfEvent: string): Answer {
    let cache = answers.get(this.machine.id);
    if (!cache) answers.set(this.machine.id, (cache = new Map()));
    let control = keys.get(this.snapshot);
    if (control === undefined) keys.set(this.snapshot, (control = this.serialize(this.snapshot)));
    const key = `${control}|${keyOfEvent}`;
    let answer = cache.get(key);
    if (!answer) {
      const taken = this.machine.getTransitionData(this.snapshot, event).map((t) => describeTransition(t).key);
      const next = pureTransition(this.machine, this.snapshot, event);
      answer = { next, taken, visit: { transitions: taken, states: taken.length > 0 ? activeStateIds(this.machine.id, next.value) : [] } };
      if (cache.size < CACHE_LIMIT) cache.set(key, answer);
    }
    return answer;
  }
}

export class ChartTour {
  private readonly visits = new VisitCounts();
  private readonly pair: Follower;
  private readonly backups = new Map<string, Follower>();
  private readonly commits = new Map<string, Follower>();
  /** The replication node whose commit job the pair chart follows (disk 0's). */
  private readonly commitOwner = nodeName('replication-secondary', 0);

  constructor(profile: Profile) {
    this.pair = new Follower(MODELS.pair.machine, MODELS.pair.serialize, { profile }, this.visits);
  }

  /** The states and transitions visited so far, keys in the order first visited. */
  get coverage(): ChartCoverage {
    return this.visits.coverage();
  }

  /** Add the visits so far to `coverage` (CaseChecker merges the charts' coverage into one pair of maps). */
  addCoverageTo(coverage: ChartCoverage): void {
    this.visits.addTo(coverage);
  }

  /** A scenario step begins: the pair chart takes its events. */
  beginStep(step: Step): void {
    for (const { event, key } of keyedPairEventsOf(step)) this.pair.sendKeyed(event, key);
  }

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'fault':
        if (event.fields.kind === 'link-drop') this.pair.sendKeyed(LINK_DOWN.event, LINK_DOWN.key);
        return;
      case 'job':
        return this.onJob(event.fields);
      case 'nbd-applied': {
        const first = Math.floor(event.fields.offset / BACKUP_CLUSTER_BYTES);
        const last = Math.floor((event.fields.offset + event.fields.bytes - 1) / BACKUP_CLUSTER_BYTES);
        const write: BackupJobEvent = { type: 'SOURCE_WRITE', firstCluster: first, lastCluster: last };
        if (this.backups.size === 0) return;
        const key = eventKey(write);
        for (const job of this.backups.values()) job.sendKeyed(write, key);
        return;
      }
      case 'commit-copy':
        if (event.fields.reqs !== undefined) this.commits.get(event.fields.job)?.sendKeyed(COMMIT_SOURCE_WRITE.event, COMMIT_SOURCE_WRITE.key);
        return;
      default:
        return;
    }
  }

  private onJob(f: Extract<TypedTraceEvent, { kind: 'job' }>['fields']): void {
    const backup = f.job.startsWith('backup');
    const jobs = backup ? this.backups : this.commits;
    if (f.event === 'start') {
      const spec = backup ? MODELS.backup : MODELS.commit;
      jobs.set(f.job, new Follower(spec.machine, spec.serialize, undefined, this.visits));
      return;
    }
    const job = jobs.get(f.job);
    if (job) for (const { event, key } of (backup ? BACKUP_EVENTS : COMMIT_EVENTS).get(f.event) ?? NO_EVENTS) job.sendKeyed(event, key);
    if (!backup && f.owner === this.commitOwner) {
      if (f.event === 'completed') this.pair.sendKeyed(COMMIT_OK.event, COMMIT_OK.key);
      if (f.event === 'failed' || f.event === 'cancelled') this.pair.sendKeyed(COMMIT_FAILED.event, COMMIT_FAILED.key);
    }
    if (job?.done) jobs.delete(f.job);
  }
}

function backupEventsOf(event: string): BackupJobEvent[] {
  if (event === 'checkpoint') return [{ type: 'CHECKPOINT' }];
  if (event === 'cancelled') return [{ type: 'CANCEL' }];
  if (event === 'failed' || event === 'aborted') return [{ type: 'FAIL' }];
  return [];
}

function commitEventsOf(event: string): CommitJobEvent[] {
  if (event === 'completed') return [{ type: 'SYNCED' }, { type: 'AUTO_COMPLETE' }];
  if (event === 'failed' || event === 'aborted') return [{ type: 'IO_ERROR' }];
  if (event === 'cancelled') return [{ type: 'CANCEL', force: false }];
  return [];
}

/** A scenario step as the pair chart's events (steps the chart does not model give none). */
export function pairEventsOf(step: Step): PairEvent[] {
  switch (step.do) {
    case 'start':
      if (step.side === 'both') return [{ type: 'START', side: 'secondary' }, { type: 'START', side: 'primary' }];
      return [step.mode ? { type: 'START', side: step.side, mode: step.mode } : { type: 'START', side: step.side }];
    case 'stop':
      return [{ type: 'STOP', side: step.side, failover: step.failover }];
    case 'checkpoint':
      return [step.side === 'both' ? { type: 'COLO_CHECKPOINT' } : { type: 'CHECKPOINT', side: step.side }];
    case 'status':
      return [{ type: 'STATUS', side: step.side }];
    case 'write':
    case 'write-zeroes':
      return [{ type: 'WRITE', vm: step.vm }];
    case 'read':
      return [{ type: 'READ', vm: step.vm }];
    case 'failover':
      return [{ type: 'FAILOVER', lost: step.lost ?? 'primary' }];
    case 'concurrent':
      return step.steps.flatMap(pairEventsOf);
    case 'discard':
    case 'flush':
    case 'wait':
    case 'heal':
    case 'close':
      return [];
  }
}

const NO_EVENTS: readonly KeyedEvent[] = [];
const LINK_DOWN = keyed({ type: 'LINK_DOWN' });
const COMMIT_OK = keyed({ type: 'COMMIT_OK' });
const COMMIT_FAILED = keyed({ type: 'COMMIT_FAILED' });
const COMMIT_SOURCE_WRITE = keyed({ type: 'SOURCE_WRITE' });
/** The job charts' events for each job event the trace reports, keyed once. */
const BACKUP_EVENTS = new Map(['checkpoint', 'cancelled', 'failed', 'aborted'].map((e) => [e, backupEventsOf(e).map(keyed)]));
const COMMIT_EVENTS = new Map(['completed', 'failed', 'aborted', 'cancelled'].map((e) => [e, commitEventsOf(e).map(keyed)]));

/**
 * pairEventsOf, keyed, as the same objects for every step that gives the same events: interned by
 * the step's kind and the fields pairEventsOf reads of it (nested maps of plain values, no key string).
 */
const interned = new Map<string, Map<unknown, Map<unknown, readonly KeyedEvent[]>>>();

function keyedPairEventsOf(step: Step): readonly KeyedEvent[] {
  switch (step.do) {
    case 'start':
      return internedEvents(step, step.side, step.mode);
    case 'stop':
      return internedEvents(step, step.side, step.failover);
    case 'checkpoint':
    case 'status':
      return internedEvents(step, step.side, undefined);
    case 'write':
    case 'write-zeroes':
    case 'read':
      return internedEvents(step, step.vm, undefined);
    case 'failover':
      return internedEvents(step, step.lost, undefined);
    case 'concurrent':
      return step.steps.flatMap(keyedPairEventsOf);
    case 'discard':
    case 'flush':
    case 'wait':
    case 'heal':
    case 'close':
      return NO_EVENTS;
  }
}

/** The keyed events of `step`, whose events are determined by its kind, `a` and `b`. */
function internedEvents(step: Step, a: unknown, b: unknown): readonly KeyedEvent[] {
  let byA = interned.get(step.do);
  if (byA === undefined) interned.set(step.do, (byA = new Map()));
  let byB = byA.get(a);
  if (byB === undefined) byA.set(a, (byB = new Map()));
  let events = byB.get(b);
  if (events === undefined) byB.set(b, (events = pairEventsOf(step).map(keyed)));
  return events;
}
