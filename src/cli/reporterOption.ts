/*
 * `--reporter junit|github` and `--reporter-out FILE`, shared by fuzz, run and diff. JUnit XML goes
 * to the file, or to stdout in place of the text output; GitHub annotations always go to stdout
 * (where Actions reads workflow commands), after the text. With --json, JUnit needs a file, so
 * stdout stays one JSON document.
 */
import { type CiReport, REPORTERS, type ReporterName, githubAnnotations, junitXml } from './ciReport.js';
import { CliError, ExitCode } from './ExitCode.js';
import { isOneOf } from './args.js';
import { writeOutputFile } from './outputFiles.js';

export interface ReporterArgs {
  readonly reporter?: string;
  readonly reporterOut?: string;
}

export interface Reporter {
  readonly name: ReporterName;
  readonly out?: string;
}

/** The two options as commander's .option() arguments: `.option(...REPORTER_OPTION).option(...REPORTER_OUT_OPTION)`. */
export const REPORTER_OPTION = ['--reporter <name>', `also report for CI: ${REPORTERS.join('|')} (JUnit XML, GitHub annotations)`] as const;
export const REPORTER_OUT_OPTION = ['--reporter-out <file>', 'junit: write the XML to this file (default: stdout, instead of the text)'] as const;

/** The reporter the flags ask for (exit 2 for an unknown one, or for JUnit on stdout with --json). */
export function reporterFrom(prefix: string, args: ReporterArgs, json: boolean): Reporter | undefined {
  if (args.reporter === undefined) {
    if (args.reporterOut !== undefined) throw new CliError(`${prefix}--reporter-out needs --reporter junit`, ExitCode.Usage);
    return undefined;
  }
  if (!isOneOf(args.reporter, REPORTERS)) throw new CliError(`${prefix}--reporter must be one of ${REPORTERS.join(', ')}, got "${args.reporter}"`, ExitCode.Usage);
  if (args.reporter === 'github' && args.reporterOut !== undefined) throw new CliError(`${prefix}--reporter-out applies to junit; github annotations go to stdout`, ExitCode.Usage);
  if (args.reporter === 'junit' && json && args.reporterOut === undefined) throw new CliError(`${prefix}--reporter junit with --json needs --reporter-out FILE (stdout holds the JSON)`, ExitCode.Usage);
  return args.reporterOut === undefined ? { name: args.reporter } : { name: args.reporter, out: args.reporterOut };
}

/** Whether the command's own text goes to stdout (not when JUnit XML takes its place). */
export function textOnStdout(reporter: Reporter | undefined): boolean {
  return !(reporter?.name === 'junit' && reporter.out === undefined);
}

export function emitReport(prefix: string, reporter: Reporter | undefined, report: () => CiReport): void {
  if (reporter === undefined) return;
  const text = reporter.name === 'junit' ? junitXml(report()) : githubAnnotations(report());
  if (reporter.out === undefined) process.stdout.write(text);
  else writeOutputFile(prefix, reporter.out, text);
}
