/*
 * The scenario library under properties/scenarios/: the port of QEMU's test-replication.c (peer/)
 * and the cases it lacks (gaps/). Each file states what every step must return.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../src/scenario/Scenario.js';
import { parseScenarioText } from '../src/scenario/parseScenario.js';

export const SCENARIO_ROOT = fileURLToPath(new URL('./scenarios/', import.meta.url));

export interface ScenarioFile {
  readonly path: string;
  readonly scenario: Scenario;
}

/** Every scenario file under a folder of the library ("peer", "gaps"), in name order. */
export function loadScenarioFolder(folder: string): ScenarioFile[] {
  const dir = join(SCENARIO_ROOT, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      return { path, scenario: parseScenarioText(readFileSync(path, 'utf8'), path) };
    });
}
