/*
 * The campaign report as a file: `writeCampaignReport(dir)` reads run.json, coverage.json (the counts
 * grouped by chart; run.json's own counts when it is missing) and the counterexample run.json names,
 * reruns each counterexample on the engine for its timeline, and writes report.html beside
 * them (atomically: a temporary file, then a rename). A run.json of a differential campaign (kind
 * "differential") gets that campaign's page (differentialReport.ts). `buildReportHtml` is the
 * engine campaign's page without files.
 * A bad folder or a malformed input ends with a ReportInputError naming the file and field.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { replaceFile } from '../util/replaceFile.js';
import { basename, join } from 'node:path';
import { type VisitCounts, parseCoverage } from '../../models/render/coverageStyle.js';
import { parseScenario } from '../scenario/parseScenario.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import type { Profile, Scenario } from '../scenario/Scenario.js';
import { JsonInputError, parseStrictJson } from '../util/strictJson.js';
import { buildInfo } from './buildInfo.js';
import { chartCoverage } from './chartCoverage.js';
import { DIFFERENTIAL_KIND, differentialReportHtml, readDifferentialDocument } from './differentialReport.js';
import { rerunCounterexample } from './counterexampleRun.js';
import { reportHtml } from './reportHtml.js';
import { ReportInputError, isObject, readRunDocument } from './runDocument.js';
import { timelineHtml } from './timelineHtml.js';

export { ReportInputError };

/** Campaigns hold the engine to QEMU 7.2's rules whatever the profile (runCase), so reachability is 7.2's. */
const CAMPAIGN_SPEC: Profile = 'qemu-7.2';

export interface CounterexampleFile {
  readonly file: string;
  readonly scenario: Scenario;
}

/** The page for a run.json (parsed), a coverage.json (parsed, or undefined) and the counterexamples. */
export async function buildReportHtml(runJson: unknown, coverageJson: unknown, counterexamples: readonly CounterexampleFile[], source = 'run.json'): Promise<string> {
  const run = readRunDocument(runJson, source);
  const counts: VisitCounts = coverageJson === undefined ? { states: run.states, transitions: run.transitions } : coverageOf(coverageJson);
  const sections: string[] = [];
  for (const [i, c] of counterexamples.entries()) sections.push(timelineHtml(`counterexample-${i}`, c.scenario, c.file, await rerunCounterexample(c.scenario)));
  return reportHtml({ run, build: buildInfo(), command: campaignCommand(run), spec: CAMPAIGN_SPEC, coverage: chartCoverage(counts, CAMPAIGN_SPEC), counterexamples: sections });
}

/**
 * The command line that runs this campaign again (the same cases; --workers and --out do not change
 * them). A merged run.json has no shard: its command is the unsharded campaign's.
 */
export function campaignCommand(run: CampaignSummary): string {
  const o = run.options;
  const time = run.timeBudgetMs === undefined ? '' : ` --time ${durationText(run.timeBudgetMs)}`;
  const shard = run.shard === undefined ? '' : ` --shard ${run.shard.index}/${run.shard.count}`;
  const keepGoing = (run.keepGoing ?? 1) === 1 ? '' : ` --keep-going ${run.keepGoing}`;
  return `npx colosim fuzz --seed ${run.seed} --runs ${run.runsRequested} --steps ${o.steps} --faults ${o.faults} --profile ${o.profile}${time}${shard}${keepGoing}`;
}

/** A budget as --time takes it: the largest of h, m, s that divides it. */
function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Rebuild DIR/report.html from the files in DIR; returns its path and size. */
export async function writeCampaignReport(dir: string): Promise<{ path: string; bytes: number }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ReportInputError(`${dir}: not a folder (give the folder colosim fuzz wrote run.json into)`);
  const runFile = join(dir, 'run.json');
  if (!existsSync(runFile)) throw new ReportInputError(`${dir}: no run.json here (give the folder colosim fuzz wrote run.json into)`);
  const runJson = readJson(runFile);
  const html = isDifferential(runJson) ? differentialReportHtml(readDifferentialDocument(runJson, runFile), buildInfo(), dir) : await engineCampaignPage(dir, runJson, runFile);
  const path = join(dir, 'report.html');
  replaceFile(path, html);
  return { path, bytes: Buffer.byteLength(html) };
}

async function engineCampaignPage(dir: string, runJson: unknown, runFile: string): Promise<string> {
  const coverageFile = join(dir, 'coverage.json');
  const coverage = existsSync(coverageFile) ? readJson(coverageFile) : undefined;
  const counterexamples = counterexampleFiles(dir, runJson).map((file) => ({ file, scenario: scenarioOf(file) }));
  return buildReportHtml(runJson, coverage, counterexamples, runFile);
}

function isDifferential(runJson: unknown): runJson is Record<string, unknown> {
  return isObject(runJson) && runJson.kind === DIFFERENTIAL_KIND;
}

/**
 * The counterexample run.json names (its path as written, or the file of that name in DIR when the
 * folder moved); a folder holding older counterexamples of other runs shows only this run's.
 */
function counterexampleFiles(dir: string, runJson: unknown): string[] {
  const named = (runJson as { counterexample?: { path?: unknown } } | null)?.counterexample?.path;
  if (typeof named !== 'string') return [];
  const candidates = [named, join(dir, basename(named))];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new ReportInputError(`${join(dir, 'run.json')}: counterexample.path: ${named} does not exist`);
  return [found];
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReportInputError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseStrictJson(text);
  } catch (error) {
    if (error instanceof JsonInputError) throw new ReportInputError(`${file}: ${error.message}`);
    throw error;
  }
}

function coverageOf(raw: unknown): VisitCounts {
  try {
    return parseCoverage(raw, 'coverage.json');
  } catch (error) {
    throw new ReportInputError((error as Error).message);
  }
}

function scenarioOf(file: string): Scenario {
  try {
    return parseScenario(readJson(file));
  } catch (error) {
    if (error instanceof ReportInputError) throw error;
    throw new ReportInputError(`${file}: ${(error as Error).message}`);
  }
}
