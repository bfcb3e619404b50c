/*
 * The scenario files directly in one folder (not its subfolders), in name order, parsed: what the
 * benchmarks run as "the library" (properties/scenarios/gaps, peer). A file that is not JSON
 * throws a ScenarioError naming the file; a bad field, one naming the field. The CLI's `diff DIR`
 * walks folders itself (recursively, with one-line errors), since it reports per file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText } from './parseScenario.js';
import type { Scenario } from './Scenario.js';

export function scenariosIn(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseScenarioText(readFileSync(join(dir, f), 'utf8'), f));
}
