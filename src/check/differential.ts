/*
 * Differential testing of the engine against real QEMU: a fast-check arbitrary of scenarios both
 * backends can run (one small disk, no faults, the control steps and guest I/O a COLO pair sees,
 * write-zeroes, discard and flush included,
 * sector-aligned and unaligned, on both VMs and on the disks themselves), a function that runs one
 * scenario on both and diffs the results, and a campaign that compares every generated scenario
 * (a difference does not end it), groups the differences by signature (differenceSignature.ts) and
 * shrinks the first --keep-going distinct ones, each to a minimal scenario file under
 * reports/differential/ that replays with `colosim diff FILE`. Differences a
 * documented divergence explains (src/qemu/divergences.ts) are not failures. Scenarios without
 * concurrent steps are generated unless the shape asks for them (--concurrent: some steps become a
 * concurrent group of two or three). A scenario with concurrent steps is compared against the answers of
 * every order of its sub-steps (admissibleAnswers.ts); the campaign counts the step results so
 * compared (setCompared) and the scenarios with too many orders to run, compared exactly (tooManyOrders).
 * A QEMU that fails (does not start even on a second try, hangs, or crashes at a step where the
 * engine predicts no crash) is no difference: it ends the campaign as a QEMU failure, unshrunk,
 * naming the process, how it died and the step, since no verdict was reached. The exception is an
 * abort QEMU is documented to have (src/qemu/qemuAborts.ts): the steps before it are compared, the
 * run counts as explained by it, and the campaign counts the steps it could not compare and goes on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { QemuAdapterError } from '../qemu/QemuAdapterError.js';
import { type QemuSession, runScenarioOnQemu } from '../qemu/QemuBackend.js';
import { firstCrash } from '../qemu/SideCalls.js';
import { explainDifferences } from '../qemu/divergences.js';
import { documentedAbort } from '../qemu/qemuAborts.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { resultAt } from '../scenario/stepAt.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { differenceSignature } from './differenceSignature.js';
import { otherOrders } from './admissibleAnswers.js';
import { type Difference, type ResultDiff, diffResults } from './diffResults.js';

export const DIFFERENTIAL_DISK_BYTES = 256 * 1024;
export const DIFFERENTIAL_MAX_STEPS = 14;
export const DIFFERENTIAL_REPORT_DIR = join('reports', 'differential');

const SECTOR = 512;
const SIDES = ['primary', 'secondary'] as const;

/** A scenario as it is written to a file (parseScenario fills in the rest). */
export type ScenarioFile = Record<string, unknown> & { readonly steps: readonly Record<string, unknown>[] };

/** A byte range inside (or, rarely, across the end of) a disk of `diskBytes`. */
function rangeArbitrary(diskBytes: number): fc.Arbitrary<{ offset: number; length: number }> {
  const sectors = diskBytes / SECTOR;
  const aligned = fc
    .tuple(fc.integer({ min: 0, max: sectors - 1 }), fc.integer({ min: 1, max: 256 }))
    .map(([s, n]) => ({ offset: s * SECTOR, length: Math.min(n, sectors - s) * SECTOR }));
  const unaligned = fc
    .tuple(fc.integer({ min: 0, max: diskBytes - 1 }), fc.integer({ min: 1, max: 70_000 }))
    .map(([offset, n]) => ({ offset, length: Math.min(n, diskBytes - offset) }));
  const pastEnd = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 4096 })).map(([back, length]) => ({ offset: diskBytes - back * SECTOR, length }));
  return fc.oneof({ weight: 5, arbitrary: aligned }, { weight: 3, arbitrary: unaligned }, { weight: 1, arbitrary: pastEnd });
}

/** Where I/O enters: mostly the VMs' disks, sometimes the sides' own disks. */
const ioTargetArbitrary = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant('disk' as const) });

function stepArbitrary(diskBytes: number): fc.Arbitrary<Record<string, unknown>> {
  const write = fc
    .record({ vm: fc.constantFrom(...SIDES), range: rangeArbitrary(diskBytes), pattern: fc.integer({ min: 0, max: 255 }), node: ioTargetArbitrary })
    .map(({ vm, range, pattern, node }) => withNode({ do: 'write', vm, ...range, pattern }, vm === 'secondary' ? node : undefined));
  const read = fc
    .record({ vm: fc.constantFrom(...SIDES), range: rangeArbitrary(diskBytes), node: ioTargetArbitrary })
    .map(({ vm, range, node }) => withNode({ do: 'read', vm, ...range }, node));
  const zeroes = fc
    .record({ vm: fc.constantFrom(...SIDES), range: rangeArbitrary(diskBytes), unmap: fc.boolean(), node: ioTargetArbitrary })
    .map(({ vm, range, unmap, node }) => withNode({ do: 'write-zeroes', vm, ...range, ...(unmap ? { unmap } : {}) }, vm === 'secondary' ? node : undefined));
  const discard = fc
    .record({ vm: fc.constantFrom(...SIDES), range: rangeArbitrary(diskBytes), node: ioTargetArbitrary })
    .map(({ vm, range, node }) => withNode({ do: 'discard', vm, ...range }, vm === 'secondary' ? node : undefined));
  const flush = fc.record({ vm: fc.constantFrom(...SIDES), node: ioTargetArbitrary }).map(({ vm, node }) => withNode({ do: 'flush', vm }, node));
  const start = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('both', 'primary', 'secondary').map((side) => ({ do: 'start', side })) },
    { weight: 1, arbitrary: fc.constantFrom(...SIDES).map((side) => ({ do: 'start', side, mode: side === 'primary' ? 'secondary' : 'primary' })) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: write },
    { weight: 5, arbitrary: read },
    { weight: 1, arbitrary: zeroes },
    { weight: 1, arbitrary: discard },
    { weight: 1, arbitrary: flush },
    { weight: 3, arbitrary: fc.constantFrom('both', 'primary', 'secondary').map((side) => ({ do: 'checkpoint', side })) },
    { weight: 3, arbitrary: fc.constantFrom(...SIDES).map((side) => ({ do: 'status', side })) },
    { weight: 1, arbitrary: start },
    { weight: 1, arbitrary: fc.record({ side: fc.constantFrom(...SIDES), failover: fc.boolean() }).map((s) => ({ do: 'stop', ...s })) },
    { weight: 1, arbitrary: fc.constantFrom(...SIDES).map((lost) => ({ do: 'failover', lost })) },
  );
}

function withNode(step: Record<string, unknown>, node: 'disk' | undefined): Record<string, unknown> {
  return node === undefined ? step : { ...step, node };
}

export interface DifferentialShape {
  readonly diskBytes?: number;
  readonly maxSteps?: number;
  /**
   * Also draw one fault QEMU can express (blkdebug: an I/O error on a disk or the link, a failing
   * make_empty) in some scenarios. Off by default: the property gates on fault-free scenarios.
   */
  readonly faults?: boolean;
  /** Also draw concurrent groups of two or three steps (about one step in six), run truly in parallel on QEMU. */
  readonly concurrent?: boolean;
}

/** One fault blkdebug reproduces exactly (FaultMapping.ts): a sector range or the whole disk. */
function faultArbitrary(diskBytes: number): fc.Arbitrary<Record<string, unknown>> {
  const sectors = diskBytes / SECTOR;
  const io = fc
    .record({
      node: fc.constantFrom('secondary-disk', 'primary-disk', 'link'),
      op: fc.constantFrom('read', 'write', 'any'),
      errno: fc.constantFrom('EIO', 'ENOSPC'),
      sector: fc.integer({ min: 0, max: sectors - 1 }),
      sectors: fc.integer({ min: 1, max: 256 }),
      once: fc.boolean(),
    })
    .map(({ node, op, errno, sector, sectors: n, once }) =>
      once ? { kind: 'io-error', node, op, errno, offset: sector * SECTOR, bytes: SECTOR, times: 1 } : { kind: 'io-error', node, op, errno, offset: sector * SECTOR, bytes: n * SECTOR },
    );
  const makeEmpty = fc
    .record({ node: fc.constantFrom('active-disk', 'hidden-disk'), afterOps: fc.integer({ min: 0, max: 3 }), errno: fc.constantFrom('EIO', 'ENOSPC') })
    .map((f) => ({ kind: 'io-error', op: 'make-empty', times: 1, ...f }));
  return fc.oneof({ weight: 3, arbitrary: io }, { weight: 1, arbitrary: makeEmpty });
}

/** Scenario files both backends can run: one disk, no faults, mostly opened by starting both sides. */
export function differentialScenarioArbitrary(shape: DifferentialShape = {}): fc.Arbitrary<ScenarioFile> {
  const diskBytes = shape.diskBytes ?? DIFFERENTIAL_DISK_BYTES;
  const maxSteps = shape.maxSteps ?? DIFFERENTIAL_MAX_STEPS;
  const opening = fc.oneof({ weight: 5, arbitrary: fc.constant([{ do: 'start', side: 'both' }]) }, { weight: 1, arbitrary: fc.constant([]) });
  const faults = shape.faults === true ? fc.option(fc.array(faultArbitrary(diskBytes), { minLength: 1, maxLength: 1 }), { freq: 2 }) : fc.constant(null);
  return fc
    .record({ pattern: fc.integer({ min: 0, max: 255 }), opening, body: fc.array(bodyStepArbitrary(diskBytes, shape.concurrent === true), { minLength: 1, maxLength: maxSteps }), faults })
    .map(({ pattern, opening: first, body, faults: plan }) => ({
      colosim: 1,
      name: 'differential',
      disk: { size: diskBytes, pattern },
      ...(plan === null ? {} : { engine: { faults: plan } }),
      steps: [...first, ...body],
    }));
}

/** A body step: one step, or (with `concurrent`) sometimes a concurrent group of two or three. */
function bodyStepArbitrary(diskBytes: number, concurrent: boolean): fc.Arbitrary<Record<string, unknown>> {
  const step = stepArbitrary(diskBytes);
  if (!concurrent) return step;
  const group = fc.array(step, { minLength: 2, maxLength: 3 }).map((steps) => ({ do: 'concurrent', steps }));
  return fc.oneof({ weight: 5, arbitrary: step }, { weight: 1, arbitrary: group });
}

export interface DifferentialRun {
  readonly engine: ResultDocument;
  readonly qemu: ResultDocument;
  readonly diff: ResultDiff;
  /** The differences no documented divergence explains. */
  readonly unexplained: readonly Difference[];
  /** The documented divergences that explain the others. */
  readonly explainedBy: readonly string[];
  /** The scenario had more orders of its concurrent sub-steps than admissibleAnswers.MAX_ORDERS: compared exactly. */
  readonly tooManyOrders?: boolean;
  /** QEMU died of a documented abort (src/qemu/qemuAborts.ts) at `step`: only the steps before it were compared, not the `stepsNotCompared` top-level steps from there on. */
  readonly qemuAbort?: { readonly id: string; readonly step: string; readonly stepsNotCompared: number };
}

/**
 * Run one scenario on the engine and on QEMU and compare the results; a QEMU that failed (thrown by
 * the backend, or a crash the engine does not predict) throws QemuAdapterError instead.
 */
export async function runDifferential(scenario: Scenario, session: QemuSession): Promise<DifferentialRun> {
  const { document: engine } = await runScenarioOnEngine(scenario);
  const qemu = await runScenarioOnQemu(scenario, { session });
  return compareDocuments(scenario, engine, qemu);
}

/**
 * One scenario's engine and QEMU documents compared: against every order of its concurrent
 * sub-steps (admissibleAnswers.ts), each difference explained on its own by the documented
 * divergences. A crash the engine does not predict throws, as the QEMU failure it is.
 */
export async function compareDocuments(scenario: Scenario, engine: ResultDocument, qemu: ResultDocument): Promise<DifferentialRun> {
  const crash = firstUnpredicted(engine.steps, qemu.steps);
  if (crash !== undefined) return compareUpToAbort(scenario, engine, qemu, crash);
  const orders = await otherOrders(scenario);
  const diff = diffResults(engine, qemu, orders ?? []);
  const { unexplained, explainedBy } = explainDifferences(scenario, engine, qemu, diff.differences);
  return { engine, qemu, diff, unexplained, explainedBy, ...(orders === undefined ? { tooManyOrders: true } : {}) };
}

/**
 * A crash the engine does not predict, where QEMU died of an abort QEMU is documented to have
 * (src/qemu/qemuAborts.ts): the steps before it are compared, and the rest is explained by it. Any
 * other such crash throws, as the QEMU failure it is.
 */
async function compareUpToAbort(scenario: Scenario, engine: ResultDocument, qemu: ResultDocument, crash: UnpredictedCrash): Promise<DifferentialRun> {
  const top = Number(crash.where.split('.')[0]);
  const known = documentedAbort(scenario, top, crash.seen);
  if (known === undefined) throw crash.error;
  const upTo = (doc: ResultDocument): ResultDocument => ({ ...doc, steps: doc.steps.slice(0, top) });
  const before = await compareDocuments({ ...scenario, steps: scenario.steps.slice(0, top) }, upTo(engine), upTo(qemu));
  return { ...before, engine, qemu, explainedBy: [...new Set([...before.explainedBy, known.id])], qemuAbort: { id: known.id, step: crash.where, stepsNotCompared: scenario.steps.length - top } };
}

/**
 * The first step (or sub-step) QEMU answered CRASH where the engine's result is no crash, as the
 * QEMU failure it is: a crash the engine predicts there (a crash fault, a crash QEMU 7.2 is known to
 * have: src/qemu/OBSERVATIONS.md) is an ordinary result, compared as any other.
 */
export function unpredictedCrash(engine: ResultDocument, qemu: ResultDocument): QemuAdapterError | undefined {
  return firstUnpredicted(engine.steps, qemu.steps)?.error;
}

interface UnpredictedCrash {
  readonly where: string;
  /** How the process ended, with its last output (crashSeen). */
  readonly seen: string;
  readonly error: QemuAdapterError;
}

function firstUnpredicted(engine: readonly StepResult[], qemu: readonly StepResult[]): UnpredictedCrash | undefined {
  const found = firstCrash(qemu, (where) => resultAt(engine, where)?.code === 'CRASH');
  if (found === undefined) return undefined;
  const message = `the ${found.side} QEMU crashed (${found.seen}) at step ${found.where} (${found.result.do}), where the engine predicts no crash`;
  return { where: found.where, seen: found.seen, error: new QemuAdapterError('QEMU_CRASHED', message, { step: found.where }) };
}

export interface DifferentialCheckOptions {
  /** The QEMU to run on; required unless runScenario is given. */
  readonly session?: QemuSession;
  readonly runs: number;
  readonly seed?: number;
  readonly shape?: DifferentialShape;
  /** Where the minimal failing scenarios are written (default reports/differential). */
  readonly reportDir?: string;
  /** How many distinct differences (differenceSignature.ts) are shrunk (default 1); every generated scenario is compared either way. */
  readonly keepGoing?: number;
  /** The most scenario runs spent shrinking one difference (default 400): QEMU runs are slow and fast-check's shrinking is unbounded. */
  readonly shrinkRunsMax?: number;
  /** Called after each scenario run (generation and shrinking alike). */
  readonly onRun?: (run: DifferentialRun) => void;
  /** Runs one scenario on both backends (default runDifferential on the session; tests give their own). */
  readonly runScenario?: (scenario: Scenario) => Promise<DifferentialRun>;
}

/** One kind of unexplained difference the campaign met, with the scenario that shows it. */
export interface DistinctDifference {
  /** What makes it distinct (differenceSignature.ts), e.g. "write secondary: ok true/false, errno -/EIO". */
  readonly signature: string;
  /** The index (from 0) of the first generated scenario that showed it, and how many did. */
  readonly firstScenario: number;
  readonly scenarios: number;
  /** Whether the scenario below is shrunk (else it is the first one as generated: past --keep-going, or it did not show again). */
  readonly shrunk: boolean;
  readonly scenario: ScenarioFile;
  readonly differences: readonly Difference[];
  /** The scenario's file (replay: colosim diff FILE); only for the shrunk ones. */
  readonly file?: string;
  readonly counterexamplePath?: string;
}

export interface DifferentialCheckResult {
  readonly seed: number;
  /** Generated scenarios run: all that were asked for, unless QEMU failed first (then up to the one it failed on). */
  readonly scenarios: number;
  /** Scenarios run in all, shrinking included. */
  readonly runs: number;
  /** Step results compared and skipped over every run, shrinking included. */
  readonly compared: number;
  readonly skipped: number;
  /** Of `compared`, those compared against the set of answers the orders of concurrent sub-steps admit (the rest exactly). */
  readonly setCompared?: number;
  /** Runs whose concurrent sub-steps had too many orders to run, compared exactly. */
  readonly tooManyOrders?: number;
  /** Step results compared and skipped over the generated scenarios alone. */
  readonly generatedCompared?: number;
  readonly generatedSkipped?: number;
  /** Generated scenarios with a difference no documented divergence explains. */
  readonly differing?: number;
  /** Each distinct unexplained difference, in the order the campaign met them. */
  readonly distinct?: readonly DistinctDifference[];
  /** The documented divergences seen (counted by id), documented QEMU aborts among them. */
  readonly explained: Readonly<Record<string, number>>;
  /** Runs in which QEMU died of a documented abort, and the top-level steps from there on that were not compared (absent when none). */
  readonly qemuAborts?: { readonly runs: number; readonly stepsNotCompared: number };
  /** Set when a difference was found: the first distinct one, shrunk, its file and its differences. */
  readonly failure?: { readonly file: string; readonly scenario: ScenarioFile; readonly differences: readonly Difference[]; readonly counterexamplePath: string };
  /** Set when QEMU failed (the campaign stopped there, no verdict): what happened, and the scenario. */
  readonly qemuFailure?: QemuFailureReport;
}

export interface QemuFailureReport {
  readonly code: string;
  /** One line: which process, how it ended, at which step. */
  readonly message: string;
  /** The step QEMU failed at; absent for start-up. */
  readonly step?: string;
  readonly scenario: ScenarioFile;
  /** The scenario as a file, written when QEMU failed at a step (to rerun: colosim run --backend qemu FILE). */
  readonly file?: string;
}

/** A differing generated scenario, grouped by signature while the campaign runs. */
interface Seen {
  readonly signature: string;
  readonly firstScenario: number;
  scenarios: number;
  readonly file: ScenarioFile;
  readonly run: DifferentialRun;
}

/** The state one campaign shares between its generation and its shrinking. */
class Campaign {
  readonly totals = { compared: 0, skipped: 0, setCompared: 0, tooManyOrders: 0, runs: 0, generatedCompared: 0, generatedSkipped: 0 };
  readonly explained: Record<string, number> = {};
  readonly aborts = { runs: 0, stepsNotCompared: 0 };
  qemuFailed: { error: QemuAdapterError; file: ScenarioFile } | undefined;

  constructor(readonly options: DifferentialCheckOptions) {}

  /** One scenario on both backends, counted; undefined once QEMU has failed (then nothing more runs). */
  async run(file: ScenarioFile): Promise<DifferentialRun | undefined> {
    if (this.qemuFailed !== undefined) return undefined;
    const run = await this.runOne(parseScenario(file)).catch((error: unknown) => {
      if (!(error instanceof QemuAdapterError)) throw error;
      this.qemuFailed = { error, file };
      return undefined;
    });
    if (run === undefined) return undefined;
    this.totals.runs++;
    this.totals.compared += run.diff.compared;
    this.totals.skipped += run.diff.skipped;
    this.totals.setCompared += run.diff.setCompared;
    if (run.tooManyOrders === true) this.totals.tooManyOrders++;
    for (const id of run.explainedBy) this.explained[id] = (this.explained[id] ?? 0) + 1;
    if (run.qemuAbort !== undefined) {
      this.aborts.runs++;
      this.aborts.stepsNotCompared += run.qemuAbort.stepsNotCompared;
    }
    this.options.onRun?.(run);
    return run;
  }

  private runOne(scenario: Scenario): Promise<DifferentialRun> {
    if (this.options.runScenario !== undefined) return this.options.runScenario(scenario);
    if (this.options.session === undefined) throw new Error('checkDifferential: a session or runScenario is required');
    return runDifferential(scenario, this.options.session);
  }
}

/** The signature of a run's unexplained differences ('' when it has none). */
function signatureOf(file: ScenarioFile, run: DifferentialRun): string {
  return run.unexplained.length === 0 ? '' : differenceSignature(parseScenario(file), run.unexplained);
}

/**
 * The differential property: every generated scenario gives the same results on both backends, up
 * to documented divergences. All `runs` generated scenarios are compared (the first difference does
 * not end the campaign); the unexplained differences are grouped by signature, and the first
 * `keepGoing` distinct ones are each shrunk by fast-check (replaying that scenario's path, keeping
 * only candidates with the same signature) to a file that replays with `colosim diff FILE`.
 */
export async function checkDifferential(options: DifferentialCheckOptions): Promise<DifferentialCheckResult> {
  const seed = options.seed ?? Date.now() % 0x7fffffff;
  const reportDir = options.reportDir ?? DIFFERENTIAL_REPORT_DIR;
  const campaign = new Campaign(options);
  const arbitrary = differentialScenarioArbitrary(options.shape);
  const seen = new Map<string, Seen>();
  let index = 0;
  let differing = 0;
  const property = fc.asyncProperty(arbitrary, async (file) => {
    if (campaign.qemuFailed !== undefined) return true; // the campaign is over: the rest are not run
    const i = index++;
    const run = await campaign.run(file);
    if (run === undefined) return true;
    campaign.totals.generatedCompared += run.diff.compared;
    campaign.totals.generatedSkipped += run.diff.skipped;
    const signature = signatureOf(file, run);
    if (signature === '') return true;
    differing++;
    const known = seen.get(signature);
    if (known === undefined) seen.set(signature, { signature, firstScenario: i, scenarios: 1, file, run });
    else known.scenarios++;
    return true;
  });
  await fc.check(property, { numRuns: options.runs, seed });
  const scenarios = index;
  const distinct: DistinctDifference[] = [];
  for (const entry of seen.values()) {
    if (campaign.qemuFailed !== undefined) break;
    const shrinkIt = distinct.length < (options.keepGoing ?? 1);
    distinct.push(shrinkIt ? await shrinkDistinct(campaign, arbitrary, entry, seed, reportDir, distinct.length) : asFound(entry));
  }
  const { generatedCompared, generatedSkipped, ...totals } = campaign.totals;
  const aborts = campaign.aborts.runs === 0 ? {} : { qemuAborts: { ...campaign.aborts } };
  const done = { seed, scenarios, ...totals, generatedCompared, generatedSkipped, differing, distinct, explained: campaign.explained, ...aborts };
  if (campaign.qemuFailed !== undefined) return { ...done, qemuFailure: reportQemuFailure(campaign.qemuFailed.error, campaign.qemuFailed.file, seed, reportDir) };
  const first = distinct.find((d) => d.file !== undefined);
  if (first === undefined) return done;
  return { ...done, failure: { file: first.file!, scenario: first.scenario, differences: first.differences, counterexamplePath: first.counterexamplePath ?? '' } };
}

/** A distinct difference as the campaign met it, unshrunk. */
function asFound(entry: Seen): DistinctDifference {
  const { signature, firstScenario, scenarios, file, run } = entry;
  return { signature, firstScenario, scenarios, shrunk: false, scenario: file, differences: run.unexplained };
}

/**
 * Shrink one distinct difference: fast-check replays the generated scenario at its path and
 * shrinks it, a candidate failing only when it shows the same signature (so shrinking cannot slide
 * to another difference), within shrinkRunsMax runs. The minimal scenario is written to a file;
 * the `ordinal`th (from 0) gets the suffix -<ordinal + 1> after the first.
 */
async function shrinkDistinct(campaign: Campaign, arbitrary: fc.Arbitrary<ScenarioFile>, entry: Seen, seed: number, dir: string, ordinal: number): Promise<DistinctDifference> {
  let budget = campaign.options.shrinkRunsMax ?? 400;
  let last: { file: ScenarioFile; run: DifferentialRun } = { file: entry.file, run: entry.run };
  const property = fc.asyncProperty(arbitrary, async (file) => {
    if (budget <= 0) return true;
    budget--;
    const run = await campaign.run(file);
    if (run === undefined || signatureOf(file, run) !== entry.signature) return true;
    last = { file, run };
    return false;
  });
  const details = await fc.check(property, { numRuns: 1, seed, path: String(entry.firstScenario) });
  if (campaign.qemuFailed !== undefined) return asFound(entry);
  // It did not show again (QEMU's side varies): the scenario as generated, with what it showed then.
  const minimal = details.failed && details.counterexample !== null ? details.counterexample[0] : entry.file;
  const run = JSON.stringify(last.file) === JSON.stringify(minimal) ? last.run : entry.run;
  const path = details.counterexamplePath ?? String(entry.firstScenario);
  const written = writeMinimalScenario(minimal, seed, path, run.unexplained, dir, campaign.options.session?.qemuVersion, ordinal === 0 ? '' : `-${ordinal + 1}`);
  return { ...asFound(entry), shrunk: details.failed, scenario: minimal, differences: run.unexplained, file: written, counterexamplePath: path };
}

/** The QEMU failure as the campaign reports it; a failure at a step also writes its scenario to a file. */
function reportQemuFailure(error: QemuAdapterError, scenario: ScenarioFile, seed: number, dir: string): QemuFailureReport {
  const report = { code: error.code, message: error.message, scenario, ...(error.step === undefined ? {} : { step: error.step }) };
  if (error.step === undefined) return report;
  mkdirSync(dir, { recursive: true });
  const name = `qemu-failure-seed-${seed}`;
  const file = join(dir, `${name}.json`);
  const description = `QEMU failed on this scenario in colosim diff --generate (seed ${seed}): ${error.message}. Rerun: colosim run --backend qemu FILE`;
  writeFileSync(file, `${JSON.stringify({ ...scenario, name, description }, null, 1)}\n`);
  return { ...report, file };
}

/** Write the shrunk scenario with what it shows and how it was found (named differential-seed-<seed><suffix>); returns its path. */
export function writeMinimalScenario(scenario: ScenarioFile, seed: number, path: string, differences: readonly Difference[], dir: string, qemuVersion?: string, suffix = ''): string {
  mkdirSync(dir, { recursive: true });
  const name = `differential-seed-${seed}${suffix}`;
  const shown = differences.map((d) => `step ${d.step} ${d.field}: engine ${JSON.stringify(d.engine)}, qemu ${JSON.stringify(d.qemu)}`).join('; ');
  const on = qemuVersion === undefined ? '' : ` on QEMU ${qemuVersion}`;
  const description = `Found by colosim diff --generate (seed ${seed}, fast-check path "${path}")${on}; engine and QEMU differ: ${shown}. Replay: colosim diff FILE`;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...scenario, name, description }, null, 1)}\n`);
  return file;
}
