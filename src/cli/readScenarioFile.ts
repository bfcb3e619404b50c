/*
 * Reading a scenario file for a command: any problem is a usage error (exit 2) whose one line
 * names the file once, then the field (a BOM is skipped; duplicate keys are errors, see strictJson).
 */
import { readFileSync } from 'node:fs';
import type { Scenario } from '../scenario/Scenario.js';
import { ScenarioError, parseScenario } from '../scenario/parseScenario.js';
import { JsonInputError, parseStrictJson } from '../util/strictJson.js';
import { CliError, ExitCode } from './ExitCode.js';

export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.Usage);
  }
  try {
    return parseScenario(parseStrictJson(text));
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof JsonInputError) throw new CliError(`${path}: ${error.message}`, ExitCode.Usage);
    throw error;
  }
}
