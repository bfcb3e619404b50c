/*
 * Scenarios in the public API: build one in code, parse one from JSON, and write one back as the
 * text of a scenario file. A built scenario passes through the same parser as a file, so whatever
 * the API accepts a file could say, defaults filled in, and a mistake is a ScenarioError naming
 * the field. The format is documented in the README ("Scenario files") and in
 * schema/scenario.schema.json.
 */
import { type Scenario, SCENARIO_FORMAT_VERSION } from '../scenario/Scenario.js';
import { parseScenario } from '../scenario/parseScenario.js';

/** A scenario as one writes it: `colosim` may be left out, and every field with a default too. */
export type ScenarioInput = Omit<Record<string, unknown>, 'colosim'> & { readonly name: string; readonly steps: readonly unknown[]; readonly colosim?: 1 };

/** A complete, validated scenario from its fields (throws ScenarioError naming the bad field). */
export function buildScenario(input: ScenarioInput): Scenario {
  return parseScenario({ colosim: SCENARIO_FORMAT_VERSION, ...input });
}

/** The text of a scenario file: what `colosim run`, `replay` and `diff` read back unchanged. */
export function formatScenario(scenario: Scenario): string {
  return `${JSON.stringify(scenario, null, 1)}\n`;
}
