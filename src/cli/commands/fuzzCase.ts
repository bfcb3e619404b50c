/*
 * `colosim fuzz --case N`: rerun exactly case N of a campaign (same seed and generator options),
 * print its steps and violations, and write the generated scenario to <out>/case-N.json, which
 * `colosim replay` or `colosim run` reruns without the generator. Exit 1 if it violates an invariant.
 */
import { join } from 'node:path';
import { caseSeed, generateDrawnCase } from '../../fuzz/caseScenario.js';
import type { FuzzOptions } from '../../fuzz/FuzzOptions.js';
import { caseWhere, runCaseSafely } from '../../fuzz/runCase.js';
import { formatResult } from '../../report/formatResult.js';
import { ExitCode } from '../ExitCode.js';
import { prepareOutputDir, writeOutputFile } from '../outputFiles.js';

export interface OneCase {
  readonly campaignSeed: number;
  readonly index: number;
  readonly fuzz: FuzzOptions;
  readonly outDir: string;
  readonly json: boolean;
}

export async function runOneCase(c: OneCase): Promise<number> {
  prepareOutputDir('fuzz: ', '--out', c.outDir);
  const seed = caseSeed(c.campaignSeed, c.index);
  const { scenario } = generateDrawnCase(c.fuzz, c.campaignSeed, c.index, seed);
  const result = await runCaseSafely(scenario, caseWhere(c.index, seed));
  const path = join(c.outDir, `case-${c.index}.json`);
  writeOutputFile('fuzz: ', path, `${JSON.stringify(scenario, null, 1)}\n`);
  if (c.json) {
    const doc = { seed: c.campaignSeed, case: c.index, caseSeed: seed, traceHash: result.traceHash, violations: result.violations, scenario: path };
    process.stdout.write(`${JSON.stringify(doc, null, 1)}\n`);
  } else {
    process.stdout.write(`colosim fuzz: seed ${c.campaignSeed}, case ${c.index} (case seed ${seed})\n${formatResult(scenario, result.document, [])}\n`);
    for (const v of result.violations) process.stdout.write(`VIOLATION ${v.invariant} (${v.kind}) at step ${v.step}: ${v.message}\n`);
    process.stdout.write(`${result.violations.length > 0 ? 'violated' : 'no violation'}; the case as a scenario: ${path} (replay: npx colosim replay ${path})\n`);
  }
  return result.violations.length > 0 ? ExitCode.Violation : ExitCode.Ok;
}
