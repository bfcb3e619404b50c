/*
 * One entry point for every rendering: a machine (or, for HTML, all of them) under a profile, as
 * DOT, SVG, Mermaid or a self-contained HTML page, optionally coloured by a coverage file and (HTML)
 * with a trace to step through. Transitions the profile cannot reach are drawn grey, so a v24 chart
 * shows which 7.2 rules it lacks and the other way round.
 */
import type { Profile } from '../../src/scenario/Scenario.js';
import type { ChartFormat } from './chartFormats.js';
import { chartStates, chartTransitions } from '../paths/chartTransitions.js';
import { reachableUnder } from '../paths/coveringPaths.js';
import { MODEL_NAMES, MODELS, type ModelName } from '../paths/modelCatalog.js';
import type { VisitCounts } from './coverageStyle.js';
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

function dotOf(name: ModelName, request: ChartRequest) {
  const spec = MODELS[name];
  return chartToDot(spec, {
    reachable: reachableUnder(spec, request.profile),
    subtitle: spec.profileDependent ? request.profile : 'both profiles',
    ...(request.coverage ? { coverage: request.coverage } : {}),
  });
}

export async function renderChart(request: ChartRequest): Promise<ChartOutput> {
  const warnings = request.coverage ? unknownCoverageKeys(request.coverage).map((key) => `coverage key names nothing in the charts: ${key}`) : [];
  const machine = request.machine ?? 'node';
  switch (request.format) {
    case 'dot':
      return { text: dotOf(machine, request).dot, warnings };
    case 'mermaid': {
      const spec = MODELS[machine];
      const options = { reachable: reachableUnder(spec, request.profile), subtitle: request.profile, ...(request.coverage ? { coverage: request.coverage } : {}) };
      return { text: chartToMermaid(spec, options), warnings };
    }
    case 'svg': {
      const { svg, warnings: graphviz } = await dotToSvg(dotOf(machine, request).dot);
      return { text: svg, warnings: [...warnings, ...graphviz] };
    }
    case 'html': {
      const names = request.machine ? [request.machine] : MODEL_NAMES;
      const charts = [];
      for (const name of names) {
        const { svg, warnings: graphviz } = await dotToSvg(dotOf(name, request).dot);
        warnings.push(...graphviz.map((w) => `${name}: ${w}`));
        charts.push({ name, title: MODELS[name].title, svg });
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
