/*
 * `colosim replay FILE`: rerun a counterexample (or any scenario) under the campaign's checker.
 * Exit 1 while it still violates an invariant, 0 once it holds, 2 if the file is malformed or the
 * replay drifted (its trace hash differs from the one the counterexample recorded, or its replay
 * schedule no longer fits the engine).
 */
import type { Command } from 'commander';
import { runCaseSafely } from '../../fuzz/runCase.js';
import { formatResult } from '../../report/formatResult.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { readScenarioFile } from '../readScenarioFile.js';
import { failOnScheduleDrift } from '../scheduleDrift.js';
import { paintFor, paintVerdicts } from '../colour.js';
import { jsonDocument } from '../jsonOutput.js';

export function registerReplay(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('replay')
    .description('rerun a counterexample written by colosim fuzz; exit 1 while it still fails')
    .argument('<file>', 'counterexample scenario file')
    .option('--json', 'print the violations as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const scenario = readScenarioFile(file);
      const result = await runCaseSafely(scenario, file);
      failOnScheduleDrift(file, result.document);
      const recorded = scenario.origin?.traceHash;
      if (recorded !== undefined && recorded !== result.traceHash) {
        throw new CliError(`${file}: replay drifted: the trace hash is ${result.traceHash}, the counterexample recorded ${recorded}`, ExitCode.Usage);
      }
      const code = result.violations.length > 0 ? ExitCode.Violation : ExitCode.Ok;
      if (options.json) {
        process.stdout.write(jsonDocument('replay', code, { file, scenario: scenario.name, traceHash: result.traceHash, violations: result.violations }));
      } else {
        const violations = result.violations.map((v) => `VIOLATION ${v.invariant} (${v.kind}) at step ${v.step}: ${v.message}\n`).join('');
        const text = `${formatResult(scenario, result.document, [])}\n${violations}${result.violations.length > 0 ? 'still failing\n' : 'holds now\n'}`;
        process.stdout.write(paintVerdicts(text, paintFor(process.stdout)));
      }
      setExitCode(code);
    });
}
