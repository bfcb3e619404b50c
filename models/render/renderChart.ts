/*
 * One entry point for every rendering: a machine (or, for HTML, all of them) under a profile, as
 * DOT, SVG, Mermaid or a self-contained HTML page, optionally coloured by a coverage file and (HTML)
 * with a trace to step through. Transitions the profile cannot reach are drawn grey, so a v24 chart
 * shows which 7.2 rules it lacks and the other way round; with coverage, so are those no campaign
 * drives (paths/campaignScope.ts), and a chart the coverage file has no counts for stays uncoloured.
 */
import type { Profile } from '../../src/scenario/Scenario.js';
import type { ChartFormat } from './chartFormats.js';
import { chartStates, chartTransitions } from '../paths/chartTransitions.js';
import { campaignReachable } from '../paths/campaignScope.js';
import { type Reachable, reachableUnder } from '../paths/coveringPaths.js';
import { MODEL_NAMES, MODELS, type ModelName } from '../paths/modelCatalog.js';
import { type VisitCounts, chartOfKey } from './coverageStyle.js';
import { dotToSvg } from './renderSvg.js';
import { chartToDot } from './toDot.js';
import { chartsToHtml } from './toHtml.js';
import { chartToMermaid } from './toMermaid.js';
import type { TraceStep } from './trace.js';

export { CHART_FORMATS, type ChartFormat } from './chartFormats.js';

export interface ChartRequest {
  /** One machine; for HTML, absent means all of them. */
  readonly machine?: ModelName;
  readonly profile: Profile;
  readonly format: ChartFormat;
  readonly coverage?: VisitCounts;
  readonly trace?: readonly TraceStep[];
}

export interface ChartOutput {
  readonly text: string;
  /** Graphviz warnings and coverage keys that name nothing in the charts. */
  readonly warnings: readonly string[];
}

/**
 * The chart's coverage, if the file has counts for it: a file without a single key of this chart
 * (an older coverage file of the node chart only) leaves it uncoloured, with a warning, instead of
 * painting every state red. Coloured by coverage, what no campaign drives is grey like the unreachable.
 */
function coverageFor(name: ModelName, request: ChartRequest, warnings: string[]): { coverage?: VisitCounts; reachable: Reachable } {
  const reachable = reachableUnder(MODELS[name], request.profile);
  const counts = request.coverage;
  if (!counts) return { reachable };
  const mine = (key: string) => chartOfKey(key) === name;
  if (!Object.keys(counts.states).some(mine) && !Object.keys(counts.transitions).some(mine)) {
    warnings.push(`the coverage file has no counts for the ${name} chart: drawn without coverage colours`);
    return { reachable };
  }
  return { coverage: counts, reachable: campaignReachable(reachable) };
}

function dotOf(name: ModelName, request: ChartRequest, warnings: string[]) {
  const spec = MODELS[name];
  return chartToDot(spec, {
    ...coverageFor(name, request, warnings),
    subtitle: spec.profileDependent ? request.profile : 'both profiles',
  });
}

export async function renderChart(request: ChartRequest): Promise<ChartOutput> {
  const warnings = request.coverage ? unknownCoverageKeys(request.coverage).map((key) => `coverage key names nothing in the charts: ${key}`) : [];
  const machine = request.machine ?? 'node';
  switch (request.format) {
    case 'dot':
      return { text: dotOf(machine, request, warnings).dot, warnings };
    case 'mermaid': {
      const spec = MODELS[machine];
      return { text: chartToMermaid(spec, { ...coverageFor(machine, request, warnings), subtitle: request.profile }), warnings };
    }
    case 'svg': {
      const { svg, warnings: graphviz } = await dotToSvg(dotOf(machine, request, warnings).dot);
      return { text: svg, warnings: [...warnings, ...graphviz] };
    }
    case 'html': {
      const names = request.machine ? [request.machine] : MODEL_NAMES;
      const charts = [];
      for (const name of names) {
        const { dot, ids } = dotOf(name, request, warnings);
        const { svg, warnings: graphviz } = await dotToSvg(dot);
        warnings.push(...graphviz.map((w) => `${name}: ${w}`));
        charts.push({ name, title: MODELS[name].title, svg, edgeIds: ids.transitions });
      }
      const subtitle = `profile ${request.profile}${request.coverage ? ', coloured by coverage' : ''}`;
      const text = chartsToHtml(charts, { heading: 'colosim charts', subtitle, ...(request.trace ? { trace: request.trace } : {}) });
      return { text, warnings };
    }
  }
}

/** Keys of a coverage file that are no state or transition of any chart (typos, renamed guards). */
export function unknownCoverageKeys(coverage: VisitCounts): string[] {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const name of MODEL_NAMES) {
    chartStates(MODELS[name].machine).forEach((s) => states.add(s.id));
    chartTransitions(MODELS[name].machine).forEach((t) => transitions.add(t.key));
  }
  return [...Object.keys(coverage.states).filter((k) => !states.has(k)), ...Object.keys(coverage.transitions).filter((k) => !transitions.has(k))];
}
