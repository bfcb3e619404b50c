/*
 * The report of a differential campaign (`colosim diff --generate`, `fuzz --backend qemu`): its
 * run.json (what the campaign found, with the command line, QEMU's version and the wall time) read
 * back field by field, and its page: the verdict and what ran, the steps compared and skipped, the
 * documented divergences seen, and every distinct difference (run.json `distinct`, in the order the
 * campaign met them): its signature, how many scenarios showed it, a link to its shrunk scenario
 * file (relative to the page) with the table of its differing fields (engine against QEMU), its
 * steps and the replay command; one left unshrunk (past --keep-going) says so. A run.json without
 * `distinct` (older) shows its `failure` alone. Limit: these campaigns record no chart coverage and
 * no growth samples, so the page has neither.
 */
import { relative, resolve, sep } from 'node:path';
import { escapeHtml } from '../../models/render/toDot.js';
import type { DifferentialCheckResult, DistinctDifference } from '../check/differential.js';
import type { Difference } from '../check/diffResults.js';
import { parseScenario } from '../scenario/parseScenario.js';
import type { Scenario } from '../scenario/Scenario.js';
import { showValue as show, stepAt } from '../scenario/stepAt.js';
import type { BuildInfo } from './buildInfo.js';
import { describeStep } from './formatResult.js';
import { REPORT_STYLE } from './reportHtml.js';
import { type FieldCheck, ReportInputError, isCount, isCounts, isNumber, isObject, requireFields } from './runDocument.js';
import { barChart } from './svgPlots.js';

/** What run.json says its kind is when a differential campaign wrote it. */
export const DIFFERENTIAL_KIND = 'differential';

export interface DifferentialRunDocument extends Omit<DifferentialCheckResult, 'qemuFailure'> {
  readonly kind: typeof DIFFERENTIAL_KIND;
  readonly runsRequested: number;
  /** The command line that reruns the campaign, as printed before its first case (without npx). */
  readonly commandLine: string;
  readonly wallMs: number;
  readonly qemuVersion?: string;
  /** How concurrent sub-steps went to QEMU (absent in older documents: serial, the old default). */
  readonly connections?: 'parallel' | 'serial';
}

const FIELDS: readonly FieldCheck[] = [
  ['seed', isCount, 'an integer >= 0'],
  ['runsRequested', isCount, 'an integer >= 0'],
  ['commandLine', (v) => typeof v === 'string', 'a string'],
  ['wallMs', isNumber, 'a number'],
  ['scenarios', isCount, 'an integer >= 0'],
  ['runs', isCount, 'an integer >= 0'],
  ['compared', isCount, 'an integer >= 0'],
  ['skipped', isCount, 'an integer >= 0'],
  ['explained', isCounts, 'an object of counts'],
];

/** A differential run.json, checked field by field (`source` names the file in errors). */
export function readDifferentialDocument(raw: Record<string, unknown>, source: string): DifferentialRunDocument {
  requireFields(raw, FIELDS, source, 'colosim diff --generate');
  const failure = raw.failure;
  if (failure !== undefined && !(isObject(failure) && typeof failure.file === 'string' && isObject(failure.scenario) && Array.isArray(failure.differences))) {
    throw new ReportInputError(`${source}: failure: must be an object {file, scenario, differences}`);
  }
  return raw as unknown as DifferentialRunDocument;
}

export function differentialVerdict(doc: DifferentialRunDocument): string {
  if (doc.failure) return `DIFFERENCE: ${doc.failure.differences.length} field(s) differ between the engine and QEMU`;
  return `no difference in ${doc.scenarios} scenarios`;
}

/** `pageDir`: the folder the page is written to, so a scenario file's link is relative to it (default: the path as recorded). */
export function differentialReportHtml(doc: DifferentialRunDocument, build: BuildInfo, pageDir?: string): string {
  const verdict = differentialVerdict(doc);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>colosim diff --generate seed ${doc.seed}: ${escapeHtml(verdict)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>colosim differential campaign report</h1>
<div id="verdict" class="${doc.failure ? 'violation' : 'ok'}">${escapeHtml(verdict)}</div>
${factsTable(doc, build)}
<h2>Documented divergences seen</h2>
${Object.keys(doc.explained).length ? barChart(Object.entries(doc.explained).map(([label, value]) => ({ label, value })), { id: 'divergences' }) : '<p id="divergences">None: every run compared equal field by field.</p>'}
<p class="muted">Runs whose differences a documented divergence (src/qemu/divergences.ts) explains count as equal; this campaign records no chart coverage (run <code>npx colosim fuzz</code> for that).</p>
${differencesSection(doc, pageDir)}
</body>
</html>
`;
}

function factsTable(doc: DifferentialRunDocument, build: BuildInfo): string {
  const wallS = doc.wallMs / 1000;
  const facts: [string, string][] = [
    ['seed', String(doc.seed)],
    ['QEMU', doc.qemuVersion ?? 'unknown'],
    ['colosim version', build.version],
    ['git commit', build.commit],
    ['command line', `npx ${doc.commandLine}`],
    ['scenarios', `${doc.scenarios}${doc.scenarios !== doc.runsRequested ? ` of ${doc.runsRequested}` : ''}`],
    ['runs, shrinking included', String(doc.runs)],
    ['steps compared', String(doc.compared)],
    ['steps compared against a set', `${doc.setCompared ?? 0} (every order of concurrent sub-steps; ${doc.tooManyOrders ?? 0} run(s) with too many orders compared exactly)`],
    ['connections', doc.connections ?? 'serial'],
    ['steps skipped', String(doc.skipped)],
    ['wall time', `${wallS.toFixed(2)} s`],
    ['speed', wallS > 0 ? `${(doc.runs / wallS).toFixed(2)} runs/s` : '-'],
  ];
  return `<table class="facts" id="facts">${facts.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td data-fact="${escapeHtml(k)}">${k === 'command line' ? `<code>${escapeHtml(v)}</code>` : escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** Every distinct difference, each with its own section; an older run.json's failure alone. */
function differencesSection(doc: DifferentialRunDocument, pageDir: string | undefined): string {
  const distinct = doc.distinct ?? [];
  if (distinct.length === 0) return `<h2>Difference</h2>\n${doc.failure ? failureSection(doc.failure) : '<p>None: the engine and QEMU gave the same results.</p>'}`;
  const sections = distinct.map((d, i) => distinctSection(d, i, pageDir));
  return `<h2>Differences: ${distinct.length} distinct, in ${doc.differing ?? distinct.length} scenario(s)</h2>\n${sections.join('\n')}`;
}

function distinctSection(d: DistinctDifference, i: number, pageDir: string | undefined): string {
  const heading = `<h3 class="distinct" id="distinct-${i}">${i + 1}. <code class="signature">${escapeHtml(d.signature)}</code>: ${d.scenarios} scenario(s), first generated scenario ${d.firstScenario}</h3>`;
  if (d.file === undefined) {
    return `${heading}\n<p class="unshrunk">Not shrunk (past --keep-going; <code>--keep-going ${i + 1}</code> shrinks it).</p>\n${differenceTable(d.differences, scenarioOrUndefined(d.scenario), `differences-${i}`)}`;
  }
  const href = pageDir === undefined ? d.file : relative(resolve(pageDir), resolve(d.file)).split(sep).join('/');
  const kind = d.shrunk ? 'Shrunk to' : 'Did not show again; as generated in';
  return `${heading}\n${failureSection({ file: d.file, scenario: d.scenario, differences: d.differences }, `differences-${i}`, `${kind} <a class="scenario-file" href="${escapeHtml(href)}"><code>${escapeHtml(d.file)}</code></a>`)}`;
}

function differenceTable(differences: readonly Difference[], scenario: Scenario | undefined, id: string): string {
  const byStep = new Map<string, Difference[]>();
  for (const d of differences) byStep.set(d.step, [...(byStep.get(d.step) ?? []), d]);
  const rows = [...byStep.entries()].map(([step, ds]) => {
    const what = scenario ? stepAt(scenario, step) : undefined;
    return ds.map((d, i) => `<tr class="differs" data-step="${escapeHtml(step)}">${i === 0 ? `<td rowspan="${ds.length}"><b>#${escapeHtml(step)}</b> ${escapeHtml(what ? describeStep(what) : '')}</td>` : ''}<td><code>${escapeHtml(d.field)}</code></td><td>${escapeHtml(show(d.engine))}</td><td>${escapeHtml(show(d.qemu))}</td></tr>`).join('');
  });
  return `<table class="grid" id="${id}"><thead><tr><th>step</th><th>field</th><th>engine</th><th>QEMU</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function failureSection(
  failure: { readonly file: string; readonly scenario: unknown; readonly differences: readonly Difference[] },
  id = 'differences',
  where = `Shrunk to <code>${escapeHtml(failure.file)}</code>`,
): string {
  const scenario = scenarioOrUndefined(failure.scenario);
  const byStep = new Map<string, Difference[]>();
  for (const d of failure.differences) byStep.set(d.step, [...(byStep.get(d.step) ?? []), d]);
  const steps = scenario ? `<ol start="0" class="steps">${scenario.steps.map((s, i) => `<li${byStep.has(String(i)) || [...byStep.keys()].some((k) => k.startsWith(`${i}.`)) ? ' class="bad"' : ''}>${escapeHtml(describeStep(s))}</li>`).join('')}</ol>` : '';
  return `<p>${where}${scenario ? ` (${scenario.steps.length} steps, ${escapeHtml(scenario.profile)}, ${scenario.disks} disk(s) of ${scenario.disk.size} bytes)` : ''}.</p>
<p>Replay: <code class="replay">npx colosim diff ${escapeHtml(failure.file)}</code> &middot; on the engine alone against the models: <code>npx colosim run ${escapeHtml(failure.file)} --check</code></p>
${differenceTable(failure.differences, scenario, id)}
<h4>The scenario's steps</h4>
${steps}`;
}

function scenarioOrUndefined(raw: unknown): Scenario | undefined {
  try {
    return parseScenario(raw);
  } catch {
    return undefined;
  }
}
