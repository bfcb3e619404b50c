/*
 * `colosim report DIR`: rebuild DIR/report.html from the run.json, coverage.json and counterexample
 * files `colosim fuzz` wrote there (counterexamples are rerun on the engine for their timelines).
 * Exit 0 once written; 2 for a folder that is not one, no run.json, or a malformed input (one line
 * naming the file and field); 4 when report.html cannot be written.
 */
import type { Command } from 'commander';
import { ReportInputError, writeCampaignReport } from '../../report/campaignReport.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { describeSystemError, isSystemError } from '../outputFiles.js';

/** Write DIR/report.html; input errors become exit 2, write errors exit 4 (`prefix` names the command). */
export async function writeReportOrFail(prefix: string, dir: string): Promise<{ path: string; bytes: number }> {
  try {
    return await writeCampaignReport(dir);
  } catch (error) {
    if (error instanceof ReportInputError) throw new CliError(`${prefix}${error.message}`, ExitCode.Usage);
    if (isSystemError(error)) throw new CliError(`${prefix}cannot write ${error.path ?? dir}: ${describeSystemError(error)}`, ExitCode.Output);
    throw error;
  }
}

export function registerReport(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('report')
    .description('rebuild report.html from the run.json, coverage.json and counterexamples in a fuzz output folder')
    .argument('<dir>', 'the folder colosim fuzz wrote (its --out)')
    .action(async (dir: string) => {
      const { path, bytes } = await writeReportOrFail('report: ', dir);
      process.stdout.write(`report: ${path} (${bytes} bytes)\n`);
      setExitCode(ExitCode.Ok);
    });
}
