/*
 * `colosim chart`: draw the models' statecharts (models/render). Default: the replication node's
 * chart as SVG on stdout. --coverage colours states and transitions by visit counts (format in
 * models/render/coverageStyle.ts); --trace (HTML only) embeds a run to step through
 * (models/render/trace.ts). Bad arguments or unreadable files end with exit code 2, an --out that
 * cannot be written with 4.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MODEL_NAMES, type ModelName } from '../../../models/paths/modelCatalog.js';
import { CoverageFileError, type VisitCounts, parseCoverage } from '../../../models/render/coverageStyle.js';
import { CHART_FORMATS, type ChartFormat } from '../../../models/render/chartFormats.js';
import { type TraceStep, TraceFileError, parseTrace } from '../../../models/render/trace.js';
import { PROFILES, type Profile } from '../../scenario/Scenario.js';
import { JsonInputError, parseStrictJson } from '../../util/strictJson.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { isOneOf } from '../args.js';
import { describeSystemError, writeOutputFile } from '../outputFiles.js';

interface ChartOptions {
  readonly machine?: string;
  readonly profile: string;
  readonly format: string;
  readonly coverage?: string;
  readonly trace?: string;
  readonly out?: string;
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!isOneOf(value, allowed)) throw new CliError(`chart: unknown ${what} "${value}" (expected ${allowed.join(', ')})`, ExitCode.Usage);
  return value;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`chart: cannot read the ${what} file ${file}: ${describeSystemError(error)}`, ExitCode.Usage);
  }
  try {
    return parseStrictJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) throw new CliError(`chart: ${file}: ${error.message}`, ExitCode.Usage);
    throw error;
  }
}

function readCoverage(file: string): VisitCounts {
  try {
    return parseCoverage(readJson(file, 'coverage'), file);
  } catch (error) {
    if (error instanceof CoverageFileError) throw new CliError(`chart: ${error.message}`, ExitCode.Usage);
    throw error;
  }
}

function readTrace(file: string): TraceStep[] {
  try {
    return parseTrace(readJson(file, 'trace'), file);
  } catch (error) {
    if (error instanceof TraceFileError) throw new CliError(`chart: ${error.message}`, ExitCode.Usage);
    throw error;
  }
}

export function registerChart(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('chart')
    .description("draw the models' statecharts (replication node, COLO pair, backup and commit jobs)")
    .option('--machine <name>', `which chart: ${MODEL_NAMES.join(', ')} (default node; html: all)`)
    .option('--profile <profile>', `whose rules are reachable: ${PROFILES.join(', ')}`, 'qemu-7.2')
    .option('--format <format>', `output format: ${CHART_FORMATS.join(', ')}`, 'svg')
    .option('--coverage <file>', 'colour by visit counts: {"states": {...}, "transitions": {...}}')
    .option('--trace <file>', 'html only: a run to step through, [{"machine", "state", "event"}, ...]')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (options: ChartOptions) => {
      const format = oneOf<ChartFormat>('format', options.format, CHART_FORMATS);
      const profile = oneOf<Profile>('profile', options.profile, PROFILES);
      const machine = options.machine === undefined ? undefined : oneOf<ModelName>('machine', options.machine, MODEL_NAMES);
      if (options.trace !== undefined && format !== 'html') throw new CliError('chart: --trace needs --format html', ExitCode.Usage);
      const coverage = options.coverage === undefined ? undefined : readCoverage(options.coverage);
      const trace = options.trace === undefined ? undefined : readTrace(options.trace);
      // Loaded here, not at start-up: Graphviz and the path search cost every other command ~0.1 s of CPU.
      const { renderChart } = await import('../../../models/render/renderChart.js');
      const output = await renderChart({ format, profile, ...(machine ? { machine } : {}), ...(coverage ? { coverage } : {}), ...(trace ? { trace } : {}) });
      for (const warning of output.warnings) process.stderr.write(`colosim chart: warning: ${warning}\n`);
      if (options.out === undefined) process.stdout.write(output.text);
      else {
        writeOutputFile('chart: ', options.out, output.text);
      }
      setExitCode(ExitCode.Ok);
    });
}
