/*
 * `colosim run FILE`: run one scenario and print its result document (a table, or JSON with --json).
 * Exit 0 when every expectation the file states holds, 1 when one does not (or the run aborted),
 * 2 for a malformed file or bad arguments.
 */
import type { Command } from 'commander';
import { formatResult } from '../../report/formatResult.js';
import { compareExpectations } from '../../scenario/expectations.js';
import { runScenarioOnEngine } from '../../scenario/runScenarioOnEngine.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { readScenarioFile } from '../readScenarioFile.js';

interface RunOptions {
  readonly json?: boolean;
  readonly backend: string;
}

export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run one scenario file and print its result document')
    .argument('<file>', 'scenario file (JSON)')
    .option('--json', 'print the result document as JSON')
    .option('--backend <name>', 'engine (the TypeScript engine)', 'engine')
    .action(async (file: string, options: RunOptions) => {
      if (options.backend !== 'engine') throw new CliError(`run: unknown backend "${options.backend}" (expected engine)`, ExitCode.Usage);
      const scenario = readScenarioFile(file);
      const { document } = await runScenarioOnEngine(scenario);
      const mismatches = compareExpectations(scenario, document);
      process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${formatResult(scenario, document, mismatches)}\n`);
      if (options.json && mismatches.length > 0) {
        for (const m of mismatches) process.stderr.write(`step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}\n`);
      }
      setExitCode(mismatches.length > 0 || document.aborted ? ExitCode.Violation : ExitCode.Ok);
    });
}
