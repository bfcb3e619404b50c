/*
 * `colosim fuzz`: the main job. Prints the seed and the command that reruns the campaign, runs it on
 * the in-memory engine, shows progress (a bar on a terminal, a line every few seconds otherwise),
 * prints the summary and writes run.json (plus any counterexample) into the output folder, which is
 * checked writable before the first case. run.json is also rewritten atomically every few seconds
 * during the campaign, so even a SIGKILL leaves the last snapshot ("inProgress": true). Exit 0
 * clean, 1 violation, 2 bad arguments, 4 output not writable, 130 interrupted: SIGINT or SIGTERM
 * stops after the current case and still writes everything counted so far; a second one quits at once.
 * `--backend qemu` runs the differential campaign instead: generated scenarios on the engine and on
 * real QEMU 7.2, any difference shrunk to a scenario file (see onQemu below).
 */
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { runCampaign } from '../../fuzz/Campaign.js';
import type { CampaignSummary } from '../../fuzz/CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS, FAULT_MODES, type FaultMode } from '../../fuzz/FuzzOptions.js';
import { formatSummary } from '../../report/formatSummary.js';
import { PROFILES, type Profile } from '../../scenario/Scenario.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { parseInteger, isOneOf } from '../args.js';
import { isSystemError, describeSystemError, prepareOutputDir, writeFileAtomic } from '../outputFiles.js';
import { DIFFERENTIAL_MAX_SEED, generated } from './diff.js';

/** Cases a default campaign runs: about a minute on one core of this project's machines (~250 cases/s). */
export const DEFAULT_RUNS = 15_000;

/** How often run.json is rewritten during a campaign (real time, the CLI's only). */
const SNAPSHOT_EVERY_MS = 3000;

interface FuzzArgs {
  readonly seed?: string;
  readonly runs: string;
  readonly steps: string;
  readonly faults: string;
  readonly profile: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly backend: string;
}

export function registerFuzz(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('fuzz')
    .description('run a fuzz campaign on the in-memory engine and write a report')
    .option('--seed <n>', 'campaign seed (default: from the clock, printed)')
    .option('--runs <n>', 'number of cases', String(DEFAULT_RUNS))
    .option('--steps <n>', 'steps per case, at most', String(DEFAULT_FUZZ_OPTIONS.steps))
    .option('--faults <mode>', `faults to inject: ${FAULT_MODES.join('|')}`, DEFAULT_FUZZ_OPTIONS.faults)
    .option('--profile <name>', `replication code under test: ${PROFILES.join('|')}`, DEFAULT_FUZZ_OPTIONS.profile)
    .option('--out <dir>', 'report folder (default: reports/fuzz/seed-<seed>)')
    .option('--json', 'print the summary as JSON')
    .option('--backend <name>', 'engine (checked against the models) or qemu (generated scenarios on the engine and on QEMU 7.2, compared)', 'engine')
    .action(async (args: FuzzArgs) => {
      const backend = choice('--backend', args.backend, ['engine', 'qemu'] as const);
      if (backend === 'qemu') {
        setExitCode(await onQemu(args));
        return;
      }
      const seed = args.seed === undefined ? Date.now() % 0x7fffffff : integer('--seed', args.seed, 0, 0xffffffff);
      const runs = integer('--runs', args.runs, 1, 100_000_000);
      const steps = integer('--steps', args.steps, 1, 10_000);
      const faults = choice('--faults', args.faults, FAULT_MODES);
      const profile = choice('--profile', args.profile, PROFILES);
      const outDir = args.out ?? join('reports', 'fuzz', `seed-${seed}`);
      prepareOutputDir('fuzz: ', '--out', outDir);
      process.stderr.write(`colosim fuzz: seed ${seed} (rerun: npx ${rerunCommand(seed, runs, steps, faults, profile)})\n`);
      const { summary, signal } = await campaign({ seed, runs, steps, faults, profile, outDir, json: args.json === true });
      writeFileAtomic('fuzz: ', join(outDir, 'run.json'), `${JSON.stringify(summary, null, 1)}\n`);
      // The chart command colours the replication chart from this file: colosim chart --coverage FILE.
      writeFileAtomic('fuzz: ', join(outDir, 'coverage.json'), `${JSON.stringify({ states: summary.states, transitions: summary.transitions }, null, 1)}\n`);
      const files = `report: ${join(outDir, 'run.json')}\nchart coverage: colosim chart --coverage ${join(outDir, 'coverage.json')} --out ${join(outDir, 'coverage.svg')}\n`;
      const stopped = signal === undefined ? '' : `interrupted by ${signal} after ${summary.cases} of ${runs} cases (exit 130)\n`;
      process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${formatSummary(summary)}\n${files}${stopped}`);
      setExitCode(summary.counterexample ? ExitCode.Violation : summary.interrupted ? ExitCode.Interrupted : ExitCode.Ok);
    });
}

/**
 * `--backend qemu`: the differential campaign (src/check/differential.ts). Only scenarios both
 * backends can run are generated; --faults other than none adds the faults QEMU's blkdebug can express.
 * A difference is shrunk to a scenario file under reports/differential/ (replay: colosim diff FILE).
 * A QEMU that fails (start-up twice, a hang, a crash the engine does not predict) is exit 3, never a difference.
 */
async function onQemu(args: FuzzArgs): Promise<number> {
  const runs = integer('--runs', args.runs, 1, 1_000_000);
  const faults = choice('--faults', args.faults, FAULT_MODES);
  if (args.profile !== DEFAULT_FUZZ_OPTIONS.profile) throw new CliError(`fuzz: --backend qemu runs QEMU's own code; --profile ${args.profile} applies to the engine only`, ExitCode.Usage);
  if (args.out !== undefined) throw new CliError('fuzz: --backend qemu writes its counterexample under reports/differential/; --out applies to the engine only', ExitCode.Usage);
  return generated(runs, {
    echo: (seed) => `colosim fuzz --backend qemu --runs ${runs} --seed ${seed} --faults ${faults}`,
    ...(args.seed === undefined ? {} : { seed: integer('--seed', args.seed, 0, DIFFERENTIAL_MAX_SEED) }),
    faults: faults !== 'none',
    ...(args.json === true ? { json: true } : {}),
  });
}

interface CampaignArgs {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly faults: FaultMode;
  readonly profile: Profile;
  readonly outDir: string;
  readonly json: boolean;
}

/** The shortest command that reruns this campaign: flags at their defaults are left out. */
function rerunCommand(seed: number, runs: number, steps: number, faults: FaultMode, profile: Profile): string {
  const d = DEFAULT_FUZZ_OPTIONS;
  const extra = [steps === d.steps ? '' : ` --steps ${steps}`, faults === d.faults ? '' : ` --faults ${faults}`, profile === d.profile ? '' : ` --profile ${profile}`];
  return `colosim fuzz --seed ${seed} --runs ${runs}${extra.join('')}`;
}

/** The campaign under SIGINT/SIGTERM handling and periodic snapshots; `signal` names what stopped it. */
async function campaign(a: CampaignArgs): Promise<{ summary: CampaignSummary; signal?: NodeJS.Signals }> {
  const controller = new AbortController();
  const progress = progressReporter(a.runs, a.json);
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
      fuzz: { ...DEFAULT_FUZZ_OPTIONS, steps: a.steps, faults: a.faults, profile: a.profile },
      outDir: a.outDir,
      command: `colosim fuzz --seed ${a.seed} --runs ${a.runs} --steps ${a.steps} --faults ${a.faults} --profile ${a.profile}`,
      signal: controller.signal,
      onCase: (s) => {
        progress.update(s);
        snapshot(s);
      },
      now: () => performance.now(),
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

export interface ProgressReporter {
  readonly update: (s: CampaignSummary) => void;
  /** Show a line that stays: on a terminal the bar is stopped first, so it never draws over the line. */
  readonly interrupt: (line: string) => void;
  readonly stop: () => void;
}

/** A bar on a terminal; without one, a line every five seconds (CI logs). */
export function progressReporter(total: number, quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY && !quiet) {
    const bar = new cliProgress.SingleBar(
      { format: 'fuzz [{bar}] {value}/{total} cases | {steps} steps | {rate} cases/s', stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { steps: 0, rate: '-' });
    let running = true;
    const stop = (): void => {
      if (running) bar.stop();
      running = false;
    };
    return {
      update: (s) => {
        if (running) bar.update(s.cases, { steps: s.steps, rate: s.wallMs > 0 ? ((1000 * s.cases) / s.wallMs).toFixed(0) : '-' });
      },
      interrupt: (line) => {
        stop();
        stream.write(`${line}\n`);
      },
      stop,
    };
  }
  let last = performance.now();
  return {
    update: (s) => {
      const now = performance.now();
      if (now - last < 5000) return;
      last = now;
      stream.write(`fuzz: ${s.cases}/${total} cases, ${s.steps} steps, ${((1000 * s.cases) / Math.max(1, s.wallMs)).toFixed(0)} cases/s\n`);
    },
    interrupt: (line) => stream.write(`${line}\n`),
    stop: () => undefined,
  };
}

const USAGE = `(usage: colosim fuzz [--seed N] [--runs N] [--steps N] [--faults none|tolerated|all] [--profile ${PROFILES.join('|')}] [--out DIR] [--json] [--backend engine|qemu])`;

function integer(flag: string, text: string, min: number, max: number): number {
  const n = parseInteger(text, min, max);
  if (n === undefined) throw new CliError(`fuzz: ${flag} must be an integer from ${min} to ${max}, got "${text}" ${USAGE}`);
  return n;
}

function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!isOneOf(text, allowed)) throw new CliError(`fuzz: ${flag} must be one of ${allowed.join(', ')}, got "${text}" ${USAGE}`);
  return text;
}
