/* `colosim run FILE`: placeholder until the engine exists (issue 3). */
import type { Command } from 'commander';
import { CliError } from '../ExitCode.js';

export function registerRun(program: Command, _setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run one scenario file and print its result document')
    .argument('<file>', 'scenario file (JSON)')
    .option('--json', 'print the result document as JSON')
    .action(() => {
      throw new CliError('run: the engine is not built yet');
    });
}
