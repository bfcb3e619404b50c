/*
 * A replay schedule (engine.schedule.policy "replay") whose recorded choices no longer fit the
 * engine's ready list has drifted: the file does not describe this run any more. That is an input
 * problem (exit 2), not a liveness violation of the code under test, so commands stop on it here.
 */
import type { ResultDocument } from '../scenario/StepResult.js';
import { CliError, ExitCode } from './ExitCode.js';

export function failOnScheduleDrift(file: string, document: ResultDocument): void {
  const aborted = document.aborted;
  if (aborted?.code !== 'SCHEDULE_DRIFT') return;
  throw new CliError(
    `${file}: replay drifted at step ${aborted.step}: ${aborted.message} (engine.schedule.choices no longer fit this engine; "lenient": true wraps them)`,
    ExitCode.Usage,
  );
}
