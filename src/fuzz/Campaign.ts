/*
 * The fuzz campaign: replay the corpus, then generate case after case from the seed, run each on
 * the engine under the checker (on the main thread, or on worker threads), count every check in
 * case-index order, and stop at the first violation (or the first N distinct ones), which is shrunk
 * on the main thread once the workers have stopped and written as a replayable scenario file.
 * Outcomes are merged strictly in index order, so the violation reported is the lowest-index one
 * and every count and hash is the same for any number of workers: after a violation at index i,
 * every lower index is finished and every higher one dropped. An abort signal (Ctrl-C) or a spent
 * time budget ends the campaign after the cases in flight, with everything counted so far. An
 * exception escaping a case is an engine-error finding naming the case and its seed; so is a worker
 * that dies under a case (out of memory, a crash), which stops the campaign or, with
 * onWorkerDeath 'continue', is listed and skipped. Real time is read here (through `now`) only to
 * report speed and to end a time budget, never in the engine.
 */
import type { Violation } from '../check/Invariant.js';
import type { CampaignSummary } from './CampaignSummary.js';
import { emptySummary } from './CampaignSummary.js';
import type { CaseRunner } from './CaseRunner.js';
import { caseArbitrary, caseSeed } from './caseScenario.js';
import { buildCounterexample, writeCounterexample } from './counterexample.js';
import type { CaseOutcome, CaseRef } from './evaluateCase.js';
import type { FuzzOptions } from './FuzzOptions.js';
import { inProcessRunner } from './InProcessRunner.js';
import { poolRunner } from './PoolRunner.js';
import { recordOutcome } from './recordOutcome.js';
import { type CorpusEntry, replayCorpus } from './replayCorpus.js';
import { type Shard, shardIndices } from './Shard.js';
import { recordGrowth } from './Growth.js';
import { shrinkCase } from './shrinkCase.js';
import { summaryHash } from './SummaryHash.js';

export interface CampaignOptions {
  readonly seed: number;
  /** Case indices below this run (an upper bound under a time budget). */
  readonly runs: number;
  readonly fuzz: FuzzOptions;
  /** Where a counterexample is written. */
  readonly outDir: string;
  /** The command line, recorded in counterexamples (with --case <index> appended). */
  readonly command: string;
  /** Every this many cases, run one twice and compare (1: every case). */
  readonly determinismEvery?: number;
  readonly signal?: AbortSignal;
  /** Called after every case is counted, in index order (the CLI throttles what it prints). */
  readonly onCase?: (summary: CampaignSummary, progress: CampaignProgress) => void;
  /** Wall-clock source for the speed figures and the time budget (the CLI passes performance.now). */
  readonly now?: () => number;
  /** Worker threads; 1 (the default) runs every case on this thread. */
  readonly workers?: number;
  /** The worker entry module (workerFile.ts by default; tests pass one that crashes). */
  readonly workerFile?: string;
  readonly shard?: Shard;
  /** Stop starting cases once this much wall time has passed. */
  readonly timeBudgetMs?: number;
  /** Distinct violations (invariant and kind of first failing step) to collect before stopping; 1 by default. */
  readonly keepGoing?: number;
  /** What a worker dying under a case does: stop the campaign (the default) or go on. */
  readonly onWorkerDeath?: 'stop' | 'continue';
  /** Counterexamples replayed before the new cases. */
  readonly corpus?: readonly CorpusEntry[];
}

/** What the progress display shows besides the summary: time and each thread's share. */
export interface CampaignProgress {
  readonly elapsedMs: number;
  readonly violations: number;
  /** Cases counted per thread id (0: the main thread). */
  readonly perWorker: ReadonlyMap<number, number>;
}

/** A case whose violation is to be shrunk and written. */
interface FailingCase {
  readonly index: number;
  readonly seed: number;
  readonly first: Violation;
  readonly distinctBy: string;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const now = options.now ?? (() => 0);
  const started = now();
  const summary = startSummary(options);
  if (options.corpus) summary.corpus = await replayCorpus(options.corpus);
  const corpusFails = summary.corpus?.some((c) => c.status === 'still failing') === true;
  let failing: FailingCase[] = [];
  if (!corpusFails || summary.keepGoing > 1) {
    const workers = options.workers ?? 1;
    const runner = workers > 1 ? poolRunner(workers, options.workerFile) : inProcessRunner();
    try {
      failing = await runCases(summary, options, runner, () => now() - started);
    } finally {
      await runner.close();
    }
  }
  for (const f of failing) await reportCounterexample(summary, options, f);
  summary.wallMs = now() - started;
  recordGrowth(summary, true);
  summary.summaryHash = summaryHash(options.seed, options.fuzz, summary.cases, summary.caseHashFold);
  return summary;
}

function startSummary(options: CampaignOptions): CampaignSummary {
  const summary = emptySummary(options.seed, options.fuzz, options.runs);
  summary.keepGoing = options.keepGoing ?? 1;
  if (options.shard) summary.shard = options.shard;
  if (options.timeBudgetMs !== undefined) summary.timeBudgetMs = options.timeBudgetMs;
  return summary;
}

/**
 * How many batches past the oldest uncounted case may be started or finished, per slot: a long case
 * at the head of the order must not leave the other threads idle, so finished cases wait in a
 * reorder window (of small outcomes) while the threads go on with later indices.
 */
const WINDOW_BATCHES_PER_SLOT = 16;

/** A started case: its outcome once its batch has come back. */
interface Started {
  outcome?: CaseOutcome;
  /** What the runner threw instead (it catches engine errors itself; this is the campaign's own bug), thrown when counted. */
  failed?: { error: unknown };
}

/**
 * The case loop: keeps `runner.slots` batches of cases running, starts the next batch as soon as
 * any one finishes, and counts the cases strictly in index order (so every count and the first
 * violation are the same for any number of threads and any batch size).
 */
async function runCases(summary: CampaignSummary, options: CampaignOptions, runner: CaseRunner, elapsedMs: () => number): Promise<FailingCase[]> {
  const every = options.determinismEvery ?? 10;
  const indices = shardIndices(options.runs, options.shard);
  const window = runner.slots * runner.batchSize * WINDOW_BATCHES_PER_SLOT;
  const order: Started[] = [];
  const stop = new CaseStop(summary, options);
  const perWorker = new Map<number, number>();
  let running = 0;
  let wake: (() => void) | undefined;
  let next = indices.next();
  let starting = true;
  const settle = (batch: readonly Started[], result: (i: number) => Started): void => {
    for (const [i, started] of batch.entries()) Object.assign(started, result(i));
    running--;
    wake?.();
  };
  const start = (cases: readonly CaseRef[]): void => {
    const batch = cases.map((): Started => ({}));
    order.push(...batch);
    running++;
    void runner.run({ fuzz: options.fuzz, campaignSeed: options.seed, determinismEvery: every, cases }).then(
      (outcomes) => {
        const mismatch = cases.findIndex((ref, i) => outcomes[i]?.index !== ref.index);
        const error = mismatch === -1 ? undefined : new Error(`the runner answered case ${cases[mismatch]!.index} with ${outcomes[mismatch]?.index ?? 'nothing'}`);
        settle(batch, (i) => (error === undefined ? { outcome: outcomes[i]! } : { failed: { error } }));
      },
      (error: unknown) => settle(batch, () => ({ failed: { error } })),
    );
  };
  for (;;) {
    while (starting && running < runner.slots && order.length + runner.batchSize <= window && !next.done) {
      starting = mayStart(summary, options, elapsedMs());
      if (!starting) break;
      const cases: CaseRef[] = [];
      for (; cases.length < runner.batchSize && !next.done; next = indices.next()) cases.push({ index: next.value, seed: caseSeed(options.seed, next.value) });
      start(cases);
    }
    const head = order[0];
    if (head === undefined) break;
    if (head.failed !== undefined) throw head.failed.error;
    if (head.outcome === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    order.shift();
    const outcome = head.outcome;
    recordOutcome(summary, outcome);
    perWorker.set(outcome.worker, (perWorker.get(outcome.worker) ?? 0) + 1);
    summary.wallMs = elapsedMs();
    recordGrowth(summary);
    options.onCase?.(summary, { elapsedMs: summary.wallMs, violations: stop.violations, perWorker });
    // The cases still in flight have higher indices: once the campaign is done they are dropped.
    if (stop.done(outcome)) break;
  }
  return stop.failing;
}

/** Whether another case may start: not once interrupted or past the time budget (which is recorded). */
function mayStart(summary: CampaignSummary, options: CampaignOptions, elapsedMs: number): boolean {
  if (options.signal?.aborted) {
    summary.interrupted = true;
    return false;
  }
  if (options.timeBudgetMs !== undefined && elapsedMs >= options.timeBudgetMs) {
    summary.timeUp = true;
    return false;
  }
  return true;
}

/**
 * When the campaign is done, fed outcomes in index order: at the keepGoing-th distinct violation
 * (invariant and kind of the first failing step), or at a dead worker unless told to go on.
 */
class CaseStop {
  readonly failing: FailingCase[] = [];
  violations = 0;
  private readonly keys = new Set<string>();

  constructor(
    private readonly summary: CampaignSummary,
    private readonly options: CampaignOptions,
  ) {}

  done(outcome: CaseOutcome): boolean {
    const first = outcome.violations[0];
    if (first === undefined) return false;
    this.violations++;
    if (outcome.worker === -1) {
      this.summary.workerDeaths.push({ case: outcome.index, caseSeed: outcome.seed, error: first.message });
      return this.options.onWorkerDeath !== 'continue';
    }
    const key = `${first.invariant}:${outcome.firstFailingStep}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.failing.push({ index: outcome.index, seed: outcome.seed, first, distinctBy: key });
    return this.keys.size >= this.summary.keepGoing;
  }
}

async function reportCounterexample(summary: CampaignSummary, options: CampaignOptions, { index, seed, first, distinctBy }: FailingCase): Promise<void> {
  const shrunk = await shrinkCase(caseArbitrary(options.fuzz, options.seed, index), seed, first.invariant);
  const found = await buildCounterexample({
    scenario: shrunk.scenario,
    campaignSeed: options.seed,
    index,
    caseSeed: seed,
    invariant: first.invariant,
    command: `${options.command} --case ${index}`,
  });
  const path = writeCounterexample(options.outDir, found.scenario);
  const record = {
    path,
    case: index,
    caseSeed: seed,
    distinctBy,
    invariant: found.violation.invariant,
    step: found.violation.step,
    message: found.violation.message,
    shrinkRuns: shrunk.runs,
    steps: found.scenario.steps.length,
  };
  summary.counterexamples.push(record);
  summary.counterexample ??= record;
}
