/*
 * colosim's command line. Each subcommand lives in commands/<name>.ts and registers itself here;
 * commands return an exit code (see ExitCode.ts) instead of calling process.exit themselves, and
 * runAsProcess (runAsProcess.ts) turns that code, or a failure, into the process's exit.
 */
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './ExitCode.js';
import { COMMANDS } from './commands/index.js';
import { runAsProcess } from './runAsProcess.js';
import { packageInfo } from '../util/packageInfo.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('colosim')
    .description("Deterministic simulation and verification of QEMU's COLO block replication")
    .version(`colosim ${packageInfo().version}`, '-V, --version', 'print "colosim <version>" and exit')
    .exitOverride()
    .showHelpAfterError('(run colosim --help for usage)')
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) });
  let exitCode: number = ExitCode.Ok;
  for (const register of COMMANDS) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`colosim: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

const isEntryPoint = process.argv[1] !== undefined && /colosim(\.js)?$|cli[\\/]main\.[jt]s$/.test(process.argv[1]);
if (isEntryPoint) runAsProcess(() => main(process.argv.slice(2)));
