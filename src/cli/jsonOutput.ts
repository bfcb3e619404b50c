/*
 * The one JSON shape every command's --json prints: `schema` (this layout's version, 1), the
 * `command`, its `verdict` (the exit code in words) and `exitCode`, then the command's own fields
 * (README: "JSON output"). A field renamed or removed is a new schema version; fields are added freely.
 */
import { ExitCode } from './ExitCode.js';

export const JSON_SCHEMA_VERSION = 1;

export type CommandName = 'fuzz' | 'run' | 'replay' | 'diff' | 'merge' | 'hunt' | 'report';

/** The verdicts a JSON document can carry: the exit codes a finished command ends with. */
export type Verdict = 'ok' | 'violation' | 'no-verdict' | 'interrupted';

export function verdictOf(exitCode: number): Verdict {
  switch (exitCode) {
    case ExitCode.Ok:
      return 'ok';
    case ExitCode.Violation:
      return 'violation';
    case ExitCode.Interrupted:
      return 'interrupted';
    default:
      return 'no-verdict';
  }
}

/** The document as printed: the envelope first, then the command's fields, one-space indent. */
export function jsonDocument(command: CommandName, exitCode: number, body: object): string {
  return `${JSON.stringify({ schema: JSON_SCHEMA_VERSION, command, verdict: verdictOf(exitCode), exitCode, ...body }, null, 1)}\n`;
}
