/*
 * A campaign's report folder and printed summary, the same for `colosim fuzz` and `colosim merge`:
 * run.json and coverage.json (the open-ended maps sorted by key, so a merged report and a single
 * run write the same bytes for the same counts), the summary or its JSON, and the exit code.
 */
import { join } from 'node:path';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import { formatSummary } from '../report/formatSummary.js';
import { paintFor, paintVerdicts } from './colour.js';
import { ExitCode } from './ExitCode.js';
import { jsonDocument } from './jsonOutput.js';
import { writeFileAtomic } from './outputFiles.js';

/** A map of counts with its keys sorted. */
export function sortedCounts<T>(counts: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The summary with its open-ended maps (chart coverage, what the generator drew) in key order. */
export function canonicalSummary(s: CampaignSummary): CampaignSummary {
  const generator = Object.fromEntries(Object.entries(s.generator).map(([measure, counts]) => [measure, sortedCounts(counts)])) as unknown as CampaignSummary['generator'];
  return { ...s, states: sortedCounts(s.states), transitions: sortedCounts(s.transitions), generator };
}

/** coverage.json: every map at every depth (chart, then states/transitions, then counts) sorted by key. */
export function coverageJson(coverage: Record<string, unknown>): string {
  return `${JSON.stringify(deepSorted(coverage), null, 1)}\n`;
}

function deepSorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(sortedCounts(value as Record<string, unknown>)).map(([key, inner]) => [key, deepSorted(inner)]));
}

/** Writes run.json and coverage.json; returns the lines that point at them. */
export function writeCampaignReport(prefix: string, outDir: string, summary: CampaignSummary, coverage: Record<string, unknown>): string {
  writeFileAtomic(prefix, join(outDir, 'run.json'), `${JSON.stringify(summary, null, 1)}\n`);
  // The chart command colours the replication chart from this file: colosim chart --coverage FILE.
  writeFileAtomic(prefix, join(outDir, 'coverage.json'), coverageJson(coverage));
  return `report: ${join(outDir, 'run.json')}\nchart coverage: npx colosim chart --coverage ${join(outDir, 'coverage.json')} --out ${join(outDir, 'coverage.svg')}\n`;
}

/**
 * The campaign's summary on stdout, the same for fuzz and merge: the JSON document, or (when `text`,
 * i.e. no reporter took stdout) the summary and the lines naming the files, its verdict coloured on
 * a terminal. Returns the exit code the summary means.
 */
export function printSummary(command: 'fuzz' | 'merge', summary: CampaignSummary, out: { readonly json: boolean; readonly text: boolean }, files: string): ExitCode {
  const code = campaignExitCode(summary);
  if (out.json) process.stdout.write(jsonDocument(command, code, summary));
  else if (out.text) process.stdout.write(paintVerdicts(`${formatSummary(summary)}\n${files}`, paintFor(process.stdout)));
  return code;
}

/** 1 for any finding (a counterexample, a dead worker, a corpus case still failing), else 130 if interrupted, else 0. */
export function campaignExitCode(s: CampaignSummary): ExitCode {
  const found = s.counterexample !== undefined || s.workerDeaths.length > 0 || s.corpus?.some((c) => c.status === 'still failing') === true;
  if (found) return ExitCode.Violation;
  return s.interrupted ? ExitCode.Interrupted : ExitCode.Ok;
}
