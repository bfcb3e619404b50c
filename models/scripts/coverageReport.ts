/*
 * Prints the coverage the generated paths reach on every chart (states and transitions: visited /
 * reachable under the profile / in the chart) and, on request, writes the visit counts as a coverage
 * file for `colosim chart --coverage` and the trace of the longest pair path for `--trace`.
 * Usage: npx tsx models/scripts/coverageReport.ts [--write-coverage FILE] [--write-trace FILE]
 */
import { writeFileSync } from 'node:fs';
import { type CoverageFigures, mergeCounts, modelCoverage } from '../paths/coveringPaths.js';
import { MODEL_NAMES, MODELS } from '../paths/modelCatalog.js';
import { emptyVisitCounts, replayPath } from '../paths/replayPath.js';
import { traceOfReplay } from '../render/trace.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const line = (f: CoverageFigures) =>
  `${f.model.padEnd(7)} ${f.profile.padEnd(9)} paths ${String(f.paths).padStart(4)}  events ${String(f.events).padStart(5)}  ` +
  `states ${f.states.visited}/${f.states.reachable}/${f.states.total}  transitions ${f.transitions.visited}/${f.transitions.reachable}/${f.transitions.total}`;

process.stdout.write('model   profile   (states and transitions: visited / reachable under the profile / in the chart)\n');
const counts = emptyVisitCounts();
let longest = { model: 'pair', input: undefined as unknown, events: [] as readonly { type: string }[] };
for (const name of MODEL_NAMES) {
  const spec = MODELS[name];
  const coverage = modelCoverage(spec);
  for (const figures of spec.profileDependent ? [...coverage.perProfile, coverage.overall] : [coverage.overall]) {
    process.stdout.write(`${line(figures)}\n`);
    for (const key of figures.unvisitedTransitions.filter((k) => !figures.unreachableTransitions.includes(k))) process.stdout.write(`    not visited: ${key}\n`);
  }
  mergeCounts(counts, coverage.counts);
  for (const path of coverage.paths) if (name === 'pair' && path.events.length > longest.events.length) longest = path;
}
const coverageFile = option('--write-coverage');
if (coverageFile) writeFileSync(coverageFile, `${JSON.stringify(counts, null, 2)}\n`);
const traceFile = option('--write-trace');
if (traceFile) {
  const replay = replayPath(MODELS.pair.machine, longest.input, longest.events);
  writeFileSync(traceFile, `${JSON.stringify(traceOfReplay('pair', replay), null, 2)}\n`);
}
