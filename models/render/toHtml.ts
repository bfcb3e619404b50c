/*
 * The chart explorer: a self-contained HTML page with every chart as inline SVG (nothing from the
 * network; a Content-Security-Policy forbids it) in a viewport that pans, zooms and fits, a search
 * box for states and events, and a player for a run given as a trace (trace.ts): step forwards and
 * backwards (buttons, the arrow keys or the swimlane table of steps: one column per node, each row
 * headed by its scenario step), the current step's states in blue and its taken transition in
 * orange, violating steps in red (explorerScript.ts). A
 * trace can be built into the page (`--trace`) or loaded in the browser from a file or pasted JSON.
 */
import { EXPLORER_SCRIPT } from './explorerScript.js';
import { escapeHtml } from './toDot.js';
import type { TraceStep } from './trace.js';

export interface PageChart {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
  /** Transition key -> the SVG id of its arrow (the player draws a taken transition there). */
  readonly edgeIds?: Readonly<Record<string, string>>;
}

export interface PageOptions {
  readonly heading: string;
  readonly subtitle?: string;
  readonly trace?: readonly TraceStep[];
}

/** The <svg> element of Graphviz output, with Graphviz's own element ids made unique per chart. */
export function inlineSvg(name: string, svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error(`chart ${name}: not an SVG document`);
  return svg.slice(start).replace(/ id="(graph|node|edge|clust|a_node|a_edge)(\d+)"/g, ` id="${name}_$1$2"`);
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 10px 20px; background: #f4f4f4; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
nav a { margin-right: 14px; }
#player, #finder { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: 13px; }
#player textarea { width: 260px; height: 2.2em; font-family: monospace; font-size: 11px; }
#step-info { font-family: monospace; }
#step-violation { color: #b00; font-weight: bold; font-family: monospace; }
#lanes { display: flex; gap: 6px; flex-wrap: wrap; font-family: monospace; font-size: 12px; }
.lane-chip { border: 2px solid; border-radius: 3px; padding: 0 4px; } .lane-chip.current { background: #dcebff; }
#steps { max-height: 9.5em; overflow-y: auto; margin: 6px 0 0 0; font-family: monospace; font-size: 11px; background: #fff; border: 1px solid #ddd; position: relative; }
#steps table { border-collapse: collapse; } #steps th { position: sticky; top: 0; background: #eee; text-align: left; padding: 1px 8px; border-bottom: 2px solid; }
#steps td { padding: 0 8px; border-right: 1px dotted #ccc; white-space: nowrap; } #steps td.n, #steps td.scenario-step { color: #666; }
#steps tr.trace-step { cursor: pointer; } #steps tr.current { background: #dcebff; } #steps tr.violating-step { color: #b00; font-weight: bold; background: #fde2e2; } #steps tr.violating-step.current { background: #f8c4c4; }
header .muted { color: #666; font-size: 12px; }
section.chart { padding: 6px 20px 16px 20px; border-bottom: 1px solid #eee; }
section.chart h2 { font-size: 16px; margin: 6px 0; } .tools button { margin-left: 4px; }
.viewport { height: 72vh; border: 1px solid #ccc; background: #fff; overflow: hidden; cursor: grab; }
.viewport.dragging { cursor: grabbing; } .viewport svg { width: 100%; height: 100%; display: block; }
.active-state > path, .active-state > polygon, .active-state > ellipse { stroke: #1f6fd1 !important; stroke-width: 5px !important; fill: #dcebff !important; fill-opacity: 0.55; }
.lane-state > path, .lane-state > polygon { stroke-width: 4px !important; }
.lane-0 > path, .lane-0 > polygon, .lane-chip.lane-0, th.lane-0 { stroke: #ff7f0e !important; border-color: #ff7f0e; }
.lane-1 > path, .lane-1 > polygon, .lane-chip.lane-1, th.lane-1 { stroke: #9467bd !important; border-color: #9467bd; }
.lane-2 > path, .lane-2 > polygon, .lane-chip.lane-2, th.lane-2 { stroke: #17becf !important; border-color: #17becf; }
.lane-3 > path, .lane-3 > polygon, .lane-chip.lane-3, th.lane-3 { stroke: #8c564b !important; border-color: #8c564b; }
.lane-4 > path, .lane-4 > polygon, .lane-chip.lane-4, th.lane-4 { stroke: #bcbd22 !important; border-color: #bcbd22; }
.lane-5 > path, .lane-5 > polygon, .lane-chip.lane-5, th.lane-5 { stroke: #e377c2 !important; border-color: #e377c2; }
.taken-edge > path { stroke: #ff7f0e !important; stroke-width: 5px !important; } .taken-edge > polygon { stroke: #ff7f0e !important; fill: #ff7f0e !important; }
.taken-edge text { fill: #c25400 !important; font-weight: bold; } g.taken-edge[id^="a_rw_"] text { text-decoration: underline; }
.search-hit > path, .search-hit > polygon { stroke: #e6a800 !important; stroke-width: 6px !important; } .search-hit text { fill: #8a5a00 !important; }
.violating-state > path, .violating-state > polygon { stroke: #d62728 !important; stroke-width: 6px !important; fill: #fde2e2 !important; }
`;

export function chartsToHtml(charts: readonly PageChart[], options: PageOptions): string {
  /* `<` is escaped so a trace can never close the script element it sits in. */
  const traceJson = JSON.stringify(options.trace ?? []).replace(/</g, '\\u003c');
  const nav = charts.map((c) => `<a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a>`).join('');
  const tools = '<span class="tools"><button class="zoom-in" title="zoom in (or the mouse wheel)">+</button><button class="zoom-out" title="zoom out">-</button><button class="fit" title="the whole chart">fit</button></span>';
  const sections = charts
    .map((c) => `<section class="chart" id="chart-${escapeHtml(c.name)}"><h2>${escapeHtml(c.title)} <small>(${escapeHtml(c.name)})</small> ${tools}</h2>\n<div class="viewport" data-chart="${escapeHtml(c.name)}">${inlineSvg(c.name, c.svg)}</div>\n</section>`)
    .join('\n');
  const edgeIds = JSON.stringify(Object.assign({}, ...charts.map((c) => c.edgeIds ?? {}))).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(options.heading)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.heading)}${options.subtitle ? ` <small>${escapeHtml(options.subtitle)}</small>` : ''}</h1>
<nav>${nav}</nav>
<div id="player">
<button id="first" title="first step (Home)">|&lt;</button><button id="prev" title="previous step (Left)">&lt;</button>
<span id="step-pos"></span>
<button id="next" title="next step (Right)">&gt;</button><button id="last" title="last step (End)">&gt;|</button>
<label title="zoom the chart to each step's state as you step"><input type="checkbox" id="follow" checked> follow</label>
<span id="step-info"></span>
<label>trace file <input type="file" id="file" accept=".json,application/json"></label>
<textarea id="paste" placeholder='or paste a trace: [{"machine":"node","state":"RUNNING","event":"START"}]'></textarea><button id="load">load</button>
</div>
<div id="lanes"></div>
<div id="step-violation"></div>
<div id="steps"></div>
<div id="finder"><label>search states and events <input id="search" type="search" placeholder="e.g. FAILOVER or CHECKPOINT"></label><span id="search-count"></span>
<span class="muted">drag to pan, wheel to zoom, "fit" shows a whole chart; arrow keys step through the trace</span></div>
</header>
${sections}
<script id="trace-data" type="application/json">${traceJson}</script>
<script id="edge-ids" type="application/json">${edgeIds}</script>
<script>${EXPLORER_SCRIPT}</script>
</body>
</html>
`;
}
