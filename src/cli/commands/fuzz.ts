/*
 * `colosim fuzz`: the main job. Prints the seed and the command that reruns the campaign, runs it on
 * the in-memory engine, shows progress (a bar on a terminal, a line every few seconds otherwise),
 * prints the summary and writes run.json (plus any counterexample) into the output folder, which is
 * checked writable before the first case. run.json is also rewritten atomically every few seconds
 * during the campaign, so even a SIGKILL leaves the last snapshot ("inProgress": true). Exit 0
 * clean, 1 violation, 2 bad arguments, 4 output not writable, 130 interrupted: SIGINT or SIGTERM
 * stops after the current cases in flight and still writes everything counted so far (the worker
 * pool is then terminated); a second one quits at once. Cases run on --workers threads (one per core
 * by default) with the same results for any count; --shard, --time, --keep-going, --corpus and
 * --case shape the campaign as Campaign.ts describes. `--backend qemu` runs the differential campaign instead: generated scenarios on the engine and on
 * real QEMU 7.2, any difference shrunk to a scenario file (see onQemu below).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runCampaign } from '../../fuzz/Campaign.js';
import type { CampaignSummary } from '../../fuzz/CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS, FAULT_MODES, type FaultMode, type FuzzOptions } from '../../fuzz/FuzzOptions.js';
import type { CorpusEntry } from '../../fuzz/replayCorpus.js';
import { type Shard, parseShard } from '../../fuzz/Shard.js';
import { PROFILES, type Profile } from '../../scenario/Scenario.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { parseInteger, isOneOf } from '../args.js';
import { canonicalSummary, printSummary, writeCampaignReport } from '../campaignReport.js';
import { parseDuration } from '../duration.js';
import { progressReporter } from '../fuzzProgress.js';
import { isSystemError, describeSystemError, prepareOutputDir, writeFileAtomic } from '../outputFiles.js';
import { readCorpus } from '../readCorpus.js';
import { DIFFERENTIAL_MAX_SEED, SERIAL_CONNECTIONS_OPTION, generated } from './diff.js';
import { runOneCase } from './fuzzCase.js';
import { writeReportOrFail } from './report.js';
import { coverageByChart } from '../../../models/render/coverageStyle.js';
import { fuzzReport } from '../ciReports.js';
import { REPORTER_OPTION, REPORTER_OUT_OPTION, type Reporter, type ReporterArgs, emitReport, reporterFrom, textOnStdout } from '../reporterOption.js';

export { type ProgressReporter, progressReporter } from '../fuzzProgress.js';
import { QEMU_DIR_ENV } from '../../qemu/QemuTools.js';

/** Cases a default campaign runs: about a minute on one core of this project's machines (~250 cases/s). */
export const DEFAULT_RUNS = 15_000;

/** The most cases one campaign runs (and the bound under --time without --runs). */
export const MAX_RUNS = 100_000_000;

/** How often run.json is rewritten during a campaign (real time, the CLI's only). */
const SNAPSHOT_EVERY_MS = 3000;

interface FuzzArgs extends ReporterArgs {
  readonly seed?: string;
  readonly runs?: string;
  readonly steps: string;
  readonly faults: string;
  readonly profile: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly backend: string;
  readonly workers?: string;
  readonly shard?: string;
  readonly time?: string;
  readonly keepGoing?: string;
  readonly corpus?: string;
  readonly case?: string;
  readonly onWorkerDeath: string;
  readonly qemu?: string;
  readonly serialConnections?: boolean;
}

export function registerFuzz(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('fuzz')
    .description('run a fuzz campaign on the in-memory engine and write a report')
    .option('--seed <n>', 'campaign seed (default: from the clock, printed)')
    .option('--runs <n>', `number of cases (default ${DEFAULT_RUNS}; with --time, an upper bound, none by default)`)
    .option('--steps <n>', 'steps per case, at most', String(DEFAULT_FUZZ_OPTIONS.steps))
    .option('--faults <mode>', `faults to inject: ${FAULT_MODES.join('|')}`, DEFAULT_FUZZ_OPTIONS.faults)
    .option('--profile <name>', `replication code under test: ${PROFILES.join('|')}`, DEFAULT_FUZZ_OPTIONS.profile)
    .option('--out <dir>', 'report folder (default: reports/fuzz/seed-<seed>)')
    .option('--json', 'print the summary as JSON')
    .option('--backend <name>', 'engine (checked against the models) or qemu (generated scenarios on the engine and on QEMU 7.2, compared)', 'engine')
    .option('--workers <n>', 'worker threads (default: one per core; 1 runs on the main thread)')
    .option('--shard <k/n>', 'run only the cases i with i mod n = k-1 (combine the shards with colosim merge)')
    .option('--time <budget>', 'stop starting cases after this long: 90s, 10m, 2h')
    .option('--keep-going <n>', 'collect up to n distinct violations (invariant and first failing step kind), each shrunk', '1')
    .option('--corpus <dir>', 'replay every counterexample under dir first, as a regression check')
    .option('--case <n>', 'rerun exactly case n of this campaign and write it as a scenario file')
    .option('--on-worker-death <what>', 'a worker thread dying under a case: stop or continue', 'stop')
    .option(...REPORTER_OPTION)
    .option(...REPORTER_OUT_OPTION)
    .option('--qemu <dir>', `with --backend qemu: the QEMU to run (prefix or bin dir; default $${QEMU_DIR_ENV} or PATH)`)
    .option(SERIAL_CONNECTIONS_OPTION[0], `with --backend qemu: ${SERIAL_CONNECTIONS_OPTION[1].slice('QEMU: '.length)}`)
    .action(async (args: FuzzArgs) => {
      const backend = choice('--backend', args.backend, ['engine', 'qemu'] as const);
      const reporter = reporterFrom('fuzz: ', args, args.json === true);
      if (backend === 'qemu') {
        setExitCode(await onQemu(args, reporter));
        return;
      }
      const qemuOnly = [args.qemu === undefined ? [] : ['--qemu'], args.serialConnections === true ? ['--serial-connections'] : []].flat();
      if (qemuOnly.length > 0) throw new CliError(`fuzz: ${qemuOnly.join(' and ')} need${qemuOnly.length === 1 ? 's' : ''} --backend qemu (the engine campaign runs no QEMU)`, ExitCode.Usage);
      const a = campaignArgs(args);
      if (args.case !== undefined) {
        setExitCode(await runOneCase({ campaignSeed: a.seed, index: oneCase(args), fuzz: fuzzOptions(a), outDir: a.outDir, json: a.json }));
        return;
      }
      const corpus = args.corpus === undefined ? undefined : readCorpus(args.corpus);
      prepareOutputDir('fuzz: ', '--out', a.outDir);
      process.stderr.write(`colosim fuzz: seed ${a.seed} (rerun: npx ${rerunCommand(a)}; one case: add --case N)\n`);
      const { summary: raw, signal } = await campaign(a, corpus);
      const summary = canonicalSummary(raw);
      // Counts grouped by chart (merge sums them); colosim chart --coverage FILE colours the charts.
      const written = writeCampaignReport('fuzz: ', a.outDir, summary, coverageByChart({ states: summary.states, transitions: summary.transitions }));
      const page = await writeReportOrFail('fuzz: ', a.outDir);
      const files = `${written}page: ${page.path}\n`;
      const stopped = signal === undefined ? '' : `interrupted by ${signal} after ${summary.cases} of ${a.runs} cases (exit 130)\n`;
      const code = printSummary('fuzz', summary, { json: a.json, text: textOnStdout(reporter) }, `${files}${stopped}`);
      emitReport('fuzz: ', reporter, () => fuzzReport(summary, rerunCommand(a)));
      setExitCode(code);
    });
}

/**
 * `--backend qemu`: the differential campaign (src/check/differential.ts). Only scenarios both
 * backends can run are generated; --faults other than none adds the faults QEMU's blkdebug can express.
 * A difference is shrunk to a scenario file under reports/differential/ (replay: colosim diff FILE);
 * run.json and report.html go to --out (default reports/differential/seed-<seed>), as for diff --generate.
 * A QEMU that fails (start-up twice, a hang, a crash the engine does not predict) is exit 3, never a difference.
 */
async function onQemu(args: FuzzArgs, reporter: Reporter | undefined): Promise<number> {
  const runs = integer('--runs', args.runs ?? String(DEFAULT_RUNS), 1, 1_000_000);
  const scale = campaignOnly(args).filter((flag) => flag !== '--keep-going'); // --keep-going: distinct differences shrunk
  if (scale.length > 0) throw new CliError(`fuzz: --backend qemu takes none of ${scale.join(', ')} (they shape engine campaigns only)`, ExitCode.Usage);
  const faults = choice('--faults', args.faults, FAULT_MODES);
  if (args.profile !== DEFAULT_FUZZ_OPTIONS.profile) throw new CliError(`fuzz: --backend qemu runs QEMU's own code; --profile ${args.profile} applies to the engine only`, ExitCode.Usage);
  const keepGoing = integer('--keep-going', args.keepGoing ?? '1', 1, 10_000);
  return generated(runs, {
    echo: (seed) => `colosim fuzz --backend qemu --runs ${runs} --seed ${seed} --faults ${faults}${keepGoing === 1 ? '' : ` --keep-going ${keepGoing}`}${args.qemu === undefined ? '' : ` --qemu ${args.qemu}`}${args.serialConnections === true ? ' --serial-connections' : ''}`,
    keepGoing,
    ...(args.seed === undefined ? {} : { seed: integer('--seed', args.seed, 0, DIFFERENTIAL_MAX_SEED) }),
    faults: faults !== 'none',
    ...(args.json === true ? { json: true } : {}),
    ...(reporter === undefined ? {} : { ci: reporter }),
    ...(args.qemu === undefined ? {} : { qemu: [args.qemu] }),
    ...(args.out === undefined ? {} : { out: args.out }),
    ...(args.serialConnections === true ? { serialConnections: true } : {}),
  });
}

interface CampaignArgs {
  readonly seed: number;
  readonly runs: number;
  /** Whether --runs was given (under --time it is then an upper bound). */
  readonly runsGiven: boolean;
  readonly steps: number;
  readonly faults: FaultMode;
  readonly profile: Profile;
  readonly outDir: string;
  readonly json: boolean;
  readonly workers: number;
  readonly shard?: Shard;
  readonly time?: { readonly text: string; readonly ms: number };
  readonly keepGoing: number;
  readonly onWorkerDeath: 'stop' | 'continue';
}

/** Every option checked; a bad one is a one-line usage error. */
function campaignArgs(args: FuzzArgs): CampaignArgs {
  const seed = args.seed === undefined ? Date.now() % 0x7fffffff : integer('--seed', args.seed, 0, 0xffffffff);
  const time = args.time === undefined ? undefined : { text: args.time, ms: duration(args.time) };
  const runs = args.runs === undefined ? (time ? MAX_RUNS : DEFAULT_RUNS) : integer('--runs', args.runs, 1, MAX_RUNS);
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  if (args.shard !== undefined && shard === undefined) throw new CliError(`fuzz: --shard must be k/n with 1 <= k <= n, got "${args.shard}" ${USAGE}`);
  return {
    seed,
    runs,
    runsGiven: args.runs !== undefined,
    steps: integer('--steps', args.steps, 1, 10_000),
    faults: choice('--faults', args.faults, FAULT_MODES),
    profile: choice('--profile', args.profile, PROFILES),
    outDir: args.out ?? join('reports', 'fuzz', `seed-${seed}`),
    json: args.json === true,
    workers: args.workers === undefined ? availableParallelism() : integer('--workers', args.workers, 1, 256),
    ...(shard === undefined ? {} : { shard }),
    ...(time === undefined ? {} : { time }),
    keepGoing: integer('--keep-going', args.keepGoing ?? '1', 1, 10_000),
    onWorkerDeath: choice('--on-worker-death', args.onWorkerDeath, ['stop', 'continue'] as const),
  };
}

/** The options that shape a whole engine campaign, as given. */
function campaignOnly(args: FuzzArgs): string[] {
  const given = [args.workers && '--workers', args.shard && '--shard', args.time && '--time', args.keepGoing !== '1' && '--keep-going', args.corpus && '--corpus'];
  return given.filter((flag): flag is string => typeof flag === 'string');
}

/** --case N: one case, so none of the options that shape a whole campaign (--workers does no harm). */
function oneCase(args: FuzzArgs): number {
  const index = integer('--case', args.case!, 0, MAX_RUNS - 1);
  if (args.seed === undefined) throw new CliError(`fuzz: --case ${index} is a case of a campaign: give its --seed ${USAGE}`);
  const shaping = campaignOnly(args).filter((flag) => flag !== '--workers');
  if (shaping.length > 0) throw new CliError(`fuzz: --case reruns one case; it takes no ${shaping.join(', ')} ${USAGE}`);
  return index;
}

function fuzzOptions(a: CampaignArgs): FuzzOptions {
  return { ...DEFAULT_FUZZ_OPTIONS, steps: a.steps, faults: a.faults, profile: a.profile };
}

/** The shortest command that reruns this campaign: flags at their defaults (and --workers, which changes nothing) are left out. */
function rerunCommand(a: CampaignArgs): string {
  const d = DEFAULT_FUZZ_OPTIONS;
  const extra = [
    a.time !== undefined && !a.runsGiven ? '' : ` --runs ${a.runs}`,
    a.steps === d.steps ? '' : ` --steps ${a.steps}`,
    a.faults === d.faults ? '' : ` --faults ${a.faults}`,
    a.profile === d.profile ? '' : ` --profile ${a.profile}`,
    a.time === undefined ? '' : ` --time ${a.time.text}`,
    a.shard === undefined ? '' : ` --shard ${a.shard.index}/${a.shard.count}`,
    a.keepGoing === 1 ? '' : ` --keep-going ${a.keepGoing}`,
  ];
  return `colosim fuzz --seed ${a.seed}${extra.join('')}`;
}

/** The campaign under SIGINT/SIGTERM handling and periodic snapshots; `signal` names what stopped it. */
async function campaign(a: CampaignArgs, corpus: readonly CorpusEntry[] | undefined): Promise<{ summary: CampaignSummary; signal?: NodeJS.Signals }> {
  const controller = new AbortController();
  const progress = progressReporter(a.time === undefined ? { runs: a.runs } : { runs: a.runs, budgetMs: a.time.ms }, a.json);
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
    stoppedBy = signal;
    progress.interrupt(`colosim: ${signal}: stopping after the current case (send it again to quit now)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const snapshot = snapshotWriter(join(a.outDir, 'run.json'));
  try {
    const summary = await runCampaign({
      seed: a.seed,
      runs: a.runs,
      fuzz: fuzzOptions(a),
      outDir: a.outDir,
      command: `colosim fuzz --seed ${a.seed} --steps ${a.steps} --faults ${a.faults} --profile ${a.profile}`,
      signal: controller.signal,
      onCase: (s, p) => {
        progress.update(s, p);
        snapshot(s);
      },
      now: () => performance.now(),
      workers: a.workers,
      keepGoing: a.keepGoing,
      onWorkerDeath: a.onWorkerDeath,
      ...(a.shard === undefined ? {} : { shard: a.shard }),
      ...(a.time === undefined ? {} : { timeBudgetMs: a.time.ms }),
      ...(corpus === undefined ? {} : { corpus }),
    });
    return stoppedBy === undefined ? { summary } : { summary, signal: stoppedBy };
  } catch (error) {
    // A counterexample the campaign could not write (disk full, folder removed) is an output failure.
    if (isSystemError(error)) throw new CliError(`fuzz: cannot write ${error.path ?? a.outDir}: ${describeSystemError(error)}`, ExitCode.Output);
    throw error;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Rewrites run.json (atomically) at most every SNAPSHOT_EVERY_MS, marked as still in progress. */
function snapshotWriter(path: string): (s: CampaignSummary) => void {
  let last = performance.now();
  return (s) => {
    const now = performance.now();
    if (now - last < SNAPSHOT_EVERY_MS) return;
    last = now;
    writeFileAtomic('fuzz: ', path, `${JSON.stringify({ ...s, inProgress: true }, null, 1)}\n`);
  };
}

const USAGE =
  `(usage: colosim fuzz [--seed N] [--runs N] [--steps N] [--faults none|tolerated|all] [--profile ${PROFILES.join('|')}] [--out DIR] [--json] [--backend engine|qemu] [--workers N] [--shard K/N] [--time 90s|10m|2h] [--keep-going N] [--corpus DIR] [--case N] [--on-worker-death stop|continue] [--reporter junit|github [--reporter-out FILE]])`;

function integer(flag: string, text: string, min: number, max: number): number {
  const n = parseInteger(text, min, max);
  if (n === undefined) throw new CliError(`fuzz: ${flag} must be an integer from ${min} to ${max}, got "${text}" ${USAGE}`);
  return n;
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new CliError(`fuzz: --time must be a whole number of s, m or h (90s, 10m, 2h), got "${text}" ${USAGE}`);
  return ms;
}

function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!isOneOf(text, allowed)) throw new CliError(`fuzz: ${flag} must be one of ${allowed.join(', ')}, got "${text}" ${USAGE}`);
  return text;
}
