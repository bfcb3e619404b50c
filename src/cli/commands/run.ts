/*
 * `colosim run FILE`: run one scenario and print its result document (a table, or JSON with --json).
 * `--backend qemu` runs it on real QEMU instead of the engine, with the same output and exit codes.
 * `--check` (engine only) also holds the run to the models: the replication chart, the data model
 * and the copy-on-write epochs (src/check/); each violation names its invariant and step. By default
 * a run is held to QEMU 7.2's rules whatever its profile, as campaigns and `colosim replay` hold it, so
 * `run --check` and `replay` never disagree on one file; `--spec own` holds a v24 run to the v24 chart.
 * `--inspect OUT.jsonl` writes XState's inspection events of the replication chart for the run and
 * `--chart-trace OUT.json` a trace to step through with `colosim chart --format html --trace OUT.json`
 * (both imply --check). Exit 0 when every expectation the file states holds (and, with --check, no
 * invariant is violated), 1 otherwise (or when the run aborted), 2 for a malformed file or bad
 * arguments, 3 (with --backend qemu) for QEMU not installed, not starting, or hanging, 4 when
 * --inspect or --chart-trace cannot be written.
 */
import type { Command } from 'commander';
import { type CheckedRun, checkScenario } from '../../check/checkScenario.js';
import { INVARIANTS } from '../../check/Invariant.js';
import { STEP_BOUND_TICKS } from '../../fuzz/runCase.js';
import { chartTrace, inspectionLines } from '../../report/chartTrace.js';
import { formatResult } from '../../report/formatResult.js';
import { formatDataCheck } from '../../report/formatSummary.js';
import { compareExpectations } from '../../scenario/expectations.js';
import { runScenarioOnQemu } from '../../qemu/QemuBackend.js';
import { firstCrash } from '../../qemu/SideCalls.js';
import type { Scenario, ScenarioStep } from '../../scenario/Scenario.js';
import type { ResultDocument, StepResult } from '../../scenario/StepResult.js';
import { runScenarioOnEngine } from '../../scenario/runScenarioOnEngine.js';
import { stepAt } from '../../scenario/stepAt.js';
import { isOneOf } from '../args.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { writeOutputFile } from '../outputFiles.js';
import { readScenarioFile } from '../readScenarioFile.js';
import { failOnScheduleDrift } from '../scheduleDrift.js';
import { asQemuCliError, openQemuSession } from './diff.js';
import { runReport } from '../ciReports.js';
import { paintFor, paintVerdicts } from '../colour.js';
import { jsonDocument } from '../jsonOutput.js';
import { REPORTER_OPTION, REPORTER_OUT_OPTION, type ReporterArgs, emitReport, reporterFrom, textOnStdout } from '../reporterOption.js';
import { QEMU_DIR_ENV } from '../../qemu/QemuTools.js';

const BACKENDS = ['engine', 'qemu'] as const;
const SPECS = ['own', 'qemu-7.2'] as const;

interface RunOptions extends ReporterArgs {
  readonly json?: boolean;
  readonly backend: string;
  readonly check?: boolean;
  readonly inspect?: string;
  readonly chartTrace?: string;
  readonly spec: string;
  readonly qemu?: string;
}

export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run one scenario file and print its result document')
    .argument('<file>', 'scenario file (JSON)')
    .option('--json', 'print the result document as JSON')
    .option('--backend <name>', 'engine (the TypeScript engine) or qemu (real QEMU 7.2)', 'engine')
    .option('--qemu <dir>', `with --backend qemu: the QEMU to run (prefix or bin dir; default $${QEMU_DIR_ENV} or PATH)`)
    .option('--check', 'engine: check the run against the statecharts and the data model')
    .option('--spec <rules>', "with --check: QEMU 7.2's rules whatever the profile (qemu-7.2, what campaigns and replay use) or the scenario's own profile's (own)", 'qemu-7.2')
    .option('--inspect <file>', "engine: write XState's inspection events of the run as JSON lines (implies --check)")
    .option('--chart-trace <file>', 'engine: write the run as a chart trace for colosim chart --format html --trace (implies --check)')
    .option(...REPORTER_OPTION)
    .option(...REPORTER_OUT_OPTION)
    .action(async (file: string, options: RunOptions) => {
      const reporter = reporterFrom('run: ', options, options.json === true);
      if (!isOneOf(options.backend, BACKENDS)) {
        throw new CliError(`run: unknown backend "${options.backend}" (expected ${BACKENDS.join(' or ')})`, ExitCode.Usage);
      }
      if (!isOneOf(options.spec, SPECS)) throw new CliError(`run: unknown --spec "${options.spec}" (expected ${SPECS.join(' or ')})`, ExitCode.Usage);
      const check = options.check === true || options.inspect !== undefined || options.chartTrace !== undefined;
      if (check && options.backend === 'qemu') throw new CliError('run: --check, --inspect and --chart-trace need the engine backend (the models read its trace)', ExitCode.Usage);
      const scenario = readScenarioFile(file);
      let checked: CheckedRun | undefined;
      let document: ResultDocument;
      if (options.backend === 'engine' && options.qemu !== undefined) throw new CliError('run: --qemu needs --backend qemu (the engine runs no QEMU)', ExitCode.Usage);
      if (options.backend === 'qemu') document = await onQemu(scenario, options.qemu);
      else if (check) {
        // The same step bound as campaigns and replay, so a step that never ends is the same finding here.
        checked = await checkScenario(scenario, { stepBoundTicks: STEP_BOUND_TICKS }, { spec: options.spec, chartLog: true });
        document = checked.run.document;
      } else document = (await runScenarioOnEngine(scenario)).document;
      if (options.backend === 'engine') failOnScheduleDrift(file, document);
      if (checked !== undefined) writeOutputs(checked, options);
      const mismatches = compareExpectations(scenario, document);
      const violations = checked?.violations ?? [];
      const code = mismatches.length > 0 || violations.length > 0 || document.aborted ? ExitCode.Violation : ExitCode.Ok;
      if (options.json) {
        const body = { file, ...document, mismatches, ...(checked === undefined ? {} : { check: checkSummary(checked) }) };
        process.stdout.write(jsonDocument('run', code, body));
        for (const m of mismatches) process.stderr.write(`step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}\n`);
      } else if (textOnStdout(reporter)) {
        const version = document.qemuVersion === undefined ? '' : `qemu: QEMU ${document.qemuVersion}\n`;
        const skipped = (document.skipped ?? []).map((item) => `${document.backend} skipped ${item.where}: ${item.reason}\n`).join('');
        process.stdout.write(paintVerdicts(`${formatResult(scenario, document, mismatches)}\n${version}${skipped}${checked === undefined ? '' : formatCheck(checked)}`, paintFor(process.stdout)));
      }
      emitReport('run: ', reporter, () => runReport(file, document, mismatches, violations, check));
      setExitCode(code);
    });
}

/** The check as --json adds it to the result document. */
function checkSummary(checked: CheckedRun): Record<string, unknown> {
  return {
    violations: checked.violations,
    dataCheck: checked.dataCheck,
    checks: Object.fromEntries([...checked.checks].sort(([a], [b]) => a.localeCompare(b))),
    chart: { states: Object.fromEntries(checked.coverage.states), transitions: Object.fromEntries(checked.coverage.transitions) },
  };
}

function formatCheck(checked: CheckedRun): string {
  const checks = [...checked.checks.values()].reduce((n, c) => n + c, 0);
  const lines = [
    `check: ${checks} check(s) of ${checked.checks.size} invariant(s), ${checked.chartLog.length} chart event(s), ${[...checked.coverage.transitions.keys()].filter((k) => k.startsWith('node.')).length} distinct transition(s) of the replication chart`,
  ];
  lines.push(`check: ${formatDataCheck(checked.dataCheck)}`);
  if (checked.violations.length === 0) lines.push('check: no violation');
  for (const v of checked.violations) lines.push(`violation ${v.invariant} (${INVARIANTS[v.invariant].kind}) at step ${v.step}: ${v.message}`);
  return `${lines.join('\n')}\n`;
}

function writeOutputs(checked: CheckedRun, options: RunOptions): void {
  if (options.inspect !== undefined) write(options.inspect, `${inspectionLines(checked.chartLog, checked.chartProfile).join('\n')}\n`);
  if (options.chartTrace !== undefined) write(options.chartTrace, `${JSON.stringify(chartTrace(checked.chartLog, checked.violations), null, 1)}\n`);
}

function write(path: string, text: string): void {
  writeOutputFile('run: ', path, text);
}

/** The scenario on real QEMU; QEMU missing, not starting (twice) or hanging ends the command with exit 3. */
async function onQemu(scenario: Scenario, qemuDir: string | undefined): Promise<ResultDocument> {
  const session = openQemuSession(qemuDir);
  try {
    const document = await runScenarioOnQemu(scenario, { session });
    const crash = unexpectedCrash(scenario, document.steps);
    if (crash !== undefined) throw new CliError(`run: ${crash}`, ExitCode.Qemu);
    return document;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw asQemuCliError('run', error);
  } finally {
    await session.close();
  }
}

/**
 * The first step (or sub-step) where a QEMU died by itself (CRASH) and the scenario does not expect
 * it there (`"expect": {"code": "CRASH"}`, as the files documenting QEMU's own crashes say): no
 * verdict, since every later step ran on a lost side.
 */
function unexpectedCrash(scenario: Scenario, results: readonly StepResult[]): string | undefined {
  const found = firstCrash(results, (where) => (stepAt(scenario, where) as ScenarioStep | undefined)?.expect?.code === 'CRASH');
  return found === undefined ? undefined : `at step ${found.where} (${found.result.do}): the ${found.side} QEMU crashed (${found.seen}), which the scenario does not expect there`;
}
