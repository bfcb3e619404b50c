/*
 * The seed corpus of `colosim fuzz --corpus DIR`: every scenario file under DIR (searched
 * recursively, in name order) that records where it came from (`origin`, as counterexamples do).
 * JSON files that are not scenario documents (run.json, coverage.json) are passed over, so a
 * folder of old reports can serve as a corpus; a malformed scenario file is a usage error (exit 2).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusEntry } from '../fuzz/replayCorpus.js';
import { CliError, ExitCode } from './ExitCode.js';
import { describeSystemError } from './outputFiles.js';
import { readScenarioFile } from './readScenarioFile.js';

export function readCorpus(dir: string): CorpusEntry[] {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    throw new CliError(`fuzz: --corpus ${dir}: ${describeSystemError(error)}`, ExitCode.Usage);
  }
  if (!isDir) throw new CliError(`fuzz: --corpus ${dir}: not a directory`, ExitCode.Usage);
  const entries: CorpusEntry[] = [];
  for (const path of jsonFiles(dir)) {
    if (!isScenarioDocument(path)) continue;
    const scenario = readScenarioFile(path);
    if (scenario.origin !== undefined) entries.push({ path, scenario });
  }
  return entries;
}

function jsonFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...jsonFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
  }
  return files;
}

/** Whether the file is meant as a scenario: a JSON object with the format's "colosim" key. */
function isScenarioDocument(path: string): boolean {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof doc === 'object' && doc !== null && 'colosim' in doc;
  } catch {
    // Not JSON at all: readScenarioFile says so in one line.
    return true;
  }
}
