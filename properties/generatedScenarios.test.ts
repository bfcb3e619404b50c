/*
 * The scenarios generated from the statecharts (models/scenarios/, one path per state and transition
 * of the pair chart, plus the start-validation chains) run on the engine under the conformance
 * checker with their own profile's chart: every outcome the chart predicts, every expectation the
 * file states, no violation. The replication node chart's states and transitions the engine visits
 * are counted and compared with what the chart can reach.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../models/paths/modelCatalog.js';
import { reachableUnder } from '../models/paths/coveringPaths.js';
import { checkScenario } from '../src/check/checkScenario.js';
import { compareExpectations } from '../src/scenario/expectations.js';
import { parseScenarioText } from '../src/scenario/parseScenario.js';
import type { ModelProfile } from '../models/replication/profiles.js';

const ROOT = fileURLToPath(new URL('../models/scenarios/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
    });
}

const visited: Record<ModelProfile, { states: Set<string>; transitions: Set<string> }> = {
  'qemu-7.2': { states: new Set(), transitions: new Set() },
  v24: { states: new Set(), transitions: new Set() },
};

describe('scenarios generated from the charts, on the engine, under the conformance checker', () => {
  const all = files(ROOT);

  it('there are scenarios for both profiles', () => {
    expect(all.filter((f) => f.includes('qemu-7.2')).length).toBeGreaterThan(50);
    expect(all.filter((f) => f.includes('v24')).length).toBeGreaterThan(50);
  });

  it('every generated scenario runs as its chart predicts', { timeout: 600_000 }, async () => {
    const failures: string[] = [];
    for (const path of all) {
      const scenario = parseScenarioText(readFileSync(path, 'utf8'), path);
      const checked = await checkScenario(scenario);
      const mismatches = compareExpectations(scenario, checked.run.document);
      for (const v of checked.violations) failures.push(`${scenario.name}: ${v.invariant} at step ${v.step}: ${v.message}`);
      for (const m of mismatches) failures.push(`${scenario.name}: step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`);
      for (const key of checked.coverage.states.keys()) visited[scenario.profile as ModelProfile].states.add(key);
      for (const key of checked.coverage.transitions.keys()) visited[scenario.profile as ModelProfile].transitions.add(key);
    }
    expect(failures).toEqual([]);
  });

  for (const profile of ['qemu-7.2', 'v24'] as const) {
    it(`covers the replication node chart (${profile})`, () => {
      const reachable = reachableUnder(MODELS.node, profile);
      const states = [...reachable.states].filter((s) => visited[profile].states.has(s));
      const transitions = [...reachable.transitions].filter((t) => visited[profile].transitions.has(t));
      const unvisited = [...reachable.transitions].filter((t) => !visited[profile].transitions.has(t)).sort();
      console.log(
        `node chart on the engine, ${profile}: states ${states.length}/${reachable.states.size}, transitions ${transitions.length}/${reachable.transitions.size}` +
          `\n  not reached through a COLO pair:\n    ${unvisited.join('\n    ')}`,
      );
      // Every stage of replication is reached on the engine, and at least the floor measured when
      // this test was written (a drop means the generator or the engine lost a path).
      for (const stage of ['NONE', 'RUNNING', 'FAILOVER', 'FAILOVER_FAILED', 'DONE']) expect(visited[profile].states.has(`node.${stage}`)).toBe(true);
      expect(transitions.length).toBeGreaterThanOrEqual(COVERAGE_FLOOR[profile]);
    });
  }
});

/** Transitions of the node chart reached on the engine by the generated scenarios, when measured. */
const COVERAGE_FLOOR: Record<ModelProfile, number> = { 'qemu-7.2': 22, v24: 24 };
