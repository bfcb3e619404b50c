/*
 * `colosim run FILE`: run one scenario and print its result document (a table, or JSON with --json).
 * `--backend qemu` runs it on real QEMU instead of the engine, with the same output and exit codes.
 * Exit 0 when every expectation the file states holds, 1 when one does not (or the run aborted),
 * 2 for a malformed file, bad arguments or (with --backend qemu) QEMU not installed.
 */
import type { Command } from 'commander';
import { formatResult } from '../../report/formatResult.js';
import { compareExpectations } from '../../scenario/expectations.js';
import { runScenarioOnQemu } from '../../qemu/QemuBackend.js';
import type { Scenario } from '../../scenario/Scenario.js';
import type { ResultDocument } from '../../scenario/StepResult.js';
import { runScenarioOnEngine } from '../../scenario/runScenarioOnEngine.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { readScenarioFile } from '../readScenarioFile.js';
import { openQemuSession } from './diff.js';

const BACKENDS = ['engine', 'qemu'] as const;

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
    .option('--backend <name>', 'engine (the TypeScript engine) or qemu (real QEMU 7.2)', 'engine')
    .action(async (file: string, options: RunOptions) => {
      if (!(BACKENDS as readonly string[]).includes(options.backend)) {
        throw new CliError(`run: unknown backend "${options.backend}" (expected ${BACKENDS.join(' or ')})`, ExitCode.Usage);
      }
      const scenario = readScenarioFile(file);
      const document = options.backend === 'qemu' ? await onQemu(scenario) : (await runScenarioOnEngine(scenario)).document;
      const mismatches = compareExpectations(scenario, document);
      process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${formatResult(scenario, document, mismatches)}\n`);
      if (!options.json) for (const item of document.skipped ?? []) process.stdout.write(`${document.backend} skipped ${item.where}: ${item.reason}\n`);
      if (options.json && mismatches.length > 0) {
        for (const m of mismatches) process.stderr.write(`step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}\n`);
      }
      setExitCode(mismatches.length > 0 || document.aborted ? ExitCode.Violation : ExitCode.Ok);
    });
}

async function onQemu(scenario: Scenario): Promise<ResultDocument> {
  const session = openQemuSession();
  try {
    return await runScenarioOnQemu(scenario, { session });
  } finally {
    await session.close();
  }
}
