/*
 * `colosim diff FILE|DIR [--json]`: runs each scenario on the engine and on real QEMU and prints
 * where their result documents differ (a table a scenario, then a summary line). The engine run is
 * also held to the models (the checker of `colosim run --check`): the third opinion, which says
 * whether the engine's side of a difference is what the statecharts and the data model allow. A directory means
 * every *.json under it, recursively, in path order. `colosim diff --generate N [--seed S]` runs N
 * generated scenarios instead (--faults: some with a fault QEMU can express), all of them even after a
 * difference, and shrinks the first --keep-going distinct differences, each to a file under reports/differential/; the campaign's run.json and report.html go to --out
 * (default reports/differential/seed-<seed>; with --out the shrunk scenario goes there too).
 * Exit 0 when nothing differs, 1 on any difference, 2 for a bad file or argument, 3 when QEMU is
 * missing or fails (does not start even on a second try, hangs, or crashes where the engine predicts
 * no crash): one line naming the process, how it ended and the step; no verdict, so no difference.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Command } from 'commander';
import type { Difference } from '../../check/diffResults.js';
import { DIFFERENTIAL_REPORT_DIR, checkDifferential, compareDocuments, type DifferentialCheckResult } from '../../check/differential.js';
import { checkScenario } from '../../check/checkScenario.js';
import type { Violation } from '../../check/Invariant.js';
import { QemuAdapterError } from '../../qemu/QemuAdapterError.js';
import { DEFAULT_QEMU_TIMEOUT_MS, QemuSession, runScenarioOnQemu } from '../../qemu/QemuBackend.js';
import { QEMU_DIR_ENV, resolveQemuTools } from '../../qemu/QemuTools.js';
import { DIVERGENCES, matchesDivergence } from '../../qemu/divergences.js';
import { DIFFERENTIAL_KIND } from '../../report/differentialReport.js';
import { describeStep } from '../../report/formatResult.js';
import type { Scenario } from '../../scenario/Scenario.js';
import { showValue as show, stepAt } from '../../scenario/stepAt.js';
import type { ResultDocument, SkippedItem } from '../../scenario/StepResult.js';
import { parseInteger } from '../args.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { readScenarioFile } from '../readScenarioFile.js';
import { diffFilesReport, diffGeneratedReport } from '../ciReports.js';
import { paintFor, paintVerdicts } from '../colour.js';
import { type CommandName, jsonDocument } from '../jsonOutput.js';
import { prepareOutputDir, writeFileAtomic } from '../outputFiles.js';
import { writeReportOrFail } from './report.js';
import { REPORTER_OPTION, REPORTER_OUT_OPTION, type Reporter, type ReporterArgs, emitReport, reporterFrom, textOnStdout } from '../reporterOption.js';

/** Seeds of generated differential scenarios are at most this (fast-check seeds are 31-bit here). */
export const DIFFERENTIAL_MAX_SEED = 0x7fffffff;

export interface DiffArgs extends ReporterArgs {
  readonly json?: boolean;
  readonly generate?: string;
  readonly seed?: string | number;
  readonly faults?: boolean;
  /** --generate: also draw concurrent groups (DifferentialShape.concurrent). */
  readonly concurrent?: boolean;
  /** --generate: how many distinct differences to shrink (every scenario is compared either way). */
  readonly keepGoing?: string | number;
  /** --qemu DIR, once or more (files mode compares every one; --generate takes one). */
  readonly qemu?: readonly string[];
  /** The command line echoed before the run, given the seed (fuzz --backend qemu echoes itself). */
  readonly echo?: (seed: number) => string;
  /** The reporter the flags asked for (parsed before any work). */
  readonly ci?: Reporter;
  /** Whose JSON document this is: diff, or fuzz for `fuzz --backend qemu`. */
  readonly command?: CommandName;
  /** --generate: the folder for run.json, report.html and the shrunk scenario (default reports/differential/seed-<seed>, the scenario in reports/differential). */
  readonly out?: string;
  /** --serial-connections: concurrent sub-steps share one NBD connection (default: one each, truly in parallel). */
  readonly serialConnections?: boolean;
}

/** One scenario's comparison, as --json prints it. */
export interface ScenarioDiff {
  readonly file: string;
  readonly scenario: string;
  /** The QEMU it ran on (query-version); absent when the scenario was not run on QEMU. */
  readonly qemuVersion?: string;
  readonly compared: number;
  readonly skipped: number;
  /** Of `compared`, the step results compared against the answers every order of the concurrent sub-steps gives (admissibleAnswers.ts). */
  readonly setCompared: number;
  /** Set when the concurrent sub-steps had too many orders to run: the scenario was compared exactly. */
  readonly tooManyOrders?: true;
  readonly differences: readonly Difference[];
  /** Scenario-level parts QEMU did not reproduce. */
  readonly qemuSkipped?: readonly SkippedItem[];
  /** The documented divergence (src/qemu/divergences.ts) that explains the differences, if one does. */
  readonly divergence?: string;
  /** The models' verdict on the engine run: the invariants it violates (none: the engine conforms). */
  readonly model: { readonly violations: readonly Violation[] };
  /** QEMU died of a documented abort (src/qemu/qemuAborts.ts) at `step`: the top-level steps from there on (`stepsNotCompared`) were not compared. */
  readonly qemuAbort?: { readonly id: string; readonly step: string; readonly stepsNotCompared: number };
}

export function registerDiff(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('diff')
    .description('run scenarios on the engine and on QEMU and show where the results differ')
    .argument('[target]', 'scenario file, or a directory of them (searched recursively)')
    .option('--json', 'print the comparison as JSON')
    .option('--generate <n>', 'run n generated scenarios instead of files')
    .option('--seed <s>', 'seed of the generated scenarios (default: from the clock, printed)')
    .option('--faults', 'with --generate: also draw one fault QEMU can express in some scenarios')
    .option('--concurrent', 'with --generate: also draw concurrent groups of two or three steps, compared against every order')
    .option('--keep-going <n>', 'with --generate: shrink up to n distinct differences (first failing step kind and fields); every scenario is compared either way', '1')
    .option('--out <dir>', 'with --generate: the folder for run.json, report.html and a shrunk difference (default reports/differential/seed-<seed>)')
    .option(...REPORTER_OPTION)
    .option(...REPORTER_OUT_OPTION)
    .option('--qemu <dir>', `QEMU to run (a prefix or bin dir with qemu-system-x86_64, qemu-img, qemu-io; default $${QEMU_DIR_ENV} or PATH); repeat to compare several`, collect, [])
    .option(...SERIAL_CONNECTIONS_OPTION)
    .action(async (target: string | undefined, args: DiffArgs) => {
      const reporter = reporterFrom('diff: ', args, args.json === true);
      if (args.generate !== undefined) {
        if (target !== undefined) throw new CliError('diff: give a file/directory or --generate, not both', ExitCode.Usage);
        if ((args.qemu?.length ?? 0) > 1) throw new CliError('diff: --generate runs one QEMU; give --qemu once', ExitCode.Usage);
        setExitCode(await generated(integer('--generate', args.generate, 1, 1_000_000), reporter === undefined ? args : { ...args, ci: reporter }));
        return;
      }
      if (target === undefined) throw new CliError('diff: missing scenario file or directory (or --generate N)', ExitCode.Usage);
      if (args.out !== undefined) throw new CliError('diff: --out applies to --generate only', ExitCode.Usage);
      if (args.keepGoing !== undefined && args.keepGoing !== '1') throw new CliError('diff: --keep-going applies to --generate only', ExitCode.Usage);
      setExitCode(await files(target, args.json === true, reporter, args.qemu ?? [], args.serialConnections === true));
    });
}

/** The flag that puts a concurrent step's sub-steps back on one shared NBD connection per export. */
export const SERIAL_CONNECTIONS_OPTION = [
  '--serial-connections',
  'QEMU: issue the sub-steps of a concurrent step on one shared NBD connection (default: one connection each, truly in parallel)',
] as const;

/** How a run issued concurrent sub-steps, as run.json records it. */
export function connectionsMode(serial: boolean | undefined): 'serial' | 'parallel' {
  return serial === true ? 'serial' : 'parallel';
}

/** The environment variable that sets how long QEMU may be silent before it counts as hung (ms). */
export const QEMU_TIMEOUT_ENV = 'COLOSIM_QEMU_TIMEOUT_MS';

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

/**
 * A QEMU session with the binaries of `qemuDir` (else $COLOSIM_QEMU_DIR, else PATH), its timeout
 * from COLOSIM_QEMU_TIMEOUT_MS when set (exit 2 when that is no integer from 100 to 600000), or
 * exit 3 naming the missing path (or the Debian packages when QEMU is not on PATH).
 */
export function openQemuSession(qemuDir?: string, serialConnections = false): QemuSession {
  const text = process.env[QEMU_TIMEOUT_ENV];
  const timeoutMs = text === undefined ? DEFAULT_QEMU_TIMEOUT_MS : parseInteger(text, 100, 600_000);
  if (timeoutMs === undefined) throw new CliError(`${QEMU_TIMEOUT_ENV} must be an integer from 100 to 600000 (ms), got "${text}"`, ExitCode.Usage);
  try {
    return new QemuSession(resolveQemuTools(qemuDir), timeoutMs, serialConnections);
  } catch (error) {
    throw asQemuCliError(undefined, error);
  }
}

/** A failure of QEMU (or of the adapter around it) as the CLI reports it: one line, exit 3; other errors unchanged. */
export function asQemuCliError(context: string | undefined, error: unknown): unknown {
  if (!(error instanceof QemuAdapterError)) return error;
  return new CliError(context === undefined ? error.message : `${context}: ${error.message}`, ExitCode.Qemu);
}

async function files(target: string, json: boolean, reporter: Reporter | undefined, qemuDirs: readonly string[], serial: boolean): Promise<number> {
  const paths = scenarioPaths(target);
  // Every file is read (and validated) before anything runs, so a bad file costs no QEMU time.
  const scenarios = paths.map((path) => ({ path, scenario: readScenarioFile(path) }));
  const sessions = (qemuDirs.length === 0 ? [undefined] : qemuDirs).map((dir) => openQemuSession(dir, serial));
  const perSession: ScenarioDiff[][] = sessions.map(() => []);
  try {
    for (const { path, scenario } of scenarios) {
      for (const [i, session] of sessions.entries()) {
        const result = await compare(path, scenario, session);
        perSession[i]!.push(result);
        if (!json && textOnStdout(reporter)) process.stdout.write(paintVerdicts(formatScenarioDiff(scenario, result), paintFor(process.stdout)));
      }
    }
  } finally {
    for (const session of sessions) await session.close();
  }
  const results = perSession.flat();
  const summaries = sessions.map((s, i) => summarise(perSession[i]!, s.qemuVersion));
  // A documented QEMU abort is a documented difference: it fails the command as one does.
  const code = summaries.some((s) => s.differences > 0 || s.modelViolations > 0 || s.qemuAborts > 0) ? ExitCode.Violation : ExitCode.Ok;
  if (json) process.stdout.write(jsonDocument('diff', code, { scenarios: results, summary: summaries.length === 1 ? summaries[0] : summaries }));
  else if (textOnStdout(reporter)) for (const summary of summaries) process.stdout.write(`${summaryLine(summary)}\n`);
  emitReport('diff: ', reporter, () => diffFilesReport(target, results));
  return code;
}

async function compare(path: string, scenario: Scenario, session: QemuSession): Promise<ScenarioDiff> {
  const checked = await checkScenario(scenario);
  const engine = checked.run.document;
  // QEMU that fails gives no result to compare: the command ends there (exit 3), naming the file.
  const qemu: ResultDocument = await runScenarioOnQemu(scenario, { session }).catch((error: unknown) => {
    throw asQemuCliError(`diff: ${path}`, error);
  });
  const { diff, unexplained, explainedBy, tooManyOrders, qemuAbort } = await compareDocuments(scenario, engine, qemu).catch((error: unknown) => {
    throw asQemuCliError(`diff: ${path}`, error);
  });
  // The abort is reported on its own (qemuAbort), not as a divergence of the steps compared.
  const divergences = explainedBy.filter((id) => id !== qemuAbort?.id);
  const explained = (unexplained.length === 0 ? divergences.join(', ') || undefined : undefined) ?? documented(path, diff.differences);
  return {
    file: path,
    scenario: scenario.name,
    ...(qemu.qemuVersion === undefined ? {} : { qemuVersion: qemu.qemuVersion }),
    compared: diff.compared,
    skipped: diff.skipped,
    setCompared: diff.setCompared,
    ...(tooManyOrders === true ? { tooManyOrders: true as const } : {}),
    differences: diff.differences,
    ...(qemu.skipped === undefined ? {} : { qemuSkipped: qemu.skipped }),
    ...(explained === undefined ? {} : { divergence: explained }),
    model: { violations: checked.violations },
    ...(qemuAbort === undefined ? {} : { qemuAbort }),
  };
}

/** The divergence listed for this library file whose differences are exactly these. */
function documented(path: string, differences: readonly Difference[]): string | undefined {
  const normalised = path.split(sep).join('/');
  const divergence = DIVERGENCES.find((d) => d.reproducer === undefined && normalised.endsWith(`scenarios/${d.scenario}`));
  return divergence !== undefined && matchesDivergence(divergence, differences).length === 0 ? divergence.id : undefined;
}

/** The file itself, or every *.json under the directory (recursively), sorted by path. */
export function scenarioPaths(target: string): string[] {
  let stat;
  try {
    stat = statSync(target);
  } catch (error) {
    throw new CliError(`diff: cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.Usage);
  }
  if (!stat.isDirectory()) return [target];
  const found = (readdirSync(target, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).map((f) => join(target, f));
  const paths = found.filter((p) => statSync(p).isFile()).sort();
  if (paths.length === 0) throw new CliError(`diff: no *.json scenario files under ${target}`, ExitCode.Usage);
  return paths;
}

interface Summary {
  readonly qemuVersion?: string;
  readonly scenarios: number;
  readonly compared: number;
  readonly skipped: number;
  readonly setCompared: number;
  readonly differences: number;
  readonly modelViolations: number;
  /** Scenarios whose QEMU died of a documented abort (counted apart from the differences). */
  readonly qemuAborts: number;
}

function summarise(results: readonly ScenarioDiff[], qemuVersion: string | undefined): Summary {
  return {
    ...(qemuVersion === undefined ? {} : { qemuVersion }),
    scenarios: results.length,
    compared: results.reduce((n, r) => n + r.compared, 0),
    skipped: results.reduce((n, r) => n + r.skipped, 0),
    setCompared: results.reduce((n, r) => n + r.setCompared, 0),
    differences: results.reduce((n, r) => n + r.differences.length, 0),
    modelViolations: results.reduce((n, r) => n + r.model.violations.length, 0),
    qemuAborts: results.filter((r) => r.qemuAbort !== undefined).length,
  };
}

function summaryLine(s: Summary): string {
  return `${s.qemuVersion === undefined ? '' : `QEMU ${s.qemuVersion}: `}${s.scenarios} scenario(s), ${s.compared} step(s) compared (${s.setCompared} against the set every order admits), ${s.skipped} skipped, ${s.differences} difference(s), ${s.modelViolations} model violation(s)${s.qemuAborts === 0 ? '' : `, ${s.qemuAborts} documented QEMU abort(s)`}`;
}

/** One scenario: a header line, then a row a difference (step, what it did, field, engine, qemu). */
export function formatScenarioDiff(scenario: Scenario, result: ScenarioDiff): string {
  const abort = result.qemuAbort;
  const upTo = abort === undefined ? '' : ` up to step ${abort.step}, where QEMU died of the documented abort ${abort.id} (${abort.stepsNotCompared} step(s) from there not compared)`;
  const differences = result.differences.length === 0 ? 'same' : `${result.differences.length} difference(s)${result.divergence === undefined ? '' : `, documented divergence ${result.divergence}`}`;
  const status = `${differences}${upTo}`;
  const model = result.model.violations.length === 0 ? 'model: engine conforms' : `model: ${result.model.violations.length} violation(s) by the engine`;
  const version = result.qemuVersion === undefined ? '' : ` on QEMU ${result.qemuVersion}`;
  const orders = result.setCompared === 0 ? '' : `, ${result.setCompared} against the set every order admits`;
  const lines = [`${result.file}: ${status} (${result.compared} compared${orders}, ${result.skipped} skipped; ${model})${version}`];
  for (const v of result.model.violations) lines.push(`  model: ${v.invariant} at step ${v.step}: ${v.message}`);
  for (const item of result.qemuSkipped ?? []) lines.push(`  qemu skipped ${item.where}: ${item.reason}`);
  for (const d of result.differences) {
    const what = stepAt(scenario, d.step);
    lines.push(`  #${d.step.padEnd(5)} ${(what === undefined ? '' : describeStep(what)).padEnd(40)} ${d.field.padEnd(16)} engine ${show(d.engine)}  qemu ${show(d.qemu)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Generated scenarios on both backends (also `colosim fuzz --backend qemu`); returns the exit code. */
export async function generated(runs: number, args: DiffArgs): Promise<number> {
  const seed = args.seed === undefined ? Date.now() % DIFFERENTIAL_MAX_SEED : typeof args.seed === 'number' ? args.seed : integer('--seed', args.seed, 0, DIFFERENTIAL_MAX_SEED);
  const command = args.command ?? 'diff';
  // Every flag is checked before anything is made or started.
  const keepGoing = typeof args.keepGoing === 'number' ? args.keepGoing : integer('--keep-going', args.keepGoing ?? '1', 1, 10_000);
  // The report folder is made and proven writable before QEMU runs, as fuzz does, not after a long campaign.
  const outDir = args.out ?? join(DIFFERENTIAL_REPORT_DIR, `seed-${seed}`);
  const removeEmptyOutDir = prepareOutputDir(`${command}: `, '--out', outDir);
  let session: ReturnType<typeof openQemuSession>;
  try {
    session = openQemuSession(args.qemu?.[0], args.serialConnections === true);
  } catch (error) {
    removeEmptyOutDir();
    throw error;
  }
  const qemuFlag = args.qemu?.[0] === undefined ? '' : ` --qemu ${args.qemu[0]}`;
  const keepFlag = keepGoing === 1 ? '' : ` --keep-going ${keepGoing}`;
  const serialFlag = args.serialConnections === true ? ' --serial-connections' : '';
  const rerun = args.echo?.(seed) ?? `colosim diff --generate ${runs} --seed ${seed}${args.faults === true ? ' --faults' : ''}${args.concurrent === true ? ' --concurrent' : ''}${keepFlag}${qemuFlag}${serialFlag}`;
  const text = args.json !== true && textOnStdout(args.ci);
  try {
    // The seed and the rerun command come before the first case: on stdout with the text, else on stderr.
    if (text) process.stdout.write(`${rerun}\n`);
    else process.stderr.write(`colosim ${command}: seed ${seed} (rerun: npx ${rerun})\n`);
    const started = performance.now();
    const result = await checkDifferential({ session, runs, seed, keepGoing, shape: { faults: args.faults === true, concurrent: args.concurrent === true }, ...(args.out === undefined ? {} : { reportDir: args.out }) });
    const wallMs = Math.round(performance.now() - started);
    const code = result.qemuFailure !== undefined ? ExitCode.Qemu : (result.differing ?? 0) > 0 || result.failure ? ExitCode.Violation : ExitCode.Ok;
    const version = session.qemuVersion === undefined ? {} : { qemuVersion: session.qemuVersion };
    // No verdict (QEMU failed) is no campaign to report: the failure line and its scenario say it all.
    const files = result.qemuFailure === undefined ? await writeDifferentialFolder(command, outDir, code, { kind: DIFFERENTIAL_KIND, runsRequested: runs, commandLine: rerun, wallMs, connections: connectionsMode(args.serialConnections), ...version, ...result }) : '';
    if (args.json === true) process.stdout.write(jsonDocument(command, code, { ...result, ...version }));
    else if (text) process.stdout.write(paintVerdicts(`${session.qemuVersion === undefined ? '' : `QEMU ${session.qemuVersion}: `}${generatedText(result)}${files}`, paintFor(process.stdout)));
    if (result.qemuFailure !== undefined) reportQemuFailure(result);
    emitReport(`${command}: `, args.ci, () => diffGeneratedReport(result, rerun));
    return code;
  } finally {
    await session.close();
    removeEmptyOutDir(); // a folder this run made and left empty (no verdict) goes; one holding the report stays
  }
}

/** run.json (the JSON document with the command line and wall time) and report.html in `dir` (prepared before the campaign); returns the lines naming them. */
async function writeDifferentialFolder(command: CommandName, dir: string, code: number, body: object): Promise<string> {
  const prefix = `${command}: `;
  writeFileAtomic(prefix, join(dir, 'run.json'), jsonDocument(command, code, body));
  const page = await writeReportOrFail(prefix, dir);
  return `report: ${join(dir, 'run.json')}\npage: ${page.path}\n`;
}

/** What a generated campaign found, as text: the counts, then each distinct difference with its scenario. */
export function generatedText(result: DifferentialCheckResult): string {
  if (result.qemuFailure !== undefined) return `${result.scenarios} scenario(s) generated, ${result.runs} run(s) compared before QEMU failed\n`;
  const explained = Object.entries(result.explained).map(([id, n]) => `${id} x${n}`);
  const generatedSteps = result.generatedCompared === undefined || result.runs === result.scenarios ? '' : ` (${result.generatedCompared} in the generated ones, ${result.generatedSkipped ?? 0} skipped)`;
  const distinct = result.distinct ?? [];
  const sets = `${result.setCompared ?? 0} against the set every order admits${(result.tooManyOrders ?? 0) > 0 ? `, ${result.tooManyOrders} run(s) with too many orders compared exactly` : ''}`;
  const lines = [
    `${result.scenarios} scenario(s) generated, ${result.runs} run(s) with shrinking, ${result.compared} step(s) compared (${sets}), ${result.skipped} skipped${generatedSteps}${explained.length === 0 ? '' : `; documented divergences seen: ${explained.join(', ')}`}${aborted(result)}`,
  ];
  if (distinct.length > 0) lines.push(`difference found in ${result.differing ?? 0} scenario(s), ${distinct.length} distinct:`);
  for (const [i, d] of distinct.entries()) {
    const where = d.file === undefined ? `not shrunk (first: generated scenario ${d.firstScenario}; --keep-going ${i + 1} shrinks it)` : `${d.shrunk ? 'shrunk to' : 'did not show again; as generated in'} ${d.file} (replay: npx colosim diff ${d.file})`;
    lines.push(`${d.signature}: ${d.scenarios} scenario(s), ${where}`);
    if (d.file !== undefined) for (const x of d.differences) lines.push(`  step ${x.step} ${x.field}: engine ${show(x.engine)}, qemu ${show(x.qemu)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A campaign QEMU ended: the failure on one line (stderr), after what was done (stdout); exit 3. */
function reportQemuFailure(result: DifferentialCheckResult): void {
  const failure = result.qemuFailure!;
  const rerun = failure.file === undefined ? '' : `; the scenario: ${failure.file} (rerun: npx colosim run --backend qemu ${failure.file})`;
  process.stderr.write(`colosim: no verdict: ${failure.message}${rerun}\n`);
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = parseInteger(text, min, max);
  if (value === undefined) throw new CliError(`diff: ${flag} must be an integer from ${min} to ${max}, got "${text}"`, ExitCode.Usage);
  return value;
}

function aborted(result: DifferentialCheckResult): string {
  const a = result.qemuAborts;
  return a === undefined ? '' : `; ${a.runs} run(s) ended in a documented QEMU abort, ${a.stepsNotCompared} step(s) from there not compared`;
}
