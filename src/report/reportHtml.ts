/*
 * The campaign report page: one self-contained HTML file (inline CSS and SVG, no script, nothing
 * fetched) with the verdict and what ran, coverage with denominators per chart and every unvisited
 * transition by name, invariants and faults as bar charts, the generator's distribution and the
 * data-check fraction, growth over the campaign (distinct transitions and cases/s against cases),
 * and each counterexample as a timeline (timelineHtml.ts).
 */
import { escapeHtml } from '../../models/render/toDot.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import type { GrowthSample } from '../fuzz/Growth.js';
import { TICKS_PER_SECOND } from '../sim/Clock.js';
import type { BuildInfo } from './buildInfo.js';
import type { ChartCoverageRow } from './chartCoverage.js';
import { formatDataCheck } from './formatSummary.js';
import { barChart, linePlot } from './svgPlots.js';

export interface ReportPage {
  readonly run: CampaignSummary;
  readonly build: BuildInfo;
  readonly command: string;
  /** The profile whose reachable parts are the denominators. */
  readonly spec: string;
  readonly coverage: readonly ChartCoverageRow[];
  /** Counterexample sections, already rendered. */
  readonly counterexamples: readonly string[];
}

/** The report pages' stylesheet (the differential campaign's page uses it too). */
export const REPORT_STYLE = `
body { font-family: system-ui, sans-serif; margin: 0 24px 40px 24px; color: #222; max-width: 1200px; }
h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; } h3 { font-size: 15px; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; text-align: left; vertical-align: top; }
table.facts td:first-child { color: #555; white-space: nowrap; } table.grid td, table.grid th { border: 1px solid #ddd; }
#verdict { font-size: 20px; font-weight: bold; padding: 10px 14px; border-radius: 4px; display: inline-block; }
#verdict.ok { background: #e3f4e1; color: #14591d; } #verdict.violation { background: #fde2e2; color: #a11; } #verdict.interrupted { background: #fff3cd; color: #7a5b00; }
.bad { color: #b00; } .muted { color: #666; font-size: 12px; } code { font-size: 12px; background: #f4f4f4; padding: 1px 4px; }
.plot text { fill: #333; } .plot text.bad { fill: #b00; font-weight: bold; }
ul.unvisited, ol.steps { font-family: monospace; font-size: 12px; }
table.timeline td.lane div, table.timeline td.what div { font-family: monospace; font-size: 11px; white-space: pre-wrap; }
table.timeline { border: 1px solid #ccc; } table.timeline td, table.timeline th { border-bottom: 1px solid #eee; border-right: 1px dotted #ddd; }
table.timeline th.lane { min-width: 140px; } table.timeline th { white-space: nowrap; } tr.violating { background: #fde2e2; } tr.violating td.what { border-left: 4px solid #d62728; }
.violation { color: #a11; font-weight: normal; } .result { color: #555; } td.what div.part { font-family: monospace; font-size: 11px; padding-left: 10px; }
td.maps div.differs { color: #a11; font-size: 11px; max-width: 270px; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 10px; border: 1px solid #bbb; vertical-align: middle; }
.legend span.na { background: repeating-linear-gradient(45deg, #fff, #fff 2px, #ccc 2px, #ccc 3px); }
`;

export function reportHtml(page: ReportPage): string {
  const { run } = page;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>colosim fuzz seed ${run.seed}: ${escapeHtml(verdictText(run))}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>colosim campaign report</h1>
${verdictSection(page)}
${coverageSection(page)}
${invariantSection(run)}
${growthSection(run.growth)}
<h2>Counterexamples</h2>
${page.counterexamples.length ? page.counterexamples.join('\n') : '<p>None: no invariant was violated.</p>'}
</body>
</html>
`;
}

export function verdictText(run: CampaignSummary): string {
  if (run.counterexample) return `VIOLATION ${run.counterexample.invariant} at step ${run.counterexample.step}`;
  return run.interrupted ? `no violation in ${run.cases} of ${run.runsRequested} cases (interrupted)` : `no violation in ${run.cases} cases`;
}

function verdictSection(page: ReportPage): string {
  const { run } = page;
  const cls = run.counterexample ? 'violation' : run.interrupted ? 'interrupted' : 'ok';
  const wallS = run.wallMs / 1000;
  const rate = (n: number) => (wallS > 0 ? (n / wallS).toFixed(1) : '-');
  const facts: [string, string][] = [
    ['seed', String(run.seed)],
    ['profile', `${run.options.profile} (checked against ${page.spec}'s rules)`],
    ['faults', run.options.faults],
    ['steps a case, at most', String(run.options.steps)],
    ['colosim version', page.build.version],
    ['git commit', page.build.commit],
    ['command line', page.command],
    ['cases', `${run.cases}${run.cases !== run.runsRequested ? ` of ${run.runsRequested}` : ''}`],
    ['steps', String(run.steps)],
    ['simulated time', `${(run.simulatedTicks / TICKS_PER_SECOND).toFixed(3)} s`],
    ['wall time', `${wallS.toFixed(2)} s`],
    ['speed', `${rate(run.cases)} cases/s, ${rate(run.steps)} steps/s`],
    ['data check', formatDataCheck(run.dataCheck)],
    ['summary hash', run.summaryHash],
  ];
  const message = run.counterexample ? `<p class="bad" id="verdict-message">${escapeHtml(run.counterexample.message)}</p>` : '';
  return `<div id="verdict" class="${cls}">${escapeHtml(verdictText(run))}</div>
${message}
<table class="facts" id="facts">${facts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td data-fact="${escapeHtml(k)}">${k === 'command line' ? `<code>${escapeHtml(v)}</code>` : escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function coverageSection(page: ReportPage): string {
  const rows = page.coverage.map((r) => {
    const pct = (a: number, b: number) => (b > 0 ? ` (${((100 * a) / b).toFixed(0)} %)` : '');
    return `<tr id="coverage-${r.chart}" data-chart="${r.chart}"><td>${escapeHtml(r.title)} <small>(${r.chart})</small></td>` +
      `<td class="states">${r.states.visited}/${r.states.reachable}${pct(r.states.visited, r.states.reachable)}</td>` +
      `<td class="transitions">${r.transitions.visited}/${r.transitions.reachable}${pct(r.transitions.visited, r.transitions.reachable)}</td>` +
      `<td>${r.transitions.total}${r.outOfScope ? `, ${r.outOfScope} never driven by campaigns` : ''}</td></tr>`;
  });
  const lists = page.coverage.map((r) => {
    const items = [...r.unvisitedStates.map((s) => `state ${s}`), ...r.unvisited];
    return `<details id="unvisited-${r.chart}"${items.length ? '' : ''}><summary>${escapeHtml(r.chart)}: ${r.unvisited.length} reachable transition(s) and ${r.unvisitedStates.length} state(s) never visited</summary><ul class="unvisited">${items.map((k) => `<li>${escapeHtml(k)}</li>`).join('')}</ul></details>`;
  });
  return `<h2>Coverage of the charts</h2>
<p class="muted">Denominators: what the chart can reach under ${escapeHtml(page.spec)}'s rules (explored with @xstate/graph), without the node chart's UNOPENED and OPEN transitions, which no campaign drives (every node is opened once, as the pair is built). Colour a chart with <code>npx colosim chart --format html --coverage coverage.json</code>.</p>
<table class="grid" id="coverage"><thead><tr><th>chart</th><th>states visited / reachable</th><th>transitions visited / reachable</th><th>transitions in the chart</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${lists.join('\n')}`;
}

function invariantSection(run: CampaignSummary): string {
  const invariants = Object.entries(run.invariants).map(([label, c]) => ({ label, value: c.checks, alert: c.violations }));
  const faults = Object.entries(run.faults).map(([label, value]) => ({ label, value }));
  const g = run.generator;
  const tables: [string, Record<string, number>][] = [
    ['steps drawn, by kind', g.ops],
    ['faults drawn into plans', g.faults],
    ['guest I/O sizes', g.ioSizes],
    ['concurrency widths', g.concurrencyWidths],
    ['disks per side', g.disks],
    ['disk sizes', g.diskSizes],
    ['swarm features enabled (cases)', g.swarm],
  ];
  const reasons = Object.entries(run.dataCheck.indeterminate).map(([label, value]) => ({ label, value }));
  return `<h2>Invariants and faults</h2>
<h3>Checks and violations per invariant (log scale; violations in red)</h3>
${barChart(invariants, { id: 'invariants' })}
<h3>Fault kinds fired</h3>
${barChart(faults, { id: 'faults-fired' })}
<h3>Data check</h3>
<p id="data-check">${escapeHtml(formatDataCheck(run.dataCheck))}</p>
${reasons.length ? `<p class="muted">Indeterminate disk-steps by reason: each was checked against every value the data model admits there, not skipped (one step can have several reasons).</p>\n${barChart(reasons, { id: 'indeterminate' })}` : ''}
<h3>What the generator drew</h3>
${tables.map(([title, counts], i) => `<details${i === 0 ? ' open' : ''}><summary>${escapeHtml(title)} (${Object.keys(counts).length})</summary>${Object.keys(counts).length ? barChart(Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value })), { id: `generator-${i}` }) : '<p class="muted">not recorded</p>'}</details>`).join('\n')}`;
}

/** At most MAX_PLOTTED samples, evenly spaced, always with the last: a long campaign's page stays small. */
export const MAX_PLOTTED = 400;

function thinned(growth: readonly GrowthSample[]): readonly GrowthSample[] {
  if (growth.length <= MAX_PLOTTED) return growth;
  const every = Math.ceil(growth.length / MAX_PLOTTED);
  return growth.filter((_, i) => i % every === every - 1 || i === growth.length - 1);
}

function growthSection(growth: readonly GrowthSample[]): string {
  if (growth.length === 0) return '<h2>Growth over time</h2><p class="muted">No growth samples in this run.json.</p>';
  /* From the first sample's counts up: most is found in the first cases, what matters is whether it still grows. */
  const shown = thinned(growth);
  const transitions = shown.map((g) => [g.cases, g.transitions] as const);
  const states = shown.map((g) => [g.cases, g.states] as const);
  const speed = shown.map((g, i) => {
    const prev = i === 0 ? { cases: 0, wallMs: 0 } : shown[i - 1]!;
    const ms = g.wallMs - prev.wallMs;
    return [g.cases, ms > 0 ? (1000 * (g.cases - prev.cases)) / ms : 0] as const;
  });
  const last = growth.at(-1)!;
  const flatSince = growth.find((g) => g.transitions === last.transitions)!;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const drawn = shown.length < growth.length ? ` (${shown.length} drawn)` : '';
  return `<h2>Growth over time</h2>
<p id="growth-note">${plural(growth.length, 'sample')}${drawn}. ${plural(last.transitions, 'distinct transition')} after ${plural(last.cases, 'case')}; the last new one appeared by case ${flatSince.cases}.</p>
${linePlot([{ name: 'distinct transitions', color: '#1f6fd1', points: transitions }, { name: 'distinct states', color: '#2ca02c', points: states }], { id: 'growth-coverage', xLabel: 'cases', fromMin: true })}
<p class="muted">Each curve runs from its first sample's count (bottom) to its last (top): a flat line at the top is a campaign that stopped finding new states or transitions.</p>
${linePlot([{ name: 'cases/s', color: '#d2691e', points: speed }], { id: 'growth-speed', xLabel: 'cases' })}`;
}
