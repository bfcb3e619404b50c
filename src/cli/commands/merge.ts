/*
 * `colosim merge DIR... --out DIR`: the report folders of a sharded campaign (`colosim fuzz
 * --shard k/n`, one folder per shard, e.g. CI artifacts) combined into one: run.json and
 * coverage.json summed, the lowest-index counterexamples copied over, and the same summary (or
 * --json) `fuzz` prints, with the unsharded run's summary hash. Folders that are not every shard of
 * one campaign, exactly once, are refused with one line (exit 2). Exit codes as for fuzz.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CampaignSummary } from '../../fuzz/CampaignSummary.js';
import { MergeError, type ShardReport, mergeCoverage, mergeSummaries } from '../../fuzz/mergeShards.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { writeReportOrFail } from './report.js';
import { canonicalSummary, printSummary, writeCampaignReport } from '../campaignReport.js';
import { describeSystemError, prepareOutputDir } from '../outputFiles.js';

export function registerMerge(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the report folders of a sharded fuzz campaign (--shard k/n) into one report')
    .argument('<dirs...>', 'one report folder per shard')
    .requiredOption('--out <dir>', 'folder for the combined report')
    .option('--json', 'print the summary as JSON')
    .action(async (dirs: string[], options: { out: string; json?: boolean }) => {
      const reports = dirs.map(readShard);
      let merged: CampaignSummary;
      try {
        merged = mergeSummaries(reports);
      } catch (error) {
        if (error instanceof MergeError) throw new CliError(error.message, ExitCode.Usage);
        throw error;
      }
      prepareOutputDir('merge: ', '--out', options.out);
      copyCounterexamples(merged, reports, options.out);
      const summary = canonicalSummary(merged);
      const files = writeCampaignReport('merge: ', options.out, summary, mergeCoverage(reports.map((r) => r.coverage)));
      const page = await writeReportOrFail('merge: ', options.out);
      setExitCode(printSummary('merge', summary, { json: options.json === true, text: true }, `${files}page: ${page.path}\n`));
    });
}

function readShard(dir: string): ShardReport {
  return { dir, summary: readJson(join(dir, 'run.json')) as ShardReport['summary'], coverage: readJson(join(dir, 'coverage.json')) as Record<string, unknown> };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`merge: cannot read ${path}: ${describeSystemError(error)}`, ExitCode.Usage);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`merge: ${path}: not JSON (${(error as Error).message})`, ExitCode.Usage);
  }
}

/** Each kept counterexample, copied from its shard's folder (found by file name) into `out`. */
function copyCounterexamples(merged: CampaignSummary, reports: readonly ShardReport[], out: string): void {
  for (const record of merged.counterexamples) {
    const shard = reports.find((r) => r.summary.counterexamples.some((c) => c.case === record.case))!;
    const source = join(shard.dir, basename(record.path));
    if (!existsSync(source)) throw new CliError(`merge: ${shard.dir}/run.json lists the counterexample ${basename(record.path)}, which is not in that folder`, ExitCode.Usage);
    record.path = join(out, basename(record.path));
    if (resolve(source) === resolve(record.path)) continue;
    try {
      copyFileSync(source, record.path);
    } catch (error) {
      throw new CliError(`merge: cannot write ${record.path}: ${describeSystemError(error)}`, ExitCode.Output);
    }
  }
  if (merged.counterexamples[0]) merged.counterexample = merged.counterexamples[0];
}
