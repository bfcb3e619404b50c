/*
 * A counterexample as a Jepsen-style timeline: time runs down, one row per scenario step, one lane
 * (column) per side and per block job; the violating step is red with its invariant and message;
 * beside each step a cluster map of the primary, secondary, hidden and active disks (clusterMaps.ts):
 * grey empty, blue holding data, red holding bytes the data model does not admit, hatched n/a.
 */
import { escapeHtml } from '../../models/render/toDot.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { DiskMap } from './clusterMaps.js';
import type { Timeline, TimelineStep } from './counterexampleRun.js';

const CELL_COLOR = { empty: '#e6e6e6', alloc: '#5b8fd6', differs: '#d62728', 'n/a': '#ffffff' } as const;

export function timelineHtml(id: string, scenario: Scenario, file: string, timeline: Timeline): string {
  const origin = scenario.origin;
  const drift = origin?.traceHash !== undefined && origin.traceHash !== timeline.traceHash
    ? `<p class="bad">The rerun drifted: trace hash ${escapeHtml(timeline.traceHash)}, the counterexample recorded ${escapeHtml(origin.traceHash)}.</p>`
    : `<p class="muted">Rerun on the engine for this report: trace hash ${escapeHtml(timeline.traceHash)}${origin?.traceHash ? ' (as recorded)' : ''}.</p>`;
  const head = `<tr><th>step</th>${timeline.lanes.map((l) => `<th class="lane">${escapeHtml(l)}</th>`).join('')}<th>disk 0: P S H A</th></tr>`;
  const rows = timeline.steps.map((s) => stepRow(s, timeline.lanes)).join('\n');
  const after = timeline.after.map((v) => `<tr class="violating"><td colspan="${timeline.lanes.length + 2}">after the last step: <b>${escapeHtml(v.invariant)}</b> (${escapeHtml(v.kind)}) at step ${v.step}: ${escapeHtml(v.message)}</td></tr>`).join('');
  return `<section class="counterexample" id="${escapeHtml(id)}">
<h3>${escapeHtml(origin?.invariant ?? 'counterexample')} at step ${origin?.step ?? '?'} <small>${escapeHtml(file)}</small></h3>
${origin ? `<p class="bad violation-message">${escapeHtml(origin.message)}</p>` : ''}
<p>Replay: <code class="replay">npx colosim replay ${escapeHtml(file)}</code>${origin?.command ? ` &middot; found by <code class="found-by">${escapeHtml(withNpx(origin.command))}</code>, case ${origin.case}` : ''}</p>
<p class="muted">Step through it on the charts: <code>npx colosim run ${escapeHtml(file)} --check --chart-trace trace.json</code>, then <code>npx colosim chart --format html --profile ${escapeHtml(scenario.profile)} --trace trace.json --out charts.html</code>.</p>
<p class="muted">${escapeHtml(scenario.profile)}, ${scenario.disks} disk(s) of ${scenario.disk.size} bytes, ${scenario.steps.length} steps, ${scenario.engine.faults.length} planned fault(s).</p>
${drift}
<table class="timeline"><thead>${head}</thead><tbody>
${rows}
${after}
</tbody></table>
<p class="legend"><span style="background:${CELL_COLOR.empty}"></span>empty <span style="background:${CELL_COLOR.alloc}"></span>holds data <span style="background:${CELL_COLOR.differs}"></span>differs from the data model <span class="na"></span>cannot be read (lost or ejected)</p>
</section>`;
}

/** Scenario files record `colosim ...`; the page prints commands as they are typed in a clone, with npx. */
function withNpx(command: string): string {
  return command.startsWith('colosim ') ? `npx ${command}` : command;
}

function stepRow(s: TimelineStep, lanes: readonly string[]): string {
  const bad = s.violations.length > 0;
  const cells = lanes.map((lane) => `<td class="lane">${(s.lanes.get(lane) ?? []).map((t) => `<div>${escapeHtml(t)}</div>`).join('')}</td>`).join('');
  const violation = s.violations.map((v) => `<div class="violation"><b>${escapeHtml(v.invariant)}</b> (${escapeHtml(v.kind)}): ${escapeHtml(v.message)}</div>`).join('');
  return `<tr id="step-${s.index}" class="step${bad ? ' violating' : ''}" data-step="${s.index}"><td class="what"><b>#${s.index}</b> ${escapeHtml(s.what)}<div class="result">${escapeHtml(s.result)}</div>${s.parts.map((p) => `<div class="part">${escapeHtml(p)}</div>`).join('')}${violation}</td>${cells}<td class="maps">${mapsSvg(s.maps)}${differing(s.maps)}</td></tr>`;
}

/** The bytes that differ from the data model, per layer, written under the maps (none: nothing). */
function differing(maps: readonly DiskMap[]): string {
  const layers = maps.filter((m) => m.differingBytes > 0).map((m) => `${m.layer} ${m.differingBytes}`);
  return layers.length ? `<div class="differs">bytes differing from the model: ${escapeHtml(layers.join(', '))}</div>` : '';
}

function mapsSvg(maps: readonly DiskMap[]): string {
  /* A small disk gets wide cells, so a one-cluster disk is still a visible box. */
  const cellW = Math.min(32, Math.max(4, Math.floor(256 / Math.max(1, ...maps.map((m) => m.cells.length)))));
  const rowH = 10;
  const width = 14 + Math.max(0, ...maps.map((m) => m.cells.length)) * cellW;
  const rows = maps.map((m, i) => {
    const y = i * (rowH + 2);
    const cells = m.cells.map((c, j) => `<rect x="${14 + j * cellW}" y="${y}" width="${cellW - 0.5}" height="${rowH}" fill="${CELL_COLOR[c]}"${c === 'n/a' ? ' stroke="#bbb" stroke-width="0.4"' : ''}/>`).join('');
    return `<text x="0" y="${y + rowH - 1}" font-size="10">${m.layer[0]!.toUpperCase()}</text>${cells}`;
  });
  const count = (m: DiskMap, state: string) => m.cells.filter((c) => c === state).length;
  const title = maps.map((m) => `${m.layer}: ${m.cells.length} cells of ${m.cellBytes} bytes, ${count(m, 'alloc')} holding data as the model says${m.differingBytes ? `, ${count(m, 'differs')} differing from it (${m.differingBytes} bytes)` : ''}`).join('\n');
  const differs = maps.some((m) => m.differingBytes > 0);
  return `<svg class="clusters${differs ? ' differs' : ''}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${maps.length * (rowH + 2)}"><title>${escapeHtml(title)}</title>${rows.join('')}</svg>`;
}
