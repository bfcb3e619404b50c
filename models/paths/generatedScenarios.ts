/*
 * The scenario files generated from the models, as (relative path, JSON text) pairs: one file per
 * covering path of the COLO pair chart (per profile) and per start-validation chain. The script
 * scripts/generateScenarios.ts writes them under models/scenarios/, and a test checks the files there
 * still equal this output, so the checked-in scenarios never drift from the charts.
 */
import type { Scenario } from '../../src/scenario/Scenario.js';
import { coveringPaths } from './coveringPaths.js';
import type { PairContext } from '../colo/coloPair.js';
import { MODELS, type ModelSpec, profilesOf } from './modelCatalog.js';
import { pairPathToScenario, pairScenarioName } from './pairScenarios.js';
import { startCheckScenarios } from './startCheckScenarios.js';

export interface GeneratedFiles {
  /** Relative path (under models/scenarios/) -> file text. */
  readonly files: ReadonlyMap<string, string>;
  /** Pair paths that could not become scenarios, with why. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/**
 * The pair chart explored with the events a scenario can express: a dropped link never comes back
 * (the fault plan's link-drop is permanent), so LINK_UP is only offered while the link is up (a no-op).
 */
export function scenarioPairSpec(): ModelSpec {
  const pair = MODELS.pair;
  return { ...pair, events: (s) => pair.events(s).filter((e) => e.type !== 'LINK_UP' || (s.context as PairContext).linkUp) };
}

export function scenarioText(scenario: Scenario): string {
  return `${JSON.stringify(scenario, null, 2)}\n`;
}

export function generatedScenarioFiles(): GeneratedFiles {
  const files = new Map<string, string>();
  const skipped: { name: string; reason: string }[] = [];
  const spec = scenarioPairSpec();
  for (const profile of profilesOf(spec)) {
    coveringPaths(spec, profile).paths.forEach((path, index) => {
      const name = pairScenarioName(profile, index);
      const converted = pairPathToScenario(path, name);
      if ('skipped' in converted) skipped.push({ name, reason: converted.skipped });
      else files.set(`pair/${profile}/${name}.json`, scenarioText(converted.scenario));
    });
  }
  for (const scenario of startCheckScenarios()) files.set(`start-checks/${scenario.name}.json`, scenarioText(scenario));
  return { files, skipped };
}
