/*
 * Turns COLO pair paths into scenario files (src/scenario/Scenario.ts) whose `expect` fields are the
 * models' answers: the pair chart gives each control step's outcome, the data model gives every
 * read's bytes. Writes get fixed offsets and patterns (the k-th write of each VM cycles through a
 * small plan that crosses 64 KiB clusters); every scenario ends by reading both VMs. Between a
 * failover and the end of its commit the scenario cannot know when the commit finishes, so a step
 * expects only what holds either way (a second "world" where the commit already ended is replayed
 * alongside). Link loss and commit failure become engine faults (see SCENARIO_FAULT_NODES); a link
 * that comes back cannot be expressed (the fault plan's link-drop is permanent), so such paths are
 * skipped with a reason.
 */
import { type SnapshotFrom, initialTransition, transition } from 'xstate';
import type { EngineSettings, ExpectedResult, Profile, Scenario, ScenarioStep, Side } from '../../src/scenario/Scenario.js';
import type { Fault } from '../../src/sim/FaultPlan.js';
import { coloPair, type PairContext } from '../colo/coloPair.js';
import type { PairEvent } from '../colo/pairEvents.js';
import { forwardingWorks } from '../colo/pairRules.js';
import {
  type DataOp,
  type ReplicationData,
  applyDataOps,
  exactRuns,
  initialData,
  primaryDisk,
  secondaryView,
} from '../data/ReplicationData.js';
import { checkpointEmptiedBuffers } from '../replication/nodeState.js';
import { formatOutcome, type Outcome } from '../replication/Outcome.js';
import { MODELS } from './modelCatalog.js';
import { formatEvent } from './replayPath.js';
import type { ModelPath } from './coveringPaths.js';

export const SCENARIO_DISK = { size: 262144, pattern: 0x11 } as const;
/** Reads cover the first three 64 KiB clusters: every write of the plans lands there. */
export const READ_RANGE = { offset: 0, length: 196608 } as const;
/** Simulated time a `wait` gives the failover commit to finish (1 s; the commit needs far less). */
export const COMMIT_WAIT_TICKS = 1_000_000_000;
/** Node names for engine faults, as the fault plan's documentation names them. */
export const SCENARIO_FAULT_NODES = { link: 'link' } as const;
/** Engine settings of generated scenarios: seed 0, fifo, the default timing (written out: models import no engine values). */
export const GENERATED_ENGINE_SETTINGS: EngineSettings = {
  seed: 0,
  schedule: { policy: 'fifo' },
  timing: { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: 1048576, commitPaceTicks: 0 },
  faults: [],
};

interface WritePlan {
  readonly offset: number;
  readonly length: number;
}
/** Crosses the cluster 0/1 boundary, a partial cluster, a sub-cluster write in cluster 2, a whole cluster. */
const PRIMARY_WRITES: readonly WritePlan[] = [
  { offset: 61440, length: 8192 },
  { offset: 4096, length: 4096 },
  { offset: 131584, length: 1024 },
  { offset: 0, length: 65536 },
];
const SECONDARY_WRITES: readonly WritePlan[] = [
  { offset: 0, length: 4096 },
  { offset: 73728, length: 4096 },
  { offset: 61440, length: 8192 },
];

type PairSnapshot = SnapshotFrom<typeof coloPair>;

interface World {
  readonly pair: PairSnapshot;
  readonly data: ReplicationData;
}

interface Write {
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
}

export type ConvertedPath = { readonly scenario: Scenario } | { readonly skipped: string };

/** The data operations a pair event implies, read off how it moved the two nodes. */
function dataOpsFor(event: PairEvent, before: PairContext, after: PairContext, write: Write | undefined): DataOp[] {
  const ops: DataOp[] = [];
  const from = before.secondary.node;
  const to = after.secondary.node;
  if (from.value === 'NONE' && to.value === 'RUNNING') ops.push({ kind: 'secondary-start', checkpoint: 'ok' });
  if (from.value === 'RUNNING' && to.value === 'FAILOVER') ops.push({ kind: 'secondary-stop', failover: true, commitStarted: to.context.commitJob });
  if (from.value === 'RUNNING' && to.value === 'DONE') ops.push({ kind: 'secondary-stop', failover: false });
  if (from.value === 'FAILOVER' && (to.value === 'DONE' || to.value === 'FAILOVER_FAILED')) ops.push({ kind: 'commit-ended', ok: to.value === 'DONE' });
  const checkpointed = event.type === 'COLO_CHECKPOINT' || (event.type === 'CHECKPOINT' && event.side === 'secondary');
  if (checkpointed && checkpointEmptiedBuffers(from, to)) ops.push({ kind: 'checkpoint', result: 'ok' });
  if (event.type === 'WRITE' && write && !before[event.vm].lost) {
    if (event.vm === 'primary') {
      const forward = before.primary.node.value !== 'RUNNING' ? 'not-sent' : forwardingWorks(before) ? 'ok' : 'failed';
      ops.push({ kind: 'primary-write', ...write, local: 'ok', forward });
    } else {
      const answered = after.outcome.secondary?.kind;
      ops.push({ kind: 'secondary-write', ...write, result: answered === 'ok' || answered === 'split' ? 'ok' : 'rejected' });
    }
  }
  return ops;
}

function advance(world: World, event: PairEvent, write: Write | undefined): World {
  const [pair] = transition(coloPair, world.pair, event);
  return { pair, data: applyDataOps(world.data, dataOpsFor(event, world.pair.context, pair.context, write)) };
}

/** What a control step's result must be, given the chart's outcome. */
export function controlExpect(outcome: Outcome | null): ExpectedResult {
  if (outcome === null) return {};
  switch (outcome.kind) {
    case 'error':
      return { ok: false, error: outcome.message };
    case 'eio':
      return { ok: false, errno: 'EIO' };
    case 'crash':
    case 'sideLost':
    case 'absent':
      return { ok: false };
    default:
      return { ok: true };
  }
}

/** What a status step's result must be, given the chart's outcome. */
export function statusExpect(outcome: Outcome | null): ExpectedResult {
  if (outcome === null || outcome.kind === 'sideLost' || outcome.kind === 'crash' || outcome.kind === 'absent') return { ok: false };
  return outcome.kind === 'error' ? { ok: true, replicationError: true, desc: outcome.message } : { ok: true, replicationError: false };
}

function readExpect(world: World, vm: Side): ExpectedResult {
  const answer = world.pair.context.outcome[vm];
  const base = controlExpect(answer);
  if (base.ok !== true) return base;
  const runs = exactRuns(vm === 'primary' ? primaryDisk(world.data, READ_RANGE.offset, READ_RANGE.length) : secondaryView(world.data, READ_RANGE.offset, READ_RANGE.length));
  return runs ? { ok: true, runs } : { ok: true };
}

/** What a step must answer in `world` (the state after the event). */
function expectationOf(event: PairEvent, world: World): ExpectedResult {
  const outcome = world.pair.context.outcome;
  switch (event.type) {
    case 'START':
    case 'STOP':
    case 'CHECKPOINT':
      return controlExpect(outcome[event.side]);
    case 'STATUS':
      return statusExpect(outcome[event.side]);
    case 'WRITE':
      return controlExpect(outcome[event.vm]);
    case 'READ':
      return readExpect(world, event.vm);
    case 'COLO_CHECKPOINT': {
      const failing = [outcome.secondary, outcome.primary].map(controlExpect).filter((e) => e.ok === false);
      return failing.length === 0 ? { ok: true } : failing.length === 1 ? failing[0]! : { ok: false };
    }
    case 'FAILOVER':
      return { ok: outcome.primary?.kind !== 'sideLost' && outcome.secondary?.kind !== 'sideLost' };
    default:
      return {};
  }
}

function stepOf(event: PairEvent, write: Write | undefined): ScenarioStep | undefined {
  switch (event.type) {
    case 'START':
      return event.mode ? { do: 'start', side: event.side, mode: event.mode } : { do: 'start', side: event.side };
    case 'STOP':
      return { do: 'stop', side: event.side, failover: event.failover };
    case 'CHECKPOINT':
      return { do: 'checkpoint', side: event.side };
    case 'COLO_CHECKPOINT':
      return { do: 'checkpoint', side: 'both' };
    case 'STATUS':
      return { do: 'status', side: event.side };
    case 'WRITE':
      return { do: 'write', vm: event.vm, ...write! };
    case 'READ':
      return { do: 'read', vm: event.vm, ...READ_RANGE };
    case 'FAILOVER':
      return { do: 'failover', lost: event.lost };
    case 'COMMIT_OK':
    case 'COMMIT_FAILED':
      return { do: 'wait', ticks: COMMIT_WAIT_TICKS };
    default:
      return undefined;
  }
}

function sameExpect(a: ExpectedResult, b: ExpectedResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether two worlds answer every later step alike: same control state, same views (where data sits below them does not show). */
function sameWorld(a: World, b: World): boolean {
  const spec = MODELS.pair;
  const views = (w: World) => JSON.stringify([secondaryView(w.data, 0, w.data.sizeBytes), primaryDisk(w.data, 0, w.data.sizeBytes)]);
  return spec.serialize(a.pair) === spec.serialize(b.pair) && views(a) === views(b);
}

/** The commit event that ends the failover window opened at `from`, if the path has one. */
function commitEndAfter(events: readonly PairEvent[], from: number): PairEvent {
  const end = events.slice(from).find((e) => e.type === 'COMMIT_OK' || e.type === 'COMMIT_FAILED');
  return end ?? { type: 'COMMIT_OK' };
}

const UNCERTAIN = '; no expectation: depends on when the failover commit finishes';
const isCommitEvent = (event: PairEvent) => event.type === 'COMMIT_OK' || event.type === 'COMMIT_FAILED';

/** Walks one pair path, building the steps, the engine faults and the two worlds. */
class PathConverter {
  world: World;
  /** While a failover commit may or may not have ended: the world where it already has. */
  other: World | null = null;
  /** After a window whose two worlds ended differently, nothing later can be expected. */
  uncertain = false;
  readonly steps: ScenarioStep[] = [];
  readonly faults: Fault[] = [];
  private readonly writes = { primary: 0, secondary: 0 };
  private linkRequests = 0;

  constructor(
    profile: Profile,
    private readonly events: readonly PairEvent[],
  ) {
    this.world = { pair: initialTransition(coloPair, { profile })[0], data: initialData(SCENARIO_DISK.size, SCENARIO_DISK.pattern) };
  }

  /** The k-th write of a VM takes the k-th entry of its plan and its own pattern. */
  private writeFor(event: PairEvent, before: PairContext): Write | undefined {
    if (event.type !== 'WRITE') return undefined;
    const k = this.writes[event.vm]++;
    const plan = event.vm === 'primary' ? PRIMARY_WRITES : SECONDARY_WRITES;
    if (event.vm === 'primary' && !before.primary.lost && before.primary.node.value === 'RUNNING') {
      if (before.linkUp) this.linkRequests++;
    }
    return { ...plan[k % plan.length]!, pattern: (event.vm === 'primary' ? 0x21 : 0x41) + (k % 0x1e) };
  }

  /** Link loss: drop after the requests sent so far. Commit failure: fail the next write to the secondary disk. */
  private addFaults(event: PairEvent, before: PairContext, committing: boolean): void {
    if (event.type === 'LINK_DOWN' && before.linkUp) this.faults.push({ kind: 'link-drop', link: SCENARIO_FAULT_NODES.link, afterOps: this.linkRequests });
    /* The commit job fails at its first chunk (the fault plan's job-fail for the commit). */
    if (event.type === 'COMMIT_FAILED' && committing) this.faults.push({ kind: 'job-fail', job: 'commit' });
  }

  private pushStep(step: ScenarioStep, expected: ExpectedResult, agrees: boolean, note: string): void {
    if (this.uncertain || !agrees) this.steps.push({ ...step, note: `${note}${UNCERTAIN}` });
    else this.steps.push(Object.keys(expected).length ? { ...step, expect: expected, note } : { ...step, note });
  }

  /** Apply one event; false when the path cannot be a scenario. */
  apply(event: PairEvent, index: number): boolean {
    const before = this.world.pair.context;
    if (event.type === 'LINK_UP' && !before.linkUp) return false;
    /* A commit event means something only while a commit job runs. */
    const committing = isCommitEvent(event) && before.secondary.node.context.commitJob;
    const write = this.writeFor(event, before);
    this.addFaults(event, before, committing);
    const next = advance(this.world, event, write);
    let other = this.other && !committing ? advance(this.other, event, write) : this.other;
    const step = stepOf(event, write);
    if (step && (!isCommitEvent(event) || committing)) {
      const expected = expectationOf(event, next);
      const agrees = other === null || sameExpect(expected, expectationOf(event, other));
      this.pushStep(step, expected, agrees, `model: ${formatEvent(event)}${describeAnswers(next.pair.context, event)}`);
    }
    const secondary = next.pair.context.secondary.node;
    if (before.secondary.node.value === 'RUNNING' && secondary.value === 'FAILOVER' && secondary.context.commitJob) {
      /* The other world: the commit already ended, as the path says, or at once and fine if it had nothing to copy. */
      const end: PairEvent = next.pair.context.bufferHoldsData ? commitEndAfter(this.events, index + 1) : { type: 'COMMIT_OK' };
      other = advance(next, end, undefined);
    }
    if (committing && other) {
      if (!sameWorld(next, other)) this.uncertain = true;
      other = null;
    }
    this.world = next;
    this.other = other;
    return true;
  }

  /** Both VMs read the read range at the end. */
  finish(): void {
    for (const vm of ['primary', 'secondary'] as const) {
      const read: PairEvent = { type: 'READ', vm };
      const expected = expectationOf(read, advance(this.world, read, undefined));
      const agrees = this.other === null || sameExpect(expected, expectationOf(read, advance(this.other, read, undefined)));
      this.pushStep({ do: 'read', vm, ...READ_RANGE }, expected, agrees, `final check: what the ${vm} VM reads`);
    }
  }
}

/** Convert one pair path; `name` names the scenario. */
export function pairPathToScenario(path: ModelPath, name: string): ConvertedPath {
  const events = path.events as readonly PairEvent[];
  const converter = new PathConverter(path.profile, events);
  for (const [index, event] of events.entries()) {
    if (!converter.apply(event, index)) return { skipped: 'LINK_UP: the fault plan cannot bring a dropped link back' };
  }
  converter.finish();
  return {
    scenario: {
      colosim: 1,
      name,
      description: `Generated from the COLO pair chart (${path.profile}): ${events.map(formatEvent).join(' → ')}`,
      disk: SCENARIO_DISK,
      chain: 'standard',
      disks: 1,
      profile: path.profile,
      engine: { ...GENERATED_ENGINE_SETTINGS, faults: converter.faults },
      steps: converter.steps,
    },
  };
}

function describeAnswers(context: PairContext, event: PairEvent): string {
  const parts: string[] = [];
  for (const side of ['primary', 'secondary'] as const) {
    const outcome = context.outcome[side];
    if (outcome && (event.type === 'COLO_CHECKPOINT' || event.type === 'FAILOVER' || event.type.startsWith('COMMIT'))) parts.push(`${side} ${formatOutcome(outcome)}`);
  }
  const nodes = `primary ${context.primary.lost ? 'LOST' : context.primary.node.value}, secondary ${context.secondary.lost ? 'LOST' : context.secondary.node.value}`;
  return ` -> ${parts.length ? `${parts.join(', ')}; ` : ''}${nodes}`;
}

export function pairScenarioName(profile: Profile, index: number): string {
  return `pair-${profile}-${String(index + 1).padStart(3, '0')}`;
}
