/*
 * A self-contained HTML page: every chart as inline SVG (no scripts or styles from the network) and
 * a small player for a run given as a trace (trace.ts): step forwards and backwards (buttons or the
 * arrow keys) and the states of the current step are highlighted in blue. A trace can be built into
 * the page (`--trace`) or loaded in the browser from a file or pasted JSON.
 */
import { escapeHtml } from './toDot.js';
import type { TraceStep } from './trace.js';

export interface PageChart {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
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
header { padding: 12px 20px; background: #f4f4f4; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
nav a { margin-right: 14px; }
#player { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: 13px; }
#player textarea { width: 320px; height: 2.2em; font-family: monospace; font-size: 11px; }
#step-info { font-family: monospace; }
section.chart { padding: 10px 20px 30px 20px; border-bottom: 1px solid #eee; overflow-x: auto; }
section.chart h2 { font-size: 16px; }
.active-state > path, .active-state > polygon, .active-state > ellipse { stroke: #1f6fd1 !important; stroke-width: 5px !important; fill: #dcebff !important; fill-opacity: 0.55; }
`;

const SCRIPT = `
(function () {
  var trace = JSON.parse(document.getElementById('trace-data').textContent || '[]');
  var index = 0;
  var pos = document.getElementById('step-pos');
  var info = document.getElementById('step-info');
  function idOf(machine, state) { return 'st_' + (machine + '.' + state).replace(/[^A-Za-z0-9_.]/g, '_'); }
  function show(i) {
    document.querySelectorAll('.active-state').forEach(function (el) { el.classList.remove('active-state'); });
    if (!trace.length) { pos.textContent = 'no trace loaded'; info.textContent = ''; return; }
    index = Math.max(0, Math.min(trace.length - 1, i));
    var step = trace[index];
    var states = Array.isArray(step.state) ? step.state : [step.state];
    var missing = [];
    var first = null;
    states.forEach(function (s) {
      var el = document.getElementById(idOf(step.machine, s));
      if (el) { el.classList.add('active-state'); first = first || el; } else { missing.push(s); }
    });
    pos.textContent = 'step ' + (index + 1) + ' / ' + trace.length;
    info.textContent = step.machine + ': ' + (step.event ? step.event + ' -> ' : '') + states.join(', ') +
      (missing.length ? '  (not in the charts: ' + missing.join(', ') + ')' : '');
    if (first) first.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  function load(text) {
    try {
      var parsed = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error('a trace is a JSON array of {machine, state, event}');
      trace = parsed; show(0);
    } catch (e) { info.textContent = 'cannot load the trace: ' + e.message; }
  }
  document.getElementById('first').onclick = function () { show(0); };
  document.getElementById('prev').onclick = function () { show(index - 1); };
  document.getElementById('next').onclick = function () { show(index + 1); };
  document.getElementById('last').onclick = function () { show(trace.length - 1); };
  document.getElementById('load').onclick = function () { load(document.getElementById('paste').value); };
  document.getElementById('file').onchange = function (e) {
    var file = e.target.files[0]; if (!file) return;
    var reader = new FileReader(); reader.onload = function () { load(String(reader.result)); }; reader.readAsText(file);
  };
  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'TEXTAREA') return;
    if (e.key === 'ArrowRight') show(index + 1);
    if (e.key === 'ArrowLeft') show(index - 1);
    if (e.key === 'Home') show(0);
    if (e.key === 'End') show(trace.length - 1);
  });
  show(0);
})();
`;

export function chartsToHtml(charts: readonly PageChart[], options: PageOptions): string {
  /* `<` is escaped so a trace can never close the script element it sits in. */
  const traceJson = JSON.stringify(options.trace ?? []).replace(/</g, '\\u003c');
  const nav = charts.map((c) => `<a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a>`).join('');
  const sections = charts
    .map((c) => `<section class="chart" id="chart-${escapeHtml(c.name)}"><h2>${escapeHtml(c.title)} <small>(${escapeHtml(c.name)})</small></h2>\n${inlineSvg(c.name, c.svg)}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
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
<span id="step-info"></span>
<label>trace file <input type="file" id="file" accept=".json,application/json"></label>
<textarea id="paste" placeholder='or paste a trace: [{"machine":"node","state":"RUNNING","event":"START"}]'></textarea><button id="load">load</button>
</div>
</header>
${sections}
<script id="trace-data" type="application/json">${traceJson}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
