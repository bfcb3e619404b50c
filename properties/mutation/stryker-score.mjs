// The mutation score of the results StrykerJS has accumulated in stryker-incremental.json, per file
// and per folder, with timeouts counted as survivors (Stryker's own score counts them as killed):
// killed / (killed + survived + timed out + no coverage). Ignored and compile-error mutants are not
// counted. `node properties/mutation/stryker-score.mjs [report.json]`; prints a table, exits 0.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const reportPath = process.argv[2] ?? 'properties/mutation/stryker-incremental.json';
const report = JSON.parse(readFileSync(reportPath, 'utf-8'));
const counted = ['Killed', 'Survived', 'Timeout', 'NoCoverage'];

function tally(mutants) {
  const t = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0 };
  for (const m of mutants) if (counted.includes(m.status)) t[m.status] += 1;
  const total = counted.reduce((sum, s) => sum + t[s], 0);
  return { ...t, total, score: total === 0 ? 0 : (100 * t.Killed) / total };
}

function row(name, t) {
  const cells = [t.Killed, t.Survived, t.Timeout, t.NoCoverage, t.total].map((n) => String(n).padStart(8));
  return `${name.padEnd(44)}${cells.join('')}${t.score.toFixed(1).padStart(8)} %`;
}

const byFolder = new Map();
console.log(`${'file'.padEnd(44)}${['killed', 'surv', 'timeout', 'nocov', 'total'].map((h) => h.padStart(8)).join('')}   score`);
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  console.log(row(file, tally(mutants)));
  const folder = dirname(file);
  byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...mutants]);
}
for (const [folder, mutants] of byFolder) console.log(row(`${folder}/ (folder)`, tally(mutants)));
console.log(row('all', tally(Object.values(report.files).flatMap((f) => f.mutants))));
