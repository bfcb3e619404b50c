/*
 * Writes the model-generated scenario files under models/scenarios/ (or the directory given), after
 * removing the generated folders there, and prints how many were written and which paths were skipped.
 * Usage: npx tsx models/scripts/generateScenarios.ts [DIR]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedScenarioFiles } from '../paths/generatedScenarios.js';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const { files, skipped } = generatedScenarioFiles();
for (const folder of ['pair', 'start-checks']) rmSync(join(root, folder), { recursive: true, force: true });
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
process.stdout.write(`wrote ${files.size} scenario files under ${root}\n`);
for (const { name, reason } of skipped) process.stdout.write(`skipped ${name}: ${reason}\n`);
