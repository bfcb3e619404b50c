/*
 * Coverage with denominators, per chart: states visited of those reachable, transitions visited of
 * those reachable (paths/coveringPaths.ts explores each chart under the profile the campaign held the
 * engine to), minus the transitions no campaign can drive (paths/campaignScope.ts), and every
 * reachable transition never visited, by name. A visit the exploration did not predict still counts
 * as visited (the counts may come from the other profile) and is listed apart.
 */
import { campaignReachable, outsideCampaigns } from '../../models/paths/campaignScope.js';
import { chartStates, chartTransitions } from '../../models/paths/chartTransitions.js';
import { type CoverageFraction, reachableUnder } from '../../models/paths/coveringPaths.js';
import { MODEL_NAMES, MODELS, type ModelName } from '../../models/paths/modelCatalog.js';
import type { VisitCounts } from '../../models/render/coverageStyle.js';
import type { Profile } from '../scenario/Scenario.js';

export interface ChartCoverageRow {
  readonly chart: ModelName;
  readonly title: string;
  readonly states: CoverageFraction;
  readonly transitions: CoverageFraction;
  /** Reachable transitions never visited, in chart order. */
  readonly unvisited: readonly string[];
  /** Reachable states never visited. */
  readonly unvisitedStates: readonly string[];
  /** Transitions campaigns never drive (UNOPENED, OPEN), not counted in `reachable`. */
  readonly outOfScope: number;
}

export function chartCoverage(counts: VisitCounts, profile: Profile): ChartCoverageRow[] {
  return MODEL_NAMES.map((chart) => {
    const spec = MODELS[chart];
    const reachable = campaignReachable(reachableUnder(spec, profile));
    const states = chartStates(spec.machine).map((s) => s.id);
    const transitions = chartTransitions(spec.machine).map((t) => t.key);
    const seen = (map: Record<string, number>) => (key: string) => (map[key] ?? 0) > 0;
    const stateSeen = seen(counts.states);
    const transitionSeen = seen(counts.transitions);
    const inScope = (key: string) => reachable.transitions.has(key) || transitionSeen(key);
    return {
      chart,
      title: spec.title,
      states: { visited: states.filter(stateSeen).length, reachable: states.filter((s) => reachable.states.has(s) || stateSeen(s)).length, total: states.length },
      transitions: { visited: transitions.filter(transitionSeen).length, reachable: transitions.filter(inScope).length, total: transitions.length },
      unvisited: transitions.filter((t) => reachable.transitions.has(t) && !transitionSeen(t)),
      unvisitedStates: states.filter((s) => reachable.states.has(s) && !stateSeen(s)),
      outOfScope: transitions.filter((t) => outsideCampaigns(t) && !transitionSeen(t)).length,
    };
  });
}
