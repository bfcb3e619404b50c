/*
 * Replays what each engine replication node reports (operations, guest I/O, job ends, stage changes)
 * through the replication statechart of models/ and fails on any outcome, message or stage the chart
 * does not give. It also checks what needs more than one node: the framework's newest-first order
 * that stops at the first error, and that stages only move forward. Faults the engine saw (a failing
 * make_empty, an ejected buffer disk, a broken chain variant) ride on the events, as in the chart.
 * Limits: only replication nodes; data is DataConformance's business.
 */
import { CHAIN_OF_CHECK, type CheckpointFault, type NodeEvent, type StartCheck, type StartFault } from '../../models/replication/nodeEvents.js';
import { applyNodeEvent, openedNode, type NodeState, unopenedNode } from '../../models/replication/nodeState.js';
import { type NodeContext, type NodeStateValue, isPromotedStage, replicationNode } from '../../models/replication/replicationNode.js';
import { describeTransition } from '../../models/paths/chartTransitions.js';
import { EventMemo, eventKey } from '../../models/paths/eventMemo.js';
import type { Outcome } from '../../models/replication/Outcome.js';
import { formatOutcome } from '../../models/replication/Outcome.js';
import type { ChainVariant, Profile } from '../scenario/Scenario.js';
import { type TraceEventFields, type TypedTraceEvent, unhandledEvent } from '../sim/TraceEvents.js';
import { parseCrashMessage } from '../sim/SimulatedCrash.js';
import { type NodeId, nodeName, parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';
import type { InvariantName } from './Invariant.js';
import { type Visit, VisitCounts } from './VisitCounts.js';

type Side = 'primary' | 'secondary';
type Fields<K extends keyof TraceEventFields> = TraceEventFields[K];

interface TrackedNode {
  readonly name: string;
  readonly id: NodeId;
  readonly side: Side;
  model: NodeState;
  /** The engine's stage as its last 'stage' event said. */
  engineStage: string;
  closed: boolean;
  /** The chart as it last was in each state: the answer for I/O admitted in a stage the node has left since. */
  readonly lastIn: Map<string, NodeState>;
}

interface CommandInProgress {
  readonly name: string;
  readonly visited: { node: string; ok: boolean }[];
}

/** Which start check each broken chain fails (the models' table, read the other way). */
const CHAIN_CHECK: Partial<Record<ChainVariant, StartCheck>> = Object.fromEntries(
  (Object.entries(CHAIN_OF_CHECK) as [StartCheck, ChainVariant][]).map(([check, chain]) => [chain, check]),
);

/**
 * The chart is a pure function of (state, event), and XState's transition() builds an actor scope on
 * every call; a fuzz campaign asks the same few questions millions of times, so answers are kept.
 */
const transitions = new Map<string, Step>();

interface Step {
  readonly next: NodeState;
  /** The chart transitions the event took, keyed as coverage files and `colosim chart` name them. */
  readonly taken: readonly string[];
  /** What the coverage counts for it: the transitions taken and the state reached. */
  readonly visit: Visit;
}

/**
 * Each state's steps by event, as the cache above gave them: states come from that cache (or are a
 * case's opened nodes), so a question asked again of the same state builds and hashes no long key.
 */
const byEvent = new EventMemo<NodeState, Step, NodeEvent>();

function step(state: NodeState, event: NodeEvent): Step {
  return byEvent.answer(state, event, cachedStep);
}

/** A node event that is the same object every time, with its EventMemo key made once. */
interface KeyedEvent {
  readonly event: NodeEvent;
  readonly key: string;
}

function keyed(event: NodeEvent): KeyedEvent {
  return { event, key: eventKey(event) };
}

/** step, for an event keyed once (a kept key string keeps its hash: the lookup hashes nothing). */
function keyedStep(state: NodeState, { event, key }: KeyedEvent): Step {
  return byEvent.answerKeyed(state, event, key, cachedStep);
}

/** The guest I/O events a replication node reports most often, by type and whether its lower child failed. */
const IO_EVENTS = {
  READ: { ok: keyed({ type: 'READ', lowerFailed: false }), failed: keyed({ type: 'READ', lowerFailed: true }) },
  WRITE: { ok: keyed({ type: 'WRITE', lowerFailed: false }), failed: keyed({ type: 'WRITE', lowerFailed: true }) },
} as const;

function cachedStep(state: NodeState, event: NodeEvent, keyOfEvent: string): Step {
  const c: NodeContext = state.context;
  const key = `${state.value}|${c.mode}|${c.profile}|${c.error}|${c.backupJob}|${c.commitJob}|${c.secondaryDiskLinked}|${c.names.activeNodeName}|${keyOfEvent}`;
  let result = transitions.get(key);
  if (!result) {
    const snapshot = replicationNode.resolveState({ value: state.value, context: state.context });
    const taken = replicationNode.getTransitionData(snapshot, event).map((t) => describeTransition(t).key);
    const next = applyNodeEvent(state, event);
    result = { next, taken, visit: { transitions: taken, states: [`${CHART_ID}.${next.value}`] } };
    if (transitions.size < 100_000) transitions.set(key, result);
  }
  return result;
}

const opened = new Map<string, NodeState>();
/** What opening a node counts: UNOPENED, the OPEN transition and the state it reached. */
const openingVisits = new Map<string, Visit>();

/**
 * The opening every tracked node went through (the engine opens each node once, when the pair is
 * built): UNOPENED, the OPEN transition it took and the state it reached count as visited.
 */
function openingOnce(mode: Side, profile: Profile): Visit {
  const key = `${mode}|${profile}`;
  let visit = openingVisits.get(key);
  if (!visit) {
    const opening = step(unopenedNode(mode, profile), { type: 'OPEN', topId: mode === 'secondary' });
    visit = { transitions: opening.taken, states: [`${CHART_ID}.UNOPENED`, `${CHART_ID}.${opening.next.value}`] };
    openingVisits.set(key, visit);
  }
  return visit;
}

/** A freshly opened node of each mode and profile, built once (initialTransition is costly). */
function openedOnce(mode: Side, profile: Profile): NodeState {
  const key = `${mode}|${profile}`;
  let state = opened.get(key);
  if (!state) {
    state = openedNode(mode, profile);
    opened.set(key, state);
  }
  return state;
}

const ALLOWED_STAGE_MOVES = new Set(['NONE>RUNNING', 'RUNNING>DONE', 'RUNNING>FAILOVER', 'FAILOVER>DONE', 'FAILOVER>FAILOVER_FAILED']);
const FRAMEWORK_COMMANDS = new Set(['start', 'stop', 'checkpoint', 'get_error']);

/** Visit counts of the replication statechart's states and transitions, keyed as the chart command reads them. */
export interface ChartCoverage {
  readonly states: Map<string, number>;
  readonly transitions: Map<string, number>;
}

/** The replication node chart's machine id, the prefix of its coverage keys. */
export const CHART_ID = 'node';

/** One event a node's chart took, for inspection files and the chart's trace player. */
export interface ChartStep {
  readonly node: string;
  readonly mode: Side;
  readonly event: NodeEvent;
  readonly state: string;
  /** The scenario step it happened in. */
  readonly step: number;
  /** The chart transitions it took (coverage keys). */
  readonly transitions: readonly string[];
}

export class NodeConformance {
  readonly nodes = new Map<string, TrackedNode>();
  private readonly visits = new VisitCounts();
  /** Every event applied to a chart, in order, when the constructor was asked to keep them (else empty). */
  readonly log: ChartStep[] = [];
  private readonly ejected = new Set<string>();
  /** make_empty faults fired since the last operation of each node's disk, by node name. */
  private readonly makeEmptyFaults = new Set<string>();
  private readonly commands = new Map<Side, CommandInProgress>();
  private readonly deadSides = new Set<Side>();
  /** Nodes with an operation in flight: it takes effect when it begins, the chart learns of it when it ends. */
  private readonly operating = new Set<string>();
  /** I/O a node admitted in a stage its in-flight operation moved it to, judged once the operation reports. */
  private readonly deferredIo = new Map<string, Fields<'repl-io'>[]>();

  constructor(
    private readonly report: Reporter,
    private readonly profile: Profile,
    private readonly disks: number,
    private readonly chain: ChainVariant,
    /** Keep `log`: campaigns never read it, so only callers that show the chart's events ask for it. */
    private readonly keepLog = false,
  ) {
    for (let d = 0; d < disks; d++) {
      for (const side of ['primary', 'secondary'] as const) this.track(nodeName(`replication-${side}`, d), side, d);
    }
  }

  /** The chart's states and transitions visited so far, keys in the order first visited. */
  get coverage(): ChartCoverage {
    return this.visits.coverage();
  }

  /** Add the visits so far to `coverage` (CaseChecker merges the charts' coverage into one pair of maps). */
  addCoverageTo(coverage: ChartCoverage): void {
    this.visits.addTo(coverage);
  }

  /** The model's view of a node (for DataConformance, which needs to know the stage a chart reached). */
  node(side: Side, disk: number): TrackedNode | undefined {
    return this.nodes.get(nodeName(`replication-${side}`, disk));
  }

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'command':
        return this.onCommand(event.fields);
      case 'fault': {
        const f = event.fields;
        if (f.kind === 'io-error' && f.op === 'make-empty') this.makeEmptyFaults.add(f.node);
        return;
      }
      case 'eject':
        this.ejected.add(event.fields.node);
        return;
      case 'repl-op-begin':
        this.operating.add(event.fields.node);
        return;
      case 'repl-op':
        this.onOperation(event.fields);
        return this.afterOperation(event.fields.node);
      case 'repl-io':
        return this.onIo(event.fields);
      case 'job':
        return this.onJob(event.fields);
      case 'stage':
        return this.onStage(event.fields);
      case 'side':
        this.deadSides.add(event.fields.side);
        return;
      // Data, steps and operation starts are not the chart's business (CaseChecker orders the latter).
      case 'step':
      case 'step-result':
      case 'request':
      case 'io':
      case 'pad-read-failed':
      case 'quorum-write':
      case 'nbd-applied':
      case 'cow':
      case 'commit-copy':
      case 'cow-begin':
      case 'reply':
        return;
      default:
        return unhandledEvent(event);
    }
  }

  /** Whether the chart of one of the side's replication nodes reached CRASHED. */
  chartCrashed(side: Side): boolean {
    for (const node of this.nodes.values()) if (node.side === side && node.model.value === 'CRASHED') return true;
    return false;
  }

  /** After each step: every live node's engine stage matches its chart's state. */
  checkStages(): void {
    for (const node of this.nodes.values()) {
      if (this.deadSides.has(node.side)) continue;
      this.compareStage(node);
    }
  }

  private track(name: string, side: Side, disk: number): void {
    const model = openedOnce(side, this.profile);
    const names = {
      activeFilename: `${nodeName('active-disk', disk)}.qcow2`,
      hiddenFilename: `${nodeName('hidden-disk', disk)}.qcow2`,
      activeNodeName: nodeName('active-disk', disk),
      hiddenNodeName: nodeName('hidden-disk', disk),
    };
    this.nodes.set(name, { name, id: parseNodeName(name), side, model: { ...model, context: { ...model.context, names } }, engineStage: 'NONE', closed: false, lastIn: new Map() });
    this.visits.add(openingOnce(side, this.profile));
  }

  private onCommand(f: Fields<'command'>): void {
    const side = f.side;
    if (f.event === 'begin') {
      if (FRAMEWORK_COMMANDS.has(f.command)) this.commands.set(side, { name: f.command, visited: [] });
      return;
    }
    const command = this.commands.get(side);
    this.commands.delete(side);
    if (command && !this.deadSides.has(side)) this.checkFrameworkOrder(side, command);
  }

  private onOperation(f: Fields<'repl-op'>): void {
    const node = this.nodes.get(f.node);
    if (!node || node.closed || this.deadSides.has(node.side)) return;
    const event = this.operationEvent(node, f);
    if (!event) return;
    this.commands.get(node.side)?.visited.push({ node: node.name, ok: f.ok === true });
    const before = node.model.value;
    this.advance(node, event);
    const expected = node.model.context.outcome;
    const actual = operationOutcome(f);
    this.report.check(classifyOperation(node, f.op, before), sameAnswer(expected, actual), () =>
      `${node.name} ${f.op}${f.arg === undefined ? '' : `(${f.arg})`} in ${before}: the chart answers ${formatOutcome(expected)}, the engine ${formatOutcome(actual)}`,
    );
    if (event.type === 'CLOSE' && node.model.value === 'CLOSED') node.closed = true;
    // Stages are compared at the end of the step: a job may end while an operation is in flight,
    // moving the engine's stage before the operation reports.
  }

  private operationEvent(node: TrackedNode, f: Fields<'repl-op'>): NodeEvent | undefined {
    switch (f.op) {
      case 'start':
        return { type: 'START', mode: f.arg as Side, fault: this.startFault(node) };
      case 'checkpoint':
        return { type: 'CHECKPOINT', fault: this.checkpointFault(node) };
      case 'get_error':
        return { type: 'GET_ERROR' };
      case 'stop': {
        const ejected = this.ejectedBuffers(node);
        return ejected.length > 0 ? { type: 'STOP', failover: f.arg === true, ejected } : { type: 'STOP', failover: f.arg === true };
      }
      case 'close':
        return { type: 'CLOSE' };
    }
  }

  private advance(node: TrackedNode, event: NodeEvent): void {
    this.took(node, event, step(node.model, event));
  }

  private advanceKeyed(node: TrackedNode, io: KeyedEvent): void {
    this.took(node, io.event, keyedStep(node.model, io));
  }

  /** The node's chart took `event`, answered by `answer`. */
  private took(node: TrackedNode, event: NodeEvent, { next, taken, visit }: Step): void {
    if (next.value !== node.model.value) node.lastIn.set(String(node.model.value), node.model);
    node.model = next;
    if (this.keepLog) this.log.push({ node: node.name, mode: node.side, event, state: String(next.value), step: this.report.step, transitions: taken });
    this.visits.add(visit);
  }

  /** The node's buffer disks that lost their driver. */
  private ejectedBuffers(node: TrackedNode): ('active' | 'hidden')[] {
    if (node.side !== 'secondary') return [];
    return (['active', 'hidden'] as const).filter((disk) => this.ejected.has(nodeName(`${disk}-disk`, node.id.disk)));
  }

  private startFault(node: TrackedNode): StartFault | undefined {
    if (node.side !== 'secondary') return undefined;
    const check = CHAIN_CHECK[this.chain];
    if (check) return { kind: 'check', check };
    const fault = this.checkpointFault(node);
    return fault ? { kind: 'initialCheckpoint', fault } : undefined;
  }

  /** What struck this node's checkpoint: a make_empty that failed now, or a disk ejected earlier. */
  private checkpointFault(node: TrackedNode): CheckpointFault | undefined {
    if (node.side !== 'secondary') return undefined;
    const active = nodeName('active-disk', node.id.disk);
    const hidden = nodeName('hidden-disk', node.id.disk);
    const activeFailed = this.makeEmptyFaults.delete(active);
    const hiddenFailed = this.makeEmptyFaults.delete(hidden);
    if (activeFailed) return 'activeMakeEmptyFailed';
    if (this.ejected.has(active)) return 'activeEjected';
    if (hiddenFailed) return 'hiddenMakeEmptyFailed';
    if (this.ejected.has(hidden)) return 'hiddenEjected';
    return undefined;
  }

  /** The operation reported: I/O it raced is judged now, by the chart in the stage the I/O entered. */
  private afterOperation(name: string): void {
    this.operating.delete(name);
    const deferred = this.deferredIo.get(name);
    this.deferredIo.delete(name);
    for (const f of deferred ?? []) this.onIo(f);
  }

  private onIo(f: Fields<'repl-io'>): void {
    const node = this.nodes.get(f.node);
    if (!node || node.closed || this.deadSides.has(node.side)) return;
    if (this.operating.has(node.name) && String(f.stage) !== String(node.model.value) && !node.lastIn.has(String(f.stage))) {
      // The stage the request entered with is one the operation still in flight moved the node to.
      this.deferredIo.set(node.name, [...(this.deferredIo.get(node.name) ?? []), f]);
      return;
    }
    const type = f.op === 'read' ? 'READ' : 'WRITE';
    const io = IO_EVENTS[type][f.lower === 'failed' ? 'failed' : 'ok'];
    // QEMU reads the I/O status when a request enters (replication_get_io_status): a write admitted
    // in FAILOVER that ends after the commit failed went through the file child, as FAILOVER routes it.
    const admitted = String(f.stage);
    const earlier = admitted !== String(node.model.value) ? node.lastIn.get(admitted) : undefined;
    const before = earlier?.value ?? node.model.value;
    if (!earlier) this.advanceKeyed(node, io);
    const late = earlier ? keyedStep(earlier, io).next : undefined;
    const expected = late ? late.context.outcome : node.model.context.outcome;
    // A primary write swallowed after its node moved on still sets the error (replication_return_value
    // writes s->error whatever the stage is by then): a stop racing it may clear it first.
    if (late && expected.kind === 'swallowed') node.model = { ...node.model, context: { ...node.model.context, error: late.context.error } };
    // What the engine did, from its trace alone: a successful write it split by allocation says so.
    const actual: Outcome =
      f.result === 'ok' ? { kind: f.route === 'split' ? 'split' : 'ok' } : f.result === 'swallowed' ? { kind: 'swallowed' } : { kind: 'eio' };
    const invariant: InvariantName =
      before === 'NONE' || (node.side === 'primary' && type === 'READ') ? 'no-io-before-start' : node.side === 'primary' ? 'primary-swallows-errors' : 'conformance';
    this.report.check(invariant, sameAnswer(expected, actual), () =>
      `${node.name} ${type.toLowerCase()} [${f.offset},+${f.bytes}] in ${before} (lower ${f.lower}): the chart answers ${formatOutcome(expected)}, the engine ${f.result}${f.route === 'split' ? ' (split)' : ''}`,
    );
  }

  private onJob(f: Fields<'job'>): void {
    const node = this.nodes.get(f.owner);
    if (!node || this.deadSides.has(node.side)) return;
    const job = f.job;
    let event: NodeEvent | undefined;
    if (job.startsWith('backup') && f.event === 'failed') event = { type: 'BACKUP_JOB_FAILED' };
    if (job.startsWith('commit') && f.event === 'completed') event = { type: 'COMMIT_OK' };
    if (job.startsWith('commit') && (f.event === 'failed' || f.event === 'cancelled')) event = { type: 'COMMIT_FAILED' };
    if (!event) return;
    if (node.model.value === 'CLOSED') {
      // A commit that reports after its node's close: the chart says what follows (v24's callback
      // on freed state crashes: CRASHED; QEMU 7.2 cancelled the job at close, JobsEndWithClose
      // judges that a report came at all). CrashesExplained asks for the CRASHED state.
      if (event.type !== 'BACKUP_JOB_FAILED') this.advance(node, event);
      return;
    }
    if (node.closed) return;
    this.advance(node, event);
    const outcome = node.model.context.outcome;
    this.report.check('conformance', outcome.kind === 'ok', () => `${node.name}: ${event.type} in a state whose chart does not expect it (${formatOutcome(outcome)})`);
  }

  private onStage(f: Fields<'stage'>): void {
    const node = this.nodes.get(f.node);
    if (!node) return;
    const move = `${f.from}>${f.to}`;
    this.report.check('stage-monotonic', ALLOWED_STAGE_MOVES.has(move), () => `${node.name} moved ${f.from} -> ${f.to}`);
    node.engineStage = f.to;
  }

  private compareStage(node: TrackedNode): void {
    const value = node.model.value;
    if (value === 'CLOSED' || value === 'CRASHED' || value === 'UNOPENED') return;
    this.report.check('conformance', value === node.engineStage, () => `${node.name}: the chart is in ${value}, the engine in ${node.engineStage}`);
  }

  /** The *_all walk: newest node first, each registered node once, stopping right after the first error. */
  private checkFrameworkOrder(side: Side, command: CommandInProgress): void {
    if (command.visited.length === 0) return;
    const order: string[] = [];
    for (let d = this.disks - 1; d >= 0; d--) {
      const name = nodeName(`replication-${side}`, d);
      if (!this.nodes.get(name)?.closed || command.visited.some((v) => v.node === name)) order.push(name);
    }
    const firstError = command.visited.findIndex((v) => !v.ok);
    const expected = firstError < 0 ? order : order.slice(0, firstError + 1);
    const visited = command.visited.map((v) => v.node);
    this.report.check('framework-order', expected.join(',') === visited.join(','), () =>
      `${side} ${command.name}: visited ${visited.join(', ')}; newest first, stopping at the first error, gives ${expected.join(', ')}`,
    );
  }
}


function operationOutcome(f: Fields<'repl-op'>): Outcome {
  if (f.ok) return { kind: 'ok' };
  const message = f.error ?? '';
  if (parseCrashMessage(message) !== null) return { kind: 'crash', reason: message };
  return { kind: 'error', message };
}

/** Whether the engine's answer is the chart's: success is success, errors compare by exact text. */
function sameAnswer(expected: Outcome, actual: Outcome): boolean {
  if (success(expected) || success(actual)) return success(expected) && success(actual) && (expected.kind === 'split') === (actual.kind === 'split');
  if (expected.kind === 'error' && actual.kind === 'error') return expected.message === actual.message;
  return expected.kind === actual.kind;
}

/** A module-level function, not a closure per call: under tsx every closure made also gets its name set. */
function success(o: Outcome): boolean {
  return o.kind === 'ok' || o.kind === 'ignored' || o.kind === 'split';
}

function classifyOperation(node: TrackedNode, op: string, before: NodeStateValue): InvariantName {
  if (isPromotedStage(before) && (op === 'start' || op === 'stop' || op === 'checkpoint')) return 'ignore-after-promotion';
  if (op === 'get_error' && node.side === 'primary') return 'primary-swallows-errors';
  return 'conformance';
}
