/*
 * Checks one run of one scenario on the engine, apart from the engine: it listens to the trace and
 * to step results, replays them through the models (NodeConformance: the replication statechart;
 * DataConformance: the data model, which never stops predicting; CowEpochs: one copy per cluster and epoch;
 * QuorumAnswers: the quorum's vote on each primary VM write; PromotedIo: I/O after a completed failover;
 * JobsEndWithClose: no job reports after its node's close; CrashesExplained: every process end has a
 * named cause) and reports every
 * named invariant it checked and every violation, with the step it happened at.
 */
import type { ReplicationData } from '../../models/data/ReplicationData.js';
import type { ColoPair } from '../colo/ColoPair.js';
import type { Profile, Scenario, Step } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { type TypedTraceEvent, unhandledEvent } from '../sim/TraceEvents.js';
import { ChartTour } from './ChartTour.js';
import { CowEpochs } from './CowEpochs.js';
import { CrashesExplained } from './CrashesExplained.js';
import { type DataCheckCount, emptyDataCheck } from './DataCheckCount.js';
import { DataConformance } from './DataConformance.js';
import { JobsEndWithClose } from './JobsEndWithClose.js';
import { asDataStep } from './dataStep.js';
import type { InvariantName, Violation } from './Invariant.js';
import { type ChartCoverage, type ChartStep, NodeConformance } from './NodeConformance.js';
import { PromotedIo } from './PromotedIo.js';
import { QuorumAnswers } from './QuorumAnswers.js';
import { Reporter } from './Reporter.js';

export interface CheckResult {
  readonly violations: readonly Violation[];
  readonly checks: ReadonlyMap<InvariantName, number>;
  /** How often each state and transition of the replication, pair and job charts was visited. */
  readonly coverage: ChartCoverage;
  /** The chart events of every node, in order, if CaseCheckerOptions.chartLog asked for them (else empty). */
  readonly chartLog: readonly ChartStep[];
  /** Whose rules the chart applied (the scenario's profile, or QEMU 7.2's under spec "qemu-7.2"). */
  readonly chartProfile: Profile;
  /** How many disk-steps the data model checked, and why some admitted more than one value. */
  readonly dataCheck: DataCheckCount;
}

export interface CaseCheckerOptions {
  /**
   * The rules the run is held to. "own" (default): the scenario's profile, so a v24 run is compared
   * with the v24 chart (conformance of the engine). "qemu-7.2": QEMU 7.2's rules whatever the
   * profile, so whatever the 2016 code does differently shows up as a named violation (campaigns).
   */
  readonly spec?: 'own' | 'qemu-7.2';
  /**
   * Bench only (src/bench/checkerCostBench.ts): leave the data model out, to measure its share of
   * the checker's time. A run checked so checks less and is never a verdict: no command, campaign
   * or library call sets it.
   */
  readonly benchWithoutDataModel?: true;
  /** Keep every chart event for CheckResult.chartLog (`colosim run --check` shows them); campaigns leave it out. */
  readonly chartLog?: boolean;
}

export class CaseChecker {
  readonly report = new Reporter();
  private nodes: NodeConformance | null = null;
  private data: DataConformance | null = null;
  private readonly cow = new CowEpochs(this.report);
  private tour: ChartTour | null = null;
  private readonly quorum = new QuorumAnswers(this.report);
  private readonly closes = new JobsEndWithClose(this.report);
  private readonly crashes = new CrashesExplained(this.report, (side) => this.nodes?.chartCrashed(side) ?? false);
  private readonly promoted: PromotedIo;
  private unsubscribe: (() => void) | null = null;
  /** Job events held back while an operation of their node is in flight. */
  private readonly inFlight = new Map<string, TypedTraceEvent[]>();

  constructor(
    private readonly scenario: Scenario,
    private readonly options: CaseCheckerOptions = {},
  ) {
    this.promoted = new PromotedIo(this.report, scenario.disk.size);
  }

  /** Whose rules the charts apply. */
  get chartProfile(): Profile {
    return this.options.spec === 'qemu-7.2' ? 'qemu-7.2' : this.scenario.profile;
  }

  /** The data model of one disk after the last step (reports draw it next to the engine's bytes). */
  dataModel(disk: number): ReplicationData | undefined {
    return this.data?.model(disk);
  }

  /** Attach before the first step (EngineRunOptions.observe). */
  attach(env: SimEnv, pair: ColoPair): void {
    this.nodes = new NodeConformance(this.report, this.chartProfile, this.scenario.disks, this.scenario.chain, this.options.chartLog === true);
    this.data = this.options.benchWithoutDataModel ? null : new DataConformance(this.report, this.scenario, this.nodes, pair);
    this.tour = new ChartTour(this.chartProfile);
    this.unsubscribe = env.trace.subscribe((event) => this.onEvent(event));
  }

  beginStep(index: number, step: Step): void {
    this.report.step = index;
    this.data?.beginStep(asDataStep(step), index);
    this.tour?.beginStep(step);
    this.quorum.beginStep(index);
    this.promoted.beginStep(index);
  }

  endStep(index: number, step: Step, result: StepResult): void {
    this.report.step = index;
    this.nodes?.checkStages();
    this.data?.endStep(asDataStep(step), result);
    this.quorum.endStep(step, result);
    this.promoted.endStep(step, result);
  }

  /** After the last step (and any liveness phase): final whole-disk checks, then the verdict. */
  finish(): CheckResult {
    this.data?.finish();
    this.crashes.finish();
    this.unsubscribe?.();
    // The node chart's visits, then the other charts' (their keys never collide: each starts with its machine id).
    const coverage: ChartCoverage = { states: new Map(), transitions: new Map() };
    this.nodes?.addCoverageTo(coverage);
    this.tour?.addCoverageTo(coverage);
    return { violations: this.report.violations, checks: this.report.checks, coverage, chartLog: this.nodes?.log ?? [], chartProfile: this.chartProfile, dataCheck: this.data?.dataCheck ?? emptyDataCheck() };
  }

  /**
   * An operation takes effect when it begins (that is when it checks for its backup job), but the
   * engine reports it when it ends; a job that ends meanwhile is reported in between. Such job
   * events are held back until the operation's report, so the models see the order that happened.
   */
  private onEvent(event: TypedTraceEvent): void {
    this.closes.onEvent(event);
    switch (event.kind) {
      case 'repl-op-begin':
        this.inFlight.set(event.fields.node, []);
        return this.deliver(event);
      case 'job': {
        // A job's events belong to the replication node that owns it.
        const held = this.inFlight.get(event.fields.owner);
        if (held) held.push(event);
        else this.deliver(event);
        return;
      }
      case 'repl-op': {
        this.deliver(event);
        const held = this.inFlight.get(event.fields.node);
        this.inFlight.delete(event.fields.node);
        for (const e of held ?? []) this.deliver(e);
        return;
      }
      case 'step':
      case 'step-result':
      case 'request':
      case 'reply':
      case 'io':
      case 'eject':
      case 'pad-read-failed':
      case 'stage':
      case 'repl-io':
      case 'quorum-write':
      case 'nbd-applied':
      case 'cow':
      case 'cow-begin':
      case 'commit-copy':
      case 'fault':
      case 'side':
      case 'command':
        return this.deliver(event);
      default:
        return unhandledEvent(event);
    }
  }

  /** Every checker sees the typed event and switches on its kind exhaustively. */
  private deliver(event: TypedTraceEvent): void {
    this.nodes?.onEvent(event);
    this.data?.onEvent(event);
    this.cow.onEvent(event);
    this.tour?.onEvent(event);
    this.quorum.onEvent(event);
    this.promoted.onEvent(event);
    this.crashes.onEvent(event);
  }
}
