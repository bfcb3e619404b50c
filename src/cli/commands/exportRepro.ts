/*
 * `colosim export-repro FILE [--out SCRIPT] [--trials N] [--qcow2-options LIST]`: turns a scenario of
 * the hunt's failover shape (properties/scenarios/qemu-bugs/, or what `colosim hunt --scenario-out`
 * writes) into a standalone bash script for QEMU developers: QMP through python3's standard library,
 * guest I/O with qemu-io, no colosim needed (src/qemu/hunt/reproScript.ts). Exit 0 when written, 2
 * for a file that is not that shape or bad arguments, 4 when the script cannot be written.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_QCOW2_OPTIONS, parseQcow2Options } from '../../qemu/hunt/HuntShape.js';
import { reproScript } from '../../qemu/hunt/reproScript.js';
import { NotHuntShapeError, shapeFromScenario } from '../../qemu/hunt/shapeFromScenario.js';
import { parseInteger } from '../args.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { readScenarioFile } from '../readScenarioFile.js';

interface ExportArgs {
  readonly out?: string;
  readonly trials: string;
  readonly qcow2Options: string;
}

export function registerExportRepro(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('export-repro')
    .description('write a standalone QMP + qemu-io shell script that reproduces a failover-shape scenario on any QEMU')
    .argument('<file>', 'scenario file of the failover shape (e.g. properties/scenarios/qemu-bugs/*.json)')
    .option('--out <script>', 'write the script there (made executable) instead of printing it')
    .option('--trials <n>', "the script's default number of trials (the race is timing-dependent)", '20')
    .option('--qcow2-options <list>', 'active/hidden qcow2 runtime options the script uses', DEFAULT_QCOW2_OPTIONS)
    .action((file: string, args: ExportArgs) => {
      const scenario = readScenarioFile(file);
      const trials = parseInteger(args.trials, 1, 100_000);
      if (trials === undefined) throw new CliError(`export-repro: --trials must be an integer from 1 to 100000, got "${args.trials}"`, ExitCode.Usage);
      let qcow2Options;
      let shape;
      try {
        qcow2Options = parseQcow2Options(args.qcow2Options);
        shape = shapeFromScenario(scenario);
      } catch (error) {
        if (error instanceof NotHuntShapeError || error instanceof Error) throw new CliError(`export-repro: ${file}: ${error.message}`, ExitCode.Usage);
        throw error;
      }
      const script = reproScript(shape, { name: scenario.name ?? basename(file), qcow2Options, trials, description: scenario.description ?? '' });
      if (args.out === undefined) process.stdout.write(script);
      else writeScript(args.out, script);
      setExitCode(ExitCode.Ok);
    });
}

function writeScript(path: string, script: string): void {
  try {
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  } catch (error) {
    throw new CliError(`export-repro: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.Output);
  }
}
