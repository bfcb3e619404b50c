/* Reading a scenario file for a command: any problem is a usage error (exit 2) that names the file. */
import { readFileSync } from 'node:fs';
import type { Scenario } from '../scenario/Scenario.js';
import { ScenarioError, parseScenarioText } from '../scenario/parseScenario.js';
import { CliError, ExitCode } from './ExitCode.js';

export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.Usage);
  }
  try {
    return parseScenarioText(text, path);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(`${path}: ${error.message}`, ExitCode.Usage);
    throw error;
  }
}
