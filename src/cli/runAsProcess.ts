/*
 * How a command ends the process: always with an explicit exit code. The command's code once its
 * promise settles; 70 with one line for an error nobody turned into a CliError (a bug in colosim);
 * and 70 when Node's event loop runs dry while the command is still pending (an unref'd timer or
 * a dropped promise would otherwise end the process with 0, a silent pass).
 */
import { ExitCode } from './ExitCode.js';

export const PENDING_AT_EXIT = 'colosim: internal error: the command ended without finishing (pending at exit)';

export function runAsProcess(command: () => Promise<number>): void {
  let settled = false;
  process.on('beforeExit', () => {
    if (settled) return;
    process.stderr.write(`${PENDING_AT_EXIT}\n`);
    process.exit(ExitCode.Internal);
  });
  command().then(
    (code) => {
      settled = true;
      process.exit(code);
    },
    (error: unknown) => {
      settled = true;
      process.stderr.write(`${internalErrorLine(error)}\n`);
      if (process.env.COLOSIM_DEBUG === '1' && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
      process.exit(ExitCode.Internal);
    },
  );
}

/** One line for an unexpected error: its message without the stack (COLOSIM_DEBUG=1 prints the stack too). */
export function internalErrorLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `colosim: internal error: ${message.split('\n')[0]} (a bug in colosim; COLOSIM_DEBUG=1 shows the stack)`;
}
