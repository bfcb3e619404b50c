/*
 * The "real engine" backend: runs a scenario on two real QEMU 7.2 processes (primary and secondary,
 * no guest) wired as docs/block-replication.txt describes, and answers with the shared result
 * document (backend "qemu"). Each scenario gets fresh processes and fresh, sparse images
 * (ImageFactory.ts), so no state leaks between scenarios; everything is torn down on success,
 * failure, timeout and signals. A start-up that fails is retried once; a second failure, or a QEMU
 * that hangs or goes away at a step, rejects with QemuAdapterError naming the process and the step.
 * Faults QEMU cannot reproduce are listed in the document's `skipped`. A latency fault only moves
 * time, so the scenario still runs without it; any other one changes what the steps return, so the
 * scenario is not run at all: every step is skipped, naming the faults (comparing a run without the
 * fault with the engine's run with it would only report the missing fault, step after step).
 */
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { ResultDocument, SkippedItem, StepResult } from '../scenario/StepResult.js';
import { type FaultLayout, layOutFaults, rulesFor } from './FaultMapping.js';
import { removeDirectory } from './ChildRegistry.js';
import { QemuAdapterError, type QemuAdapterErrorCode } from './QemuAdapterError.js';
import { ImageFactory } from './ImageFactory.js';
import { type PairDisk, type PairOptions, QemuPair } from './QemuPair.js';
import { runStep } from './QemuStepRunner.js';
import { type QemuTools, findQemuTools } from './QemuTools.js';
import { diskNames } from './Topology.js';
import { makeTempDir } from './TempDirs.js';
import { queryVersion, versionString } from './qemuVersion.js';

export const DEFAULT_QEMU_TIMEOUT_MS = 10_000;
export const PACED_COMMIT_BYTES_PER_SECOND = 1024 * 1024;

/** A result document of this backend. */
export interface QemuResultDocument extends ResultDocument {
  backend: 'qemu';
}

export interface QemuRunOptions {
  /** Reuse image templates across scenarios (and the located binaries); otherwise one is made and closed. */
  readonly session?: QemuSession;
  /** How long any QMP/NBD wait may take before QEMU counts as hung (default the session's, DEFAULT_QEMU_TIMEOUT_MS: 10 s). */
  readonly timeoutMs?: number;
  /** Concurrent sub-steps on NBD connections of their own (PairOptions.parallelConnections); default: the session's (on unless serialConnections). */
  readonly parallelConnections?: boolean;
}

/**
 * What several runs share: the binaries and the image templates (processes are started fresh for
 * every run: starting the next pair in the background while a run goes on was measured to gain
 * nothing on a loaded 2-core machine, where QEMU's ~25 ms start-up is CPU, not latency). Await
 * close() when done.
 */
export class QemuSession {
  readonly images: ImageFactory;
  /** What the binary answers to query-version ("10.0.2"), known after the first run's start-up. */
  qemuVersion: string | undefined;

  constructor(
    readonly tools: QemuTools = findQemuTools(),
    /** The runs' timeout unless a run sets its own (QemuRunOptions.timeoutMs). */
    readonly timeoutMs: number = DEFAULT_QEMU_TIMEOUT_MS,
    /**
     * Concurrent sub-steps share one NBD connection per export (--serial-connections), so a write
     * queues behind the request before it; by default each sub-step has its own (issue 12 §3).
     */
    readonly serialConnections = false,
  ) {
    this.images = new ImageFactory(tools);
  }

  async close(): Promise<void> {
    this.images.close();
  }
}

export async function runScenarioOnQemu(scenario: Scenario, options: QemuRunOptions = {}): Promise<QemuResultDocument> {
  const layout = withHeal(scenario, layOutFaults(scenario.engine.faults, scenario.disks, scenario.disk.size));
  if (layout.blocking.length > 0) return notRun(scenario, layout);
  const session = options.session ?? new QemuSession();
  const runDir = makeTempDir('run');
  let pair: QemuPair | undefined;
  try {
    const disks = await makeDisks(session, scenario, runDir, layout);
    const timeoutMs = options.timeoutMs ?? session.timeoutMs;
    const paced = scenario.engine.timing.commitPaceTicks > 0 ? PACED_COMMIT_BYTES_PER_SECOND : undefined;
    const pairOptions = { binary: session.tools.system, timeoutMs, disks, imageDir: runDir, chain: scenario.chain, secondaryWriteBytesPerSecond: paced, parallelConnections: options.parallelConnections ?? !session.serialConnections };
    pair = await createPair(pairOptions);
    session.qemuVersion ??= versionString(await queryVersion(pair.secondary.qmp));
    const steps: StepResult[] = [];
    for (const [index, step] of scenario.steps.entries()) steps.push(await runStepNamed(pair, step, index));
    const document: QemuResultDocument = { scenario: scenario.name, backend: 'qemu', qemuVersion: session.qemuVersion, steps };
    if (layout.skipped.length > 0) document.skipped = [...layout.skipped];
    return document;
  } finally {
    await pair?.dispose();
    removeDirectory(runDir);
    if (options.session === undefined) await session.close();
  }
}

/** A step whose QEMU failed (hung, went away) fails the run naming the step. */
async function runStepNamed(pair: QemuPair, step: Step, index: number): Promise<StepResult> {
  try {
    return await runStep(pair, step, index);
  } catch (error) {
    if (!(error instanceof QemuAdapterError)) throw error;
    throw new QemuAdapterError(error.code, `at step ${index} (${step.do}): ${error.message}`, { cause: error, step: String(index) });
  }
}

/** Failures of a start-up that a second try may not meet: not a missing binary, not a refused set-up command. */
const RETRIED_AT_START = new Set<QemuAdapterErrorCode>(['QEMU_START_FAILED', 'QEMU_HUNG', 'QMP_TIMEOUT', 'QMP_CLOSED', 'QMP_PROTOCOL', 'NBD_PROTOCOL', 'NBD_CLOSED', 'NBD_TIMEOUT']);

/**
 * Start the pair; a start-up that failed (a QMP greeting lost about once in 700 runs, a time-out
 * under heavy load, before any scenario step ran) is retried once with fresh processes, since
 * nothing of the scenario is lost. A second failure is the run's failure.
 */
export async function createPair(options: PairOptions): Promise<QemuPair> {
  try {
    return await QemuPair.create(options);
  } catch (error) {
    if (!(error instanceof QemuAdapterError) || !RETRIED_AT_START.has(error.code)) throw error;
  }
  try {
    return await QemuPair.create(options);
  } catch (error) {
    if (!(error instanceof QemuAdapterError) || !RETRIED_AT_START.has(error.code)) throw error;
    throw new QemuAdapterError(error.code, `QEMU failed to start, twice: ${error.message}`, { cause: error });
  }
}

/** A heal step ends the faults; blkdebug's rules cannot be disarmed, so with faults that is not expressible. */
function withHeal(scenario: Scenario, layout: FaultLayout): FaultLayout {
  const heal = scenario.steps.findIndex((s) => s.do === 'heal');
  if (heal < 0 || layout.rules.size === 0) return layout;
  const item: SkippedItem = { where: `steps[${heal}]`, reason: 'heal stops every fault from then on; blkdebug rules cannot be disarmed' };
  return { ...layout, skipped: [...layout.skipped, item], blocking: [...layout.blocking, item] };
}

/** The scenario needs a fault QEMU cannot reproduce: no step runs, each says why. */
function notRun(scenario: Scenario, layout: FaultLayout): QemuResultDocument {
  const reason = `not run on QEMU: ${layout.blocking.map((s) => `${s.where}: ${s.reason}`).join('; ')}`;
  const steps = scenario.steps.map((step, index): StepResult => ({ index, do: step.do, ok: false, code: 'SKIPPED', skipped: reason }));
  const skipped: SkippedItem[] = [...layout.skipped];
  return { scenario: scenario.name, backend: 'qemu', steps, skipped };
}

async function makeDisks(session: QemuSession, scenario: Scenario, runDir: string, layout: FaultLayout): Promise<PairDisk[]> {
  const disks: PairDisk[] = [];
  for (let i = 0; i < scenario.disks; i++) {
    const files = await session.images.createDisk(runDir, i, scenario.disk.size, scenario.disk.pattern, scenario.chain);
    const rules = {
      primaryDisk: rulesFor(layout, 'primary-disk', i),
      secondaryDisk: rulesFor(layout, 'secondary-disk', i),
      active: rulesFor(layout, 'active-disk', i),
      hidden: rulesFor(layout, 'hidden-disk', i),
      link: rulesFor(layout, 'link', i),
    };
    disks.push({ names: diskNames(i), files, rules });
  }
  return disks;
}
